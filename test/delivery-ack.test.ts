/**
 * Delivery acks (/weft/ack): a peer that got envelopes from their author itself tells the author
 * directly how far it holds them, instead of announcing to the whole topic. Real peers on loopback.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { lpStream } from '@libp2p/utils'
import { Peers, waitFor } from './support/peers.js'
import { rawPeer } from './support/raw-peer.js'
import { METRIC, PROTOCOL, type Weft } from '../src/index.js'
import { DeliveryAck, WIRE_VERSION } from '../src/wire/codec.js'

const counter = (w: Weft, name: string, label = ''): number => w.metrics.counters()[name]?.[label] ?? 0

test('gossiped edits are confirmed by the receiver\'s ack, with no beacon', { timeout: 60_000 }, async () => {
  const peers = new Peers()
  try {
    // Periodic beacons a minute apart: whatever confirms the edits below is the ack.
    const a = await peers.start({ beaconIntervalMs: 60_000 })
    const b = await peers.start({ beaconIntervalMs: 60_000, bootstrap: [a.multiaddrs[0]] })
    const ha = await a.create()
    const hb = await b.open(ha.id)
    await hb.whenSynced({ signal: AbortSignal.timeout(20_000) })
    await waitFor('b on the topic', () => ha.peers.length > 0, 20_000)
    const beaconsBefore = counter(b, METRIC.beaconsOut)
    const acksBefore = counter(b, METRIC.acksOut)
    for (let i = 0; i < 5; i++) {
      ha.doc.getText('text').insert(0, String(i))
      await ha.flush()
    }
    await waitFor('b holds the edits', () => hb.doc.getText('text').length === 5, 10_000)
    const t0 = Date.now()
    await waitFor('a sees its edits confirmed', () => ha.unconfirmed === 0, 10_000)
    const waited = Date.now() - t0
    assert.ok(counter(b, METRIC.acksOut) > acksBefore, 'b sent an ack')
    assert.ok(counter(a, METRIC.acksIn) >= 1, 'a received it')
    assert.equal(counter(b, METRIC.beaconsOut), beaconsBefore, 'b published no beacon for gossiped data')
    assert.ok(waited < 5_000, `confirmed ${waited} ms after delivery`)
  } finally {
    await peers.cleanup()
  }
})

test('an ack claiming more than the author wrote, for a document it does not hold, ' +
  'or that does not decode, confirms nothing', { timeout: 60_000 }, async () => {
  const peers = new Peers()
  const { node: raw } = await rawPeer()
  try {
    const w = await peers.start()
    const handle = await w.create()
    for (const s of ['a', 'b', 'c']) {
      handle.doc.getText('text').insert(0, s)
      await handle.flush()
    }
    assert.equal(handle.unconfirmed, 3)
    await raw.dial(w.libp2p.getMultiaddrs()[0])
    const send = async (bytes: Uint8Array): Promise<void> => {
      const stream = await raw.dialProtocol(w.libp2p.peerId, PROTOCOL.ack)
      await lpStream(stream).write(bytes)
      await stream.close().catch(() => {})
    }
    const dropped = (reason: string): number => counter(w, METRIC.dropped, reason)
    await send(DeliveryAck.encode({ version: WIRE_VERSION, entries: [{ docId: handle.id, seq: 1000 }] }))
    await waitFor('the false claim is counted', () => dropped('false-confirmation') >= 1, 10_000)
    await send(DeliveryAck.encode({ version: WIRE_VERSION, entries: [{ docId: 'not-a-document', seq: 1 }] }))
    await send(Uint8Array.from([0xff, 0xff, 0xff, 0x01]))
    await waitFor('the undecodable ack is counted', () => dropped('malformed') >= 1, 10_000)
    await send(DeliveryAck.encode({ version: 99, entries: [{ docId: handle.id, seq: 3 }] }))
    await waitFor('the wrong version is counted', () => dropped('bad-version') >= 1, 10_000)
    assert.equal(handle.unconfirmed, 3, 'nothing confirmed')
    assert.ok(counter(w, METRIC.acksIn) >= 2, 'the well-formed acks were read')

    // A real ack from a peer that holds the edits: raw's claim of seq 3 counts, as a beacon would.
    await send(DeliveryAck.encode({ version: WIRE_VERSION, entries: [{ docId: handle.id, seq: 3 }] }))
    await waitFor('an ack of what was written confirms it', () => handle.unconfirmed === 0, 10_000)
  } finally {
    await raw.stop()
    await peers.cleanup()
  }
})
