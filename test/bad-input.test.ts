import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import * as Y from 'yjs'
import { Peers, text, waitFor } from './support/peers.js'
import { rawPeer, signedEnvelope, frame, textUpdate, canGossipTo } from './support/raw-peer.js'
import { METRIC, PROTOCOL, packHlc, type Weft } from '../src/index.js'
import { docTopic } from '../src/sync/gossip.js'
import { Checkpoint, Envelope, SyncResponse, WIRE_VERSION, checkpointSigningBytes } from '../src/wire/codec.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'

const dropped = (w: Weft, reason: string): number => w.metrics.counters()[METRIC.dropped]?.[reason] ?? 0

describe('bad input is dropped with a reason and a counter, never a crash or a corrupted document', () => {
  test('malformed, truncated, oversized, wrongly signed, ' +
    'misaddressed, and unparseable gossip', { timeout: 60_000 }, async () => {
    const peers = new Peers()
    const { node: raw, key } = await rawPeer()
    try {
      const w = await peers.start({ maxEnvelopeBytes: 2048 })
      const handle = await w.create()
      handle.doc.getText('text').insert(0, 'good:')
      await handle.flush()
      const topic = docTopic(handle.id)
      raw.services.pubsub.subscribe(topic)
      await raw.dial(w.libp2p.getMultiaddrs()[0])
      await waitFor('the raw peer sees w on the topic',
        () => canGossipTo(raw, topic, w.libp2p.peerId))
      const publish = async (data: Uint8Array): Promise<void> => { await raw.services.pubsub.publish(topic, data) }
      const before = Y.encodeStateAsUpdate(handle.doc)

      const cases: Array<[string, Uint8Array]> = []
      cases.push(['malformed', randomBytes(200)])
      const valid = frame(signedEnvelope(key, handle.id, 1, textUpdate('x')))
      cases.push(['malformed', valid.subarray(0, valid.length - 7)]) // truncated
      cases.push(['oversized', frame(signedEnvelope(key, handle.id, 1, textUpdate('y'.repeat(5000))))])
      const forged = signedEnvelope(key, handle.id, 1, textUpdate('forged'))
      forged.payload = textUpdate('tampered') as Uint8Array<ArrayBuffer>
      cases.push(['bad-signature', frame(forged)])
      cases.push(['wrong-document',
        frame(signedEnvelope(key, 'aaaaaaaaaaaaaaaaaaaaaaaaaa', 1, textUpdate('elsewhere')))])
      // Envelopes travel without their document id (the topic names it, the signature covers it):
      // one signed for another document and replayed here without its id fails its signature.
      const replayed = signedEnvelope(key, 'aaaaaaaaaaaaaaaaaaaaaaaaaa', 1, textUpdate('replayed'))
      cases.push(['bad-signature', frame({ ...replayed, docId: '' })])
      // A future stamp is not bad input any more: see test/clock-skew.test.ts.
      cases.push(['bad-update',
        frame(signedEnvelope(key, handle.id, 1, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x01, 0x02])))])
      const badVersion = signedEnvelope(key, handle.id, 1, textUpdate('v2'))
      badVersion.version = 99
      cases.push(['bad-version', frame(badVersion)])
      cases.push(['malformed', new Uint8Array(0)]) // a frame carrying nothing
      for (const [reason, data] of cases) {
        const was = dropped(w, reason)
        await publish(data)
        await waitFor(`w drops the ${reason} frame`, () => dropped(w, reason) > was, 10_000)
      }
      assert.deepEqual(Y.encodeStateAsUpdate(handle.doc), before, 'nothing bad reached the document')
      assert.equal(text(handle), 'good:')

      // gossipsub's peer scoring saw the rejections: the sender is now below zero...
      const pubsub = w.libp2p.services.pubsub as unknown as { getScore: (peer: string) => number }
      const score = pubsub.getScore(raw.peerId.toString())
      assert.ok(score < 0, `sender's score ${score} should be negative`)

      // ...while w itself is healthy: an honest peer's edit still arrives.
      const honest = await peers.start({ bootstrap: [w.multiaddrs[0]] })
      const hh = await honest.open(handle.id)
      await hh.whenSynced({ signal: AbortSignal.timeout(20_000) })
      hh.doc.getText('text').insert(5, 'ok')
      await waitFor('the honest edit applies', () => text(handle) === 'good:ok')
    } finally {
      await raw.stop()
      await peers.cleanup()
    }
  })

  test('garbage, oversized and truncated requests on the sync stream', { timeout: 60_000 }, async () => {
    const peers = new Peers()
    const { node: raw } = await rawPeer()
    try {
      const w = await peers.start()
      const handle = await w.create()
      handle.doc.getText('text').insert(0, 'intact')
      await raw.dial(w.libp2p.getMultiaddrs()[0])

      const send = async (write: (s: any) => Promise<void>): Promise<void> => {
        const stream = await raw.dialProtocol(w.libp2p.peerId, PROTOCOL.sync)
        try { await write(stream) } catch {}
        // Whatever w answers (an abort), the stream ends; reading it must not hang.
        try {
          for await (const _ of stream) void _ // only draining: nothing read is needed
        } catch {}
      }
      let was = dropped(w, 'malformed')
      await send(async s => { await lpStream(s).write(randomBytes(300)) })
      await waitFor('garbage request dropped', () => dropped(w, 'malformed') > was)
      // A length prefix announcing 100 MB: refused before anything is buffered.
      was = dropped(w, 'oversized')
      await send(async s => { s.send(Uint8Array.from([0x80, 0x80, 0x80, 0x30])); await s.close() })
      await waitFor('oversized request dropped', () => dropped(w, 'oversized') > was)
      // Truncated: the stream ends before the request does. Dropped, but no offence (a broken link
      // looks the same): `sync-failed`, not `malformed`.
      was = dropped(w, 'sync-failed')
      const malformed = dropped(w, 'malformed')
      await send(async s => { s.send(Uint8Array.from([50, 1, 2, 3])); await s.close() })
      await waitFor('truncated request dropped', () => dropped(w, 'sync-failed') > was)
      assert.equal(dropped(w, 'malformed'), malformed)
      assert.equal(text(handle), 'intact')
      assert.ok((await w.create()).id.length > 0, 'w still works')
    } finally {
      await raw.stop()
      await peers.cleanup()
    }
  })

  test('a hostile sync responder: forged envelopes and an unparseable checkpoint ' +
    'are dropped', { timeout: 60_000 }, async () => {
    const peers = new Peers()
    const { node: raw, key } = await rawPeer()
    const other = await generateKeyPair('Ed25519')
    try {
      const w = await peers.start()
      const handle = await w.create()
      handle.doc.getText('text').insert(0, 'mine')
      await handle.flush()
      const before = Y.encodeStateAsUpdate(handle.doc)
      const forged = signedEnvelope(other, handle.id, 1, textUpdate('forged'))
      forged.signature = signedEnvelope(key, handle.id, 1, textUpdate('x')).signature
      const checkpoint: Checkpoint = {
        version: WIRE_VERSION,
        docId: handle.id,
        vv: [{ author: key.publicKey.raw as Uint8Array<ArrayBuffer>, seq: 50 }],
        hlc: packHlc({ wall: Date.now(), logical: 0 }),
        update: randomBytes(64) as unknown as Uint8Array<ArrayBuffer>,
        signer: key.publicKey.raw as Uint8Array<ArrayBuffer>,
        signature: new Uint8Array(0)
      }
      checkpoint.signature = nodeEd25519.sign(
        key.raw.subarray(0, 32), key.publicKey.raw, checkpointSigningBytes(checkpoint)) as Uint8Array<ArrayBuffer>
      let served = 0
      await raw.handle(PROTOCOL.sync, async (stream) => {
        const lp = lpStream(stream)
        await lp.read()
        await lp.write(SyncResponse.encode({
          version: WIRE_VERSION,
          docId: handle.id,
          envelopes: [Envelope.encode(forged), randomBytes(40) as unknown as Uint8Array<ArrayBuffer>],
          checkpoint,
          vv: [],
          error: '',
          heads: []
        }))
        await stream.close()
        served++
      })
      raw.services.pubsub.subscribe(docTopic(handle.id)) // w sees a new holder and pulls from it
      await raw.dial(w.libp2p.getMultiaddrs()[0])
      await waitFor('w pulled from the hostile peer', () => served > 0)
      await waitFor('w dropped the checkpoint', () => dropped(w, 'bad-update') > 0)
      await waitFor('w dropped the forged envelope', () => dropped(w, 'bad-signature') >= 1)
      await waitFor('w dropped the garbage envelope', () => dropped(w, 'malformed') >= 1)
      assert.deepEqual(Y.encodeStateAsUpdate(handle.doc), before)
      assert.deepEqual(Object.keys(handle.versionVector).length, 1,
        'the checkpoint\'s false claims did not enter the vector')
    } finally {
      await raw.stop()
      await peers.cleanup()
    }
  })
})
