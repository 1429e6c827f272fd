import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { lpStream } from '@libp2p/utils'
import * as Y from 'yjs'
import { Peers, text, waitFor } from './support/peers.js'
import { rawPeer, signedEnvelope, frame, textUpdate, canGossipTo } from './support/raw-peer.js'
import { METRIC, PROTOCOL, packHlc, unpackHlc, type ClockSkewEvent, type Weft } from '../src/index.js'
import { docTopic } from '../src/sync/gossip.js'
import { SyncRequest, SyncResponse, WIRE_VERSION } from '../src/wire/codec.js'

const TWO_HOURS = 2 * 3_600_000

describe('clock skew: a stamp far ahead is merged, clamped and reported, never refused', () => {
  test('an envelope stamped 2 h ahead is applied, counted and reported to the app', { timeout: 60_000 }, async () => {
    const peers = new Peers()
    const { node: raw, key } = await rawPeer()
    try {
      const events: ClockSkewEvent[] = []
      const w = await peers.start({ onClockSkew: e => events.push(e) })
      const handle = await w.create()
      const topic = docTopic(handle.id)
      raw.services.pubsub.subscribe(topic)
      await raw.dial(w.libp2p.getMultiaddrs()[0])
      const seesW = (): boolean => canGossipTo(raw, topic, w.libp2p.peerId)
      await waitFor('the raw peer sees w on the topic', seesW)
      const future = packHlc({ wall: Date.now() + 2 * 3_600_000, logical: 0 })
      const envelope = signedEnvelope(key, handle.id, 1, textUpdate('from the future'), future)
      await raw.services.pubsub.publish(topic, frame(envelope))
      await waitFor('the future-stamped edit is merged', () => text(handle) === 'from the future')
      assert.equal(w.metrics.counters()[METRIC.clockSkew]?.ahead, 1)
      assert.equal(events.length, 1)
      assert.equal(events[0].direction, 'ahead')
      assert.ok(events[0].offsetMs > 3_600_000)
      // Our own next edit is stamped at most maxClockDriftMs (60 s) ahead of our wall clock.
      handle.doc.getText('text').insert(0, '!')
      await handle.flush()
      const vv = handle.versionVector
      assert.equal(Object.keys(vv).length, 2)
    } finally {
      await raw.stop()
      await peers.cleanup()
    }
  })

  // An edit that reaches its peers by a sync pull (before the gossip mesh forms) brings no
  // delivery ack back: the sync exchange itself must tell a peer that its clock runs ahead.
  test('a peer whose clock runs 2 h ahead is told by a sync request stamped by its neighbour', { timeout: 60_000 },
    async () => {
      await withFastPeer(async ({ raw, w, docId, events }) => {
        await raw.dial(w.libp2p.getMultiaddrs()[0])
        const stream = await raw.dialProtocol(w.libp2p.peerId, PROTOCOL.sync)
        const lp = lpStream(stream)
        await lp.write(SyncRequest.encode({
          version: WIRE_VERSION,
          docId,
          vv: [],
          stateVector: Y.encodeStateVector(new Y.Doc()) as Uint8Array<ArrayBuffer>,
          hlc: twoHoursAgo()
        }))
        const reply = SyncResponse.decode(await lp.read())
        await stream.close()
        assert.equal(reply.error, '')
        assertFresh(reply.hlc, 'the reply is stamped with w\'s clock')
        await assertToldAhead(events)
        assert.equal(w.metrics.counters()[METRIC.clockSkew]?.behind, 1)
      })
    })

  test('a peer whose clock runs 2 h ahead is told by the sync reply of the peer it pulls from', { timeout: 60_000 },
    async () => {
      await withFastPeer(async ({ raw, w, docId, events }) => {
        let requestStamp = 0n
        await raw.handle(PROTOCOL.sync, async (stream) => {
          const lp = lpStream(stream)
          requestStamp = SyncRequest.decode(await lp.read()).hlc
          await lp.write(SyncResponse.encode({
            version: WIRE_VERSION, docId, envelopes: [], vv: [], error: '', heads: [], hlc: twoHoursAgo()
          }))
          await stream.close()
        })
        raw.services.pubsub.subscribe(docTopic(docId)) // w sees a new holder and pulls from it
        await raw.dial(w.libp2p.getMultiaddrs()[0])
        await assertToldAhead(events)
        assertFresh(requestStamp, 'w stamped its request')
      })
    })
})

const twoHoursAgo = (): bigint => packHlc({ wall: Date.now() - TWO_HOURS, logical: 0 })

/** A weft peer `w` with one document, seen from a raw libp2p peer whose clock reads 2 h earlier. */
async function withFastPeer (body: (s: {
  raw: Awaited<ReturnType<typeof rawPeer>>['node'], w: Weft, docId: string, events: ClockSkewEvent[]
}) => Promise<void>): Promise<void> {
  const peers = new Peers()
  const { node: raw } = await rawPeer()
  try {
    const events: ClockSkewEvent[] = []
    const w = await peers.start({ onClockSkew: e => events.push(e) })
    const handle = await w.create()
    await body({ raw, w, docId: handle.id, events })
  } finally {
    await raw.stop()
    await peers.cleanup()
  }
}

/** `w` was told that a fresh stamp is ~2 h behind its clock, i.e. that its own clock runs ahead. */
async function assertToldAhead (events: ClockSkewEvent[]): Promise<void> {
  await waitFor('w is told its clock runs ahead', () => events.length > 0)
  assert.equal(events[0].direction, 'behind')
  assert.ok(events[0].offsetMs < -TWO_HOURS + 60_000, `offset ${events[0].offsetMs} ms`)
}

function assertFresh (packed: bigint, what: string): void {
  const age = Date.now() - unpackHlc(packed).wall
  assert.ok(age >= 0 && age < 10_000, `${what} (${age} ms old)`)
}
