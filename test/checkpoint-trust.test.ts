import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import * as Y from 'yjs'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { Peers, text, waitFor } from './support/peers.js'
import { rawPeer, signedEnvelope, frame, textUpdate, canGossipTo } from './support/raw-peer.js'
import { METRIC, PROTOCOL, packHlc, type Weft } from '../src/index.js'
import { docTopic } from '../src/sync/gossip.js'
import {
  Beacon, Checkpoint, Envelope, GossipFrame, SyncRequest, SyncResponse, WIRE_VERSION,
  beaconSigningBytes, checkpointSigningBytes, headProofOf
} from '../src/wire/codec.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'
import { authorHex } from '../src/replica/version-vector.js'
import { verifyForkProof } from '../src/trust/fork.js'

const dropped = (w: Weft, reason: string): number => w.metrics.counters()[METRIC.dropped]?.[reason] ?? 0
const sign = (key: Ed25519PrivateKey, bytes: Uint8Array): Uint8Array<ArrayBuffer> =>
  nodeEd25519.sign(key.raw.subarray(0, 32), key.publicKey.raw, bytes) as Uint8Array<ArrayBuffer>
const now = (): bigint => packHlc({ wall: Date.now(), logical: 0 })

/** Author A's eight edits, each its own Yjs update; edit 5 comes from a second session (another clientID). */
function authorEdits (): { updates: Uint8Array[], docs: Y.Doc[], final: string } {
  const a = new Y.Doc()
  a.clientID = 1001
  const b = new Y.Doc()
  b.clientID = 2002
  const updates: Uint8Array[] = []
  const docs: Y.Doc[] = []
  for (let i = 1; i <= 8; i++) {
    const doc = i === 5 ? b : a
    const other = i === 5 ? a : b
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
    const before = Y.encodeStateVector(doc)
    doc.getText('text').insert(doc.getText('text').length, `<${i}>`)
    updates.push(Y.encodeStateAsUpdate(doc, before))
    const snapshot = new Y.Doc()
    for (const u of updates) Y.applyUpdate(snapshot, u)
    docs.push(snapshot)
  }
  return { updates, docs, final: docs[7].getText('text').toString() }
}

type Forgery = (a: ReturnType<typeof authorEdits>, envelopes: Envelope[]) => { update: Uint8Array, heads: Envelope[] }

/**
 * A hostile peer H answers the victim's pull with A's envelopes 1-3 plus an H-signed checkpoint
 * claiming A's seqs up to 8, then gossips A's real envelopes 4-8. Before the fix, the victim
 * raised vv[A] to 8 and dropped the real 4-8 as duplicates: equal vectors, different content.
 */
async function forgedCheckpointScenario (forge: Forgery, expectDrop: string): Promise<void> {
  const peers = new Peers()
  const { node: h, key: hKey } = await rawPeer()
  const aKey = await generateKeyPair('Ed25519')
  try {
    const v = await peers.start()
    const handle = await v.create()
    const edits = authorEdits()
    const envelopes = edits.updates.map((u, i) => signedEnvelope(aKey, handle.id, i + 1, u))
    const forged = forge(edits, envelopes)
    const checkpoint: Checkpoint = {
      version: WIRE_VERSION,
      docId: handle.id,
      vv: [{ author: aKey.publicKey.raw as Uint8Array<ArrayBuffer>, seq: 8 }],
      hlc: now(),
      update: forged.update as Uint8Array<ArrayBuffer>,
      signer: hKey.publicKey.raw as Uint8Array<ArrayBuffer>,
      signature: new Uint8Array(0)
    }
    checkpoint.signature = sign(hKey, checkpointSigningBytes(checkpoint))
    let served = 0
    await h.handle(PROTOCOL.sync, async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      const first = served++ === 0
      await lp.write(SyncResponse.encode({
        version: WIRE_VERSION,
        docId: handle.id,
        envelopes: first ? envelopes.slice(0, 3).map(e => Envelope.encode(e)) : [],
        checkpoint: first ? checkpoint : undefined,
        heads: first ? forged.heads.map(e => Envelope.encode(e)) : [],
        vv: [],
        error: ''
      }))
      await stream.close()
    })
    const topic = docTopic(handle.id)
    h.services.pubsub.subscribe(topic)
    await h.dial(v.libp2p.getMultiaddrs()[0])
    await waitFor('v pulled from the hostile peer', () => served > 0)
    await waitFor('v applied A\'s first three envelopes',
      () => (handle.versionVector[authorHex(aKey.publicKey.raw)] ?? 0) >= 3)
    await waitFor('h sees v on the topic',
      () => canGossipTo(h, topic, v.libp2p.peerId))
    for (const e of envelopes.slice(3)) await h.services.pubsub.publish(topic, frame(e))
    await waitFor('v holds all of A\'s content', () => text(handle) === edits.final, 10_000)
    assert.equal(handle.versionVector[authorHex(aKey.publicKey.raw)], 8)
    assert.ok(dropped(v, expectDrop) > 0, `the forgery was counted as ${expectDrop}`)
  } finally {
    await h.stop()
    await peers.cleanup()
  }
}

describe('checkpoint trust: a vector entry rises only on its author\'s own signature', () => {
  test('a checkpoint signed by another peer claiming an author\'s seqs ' +
    'does not raise that author\'s entry', { timeout: 60_000 }, async () => {
    // The update holds A's first three edits only; no head envelope from A backs the claim.
    await forgedCheckpointScenario(a => ({ update: Y.encodeStateAsUpdate(a.docs[2]), heads: [] }), 'unproven-head')
  })

  test('a checkpoint that carries A\'s real head but omits A\'s earlier content ' +
    'is caught', { timeout: 60_000 }, async () => {
    await forgedCheckpointScenario(
      (a, envelopes) => ({ update: Y.encodeStateAsUpdate(a.docs[2]), heads: [envelopes[7]] }),
      'checkpoint-omission')
  })

  test('a checkpoint that carries only A\'s signed header (a head proof) but omits A\'s earlier content ' +
    'is caught', { timeout: 60_000 }, async () => {
    await forgedCheckpointScenario(
      (a, envelopes) => ({ update: Y.encodeStateAsUpdate(a.docs[2]), heads: [headProofOf(envelopes[7])] }),
      'checkpoint-omission')
  })

  test('a checkpoint that omits the content of the very head it proves by header ' +
    'is caught', { timeout: 60_000 }, async () => {
    // Edits 1-7 are all there; edit 8 itself is not, and its header alone cannot fill it in.
    await forgedCheckpointScenario(
      (a, envelopes) => ({ update: Y.encodeStateAsUpdate(a.docs[6]), heads: [headProofOf(envelopes[7])] }),
      'checkpoint-omission')
  })

  test('a real envelope is never dropped as a duplicate ' +
    'because a checkpoint claimed its number', { timeout: 60_000 }, async () => {
    // Everything but edit 5 (another clientID, so the head spot-check cannot see the hole):
    // the vector rises to 8 on A's head, and the real envelope 5 must still be applied when it comes.
    await forgedCheckpointScenario((a, envelopes) => {
      const without5 = new Y.Doc()
      for (const [i, u] of a.updates.entries()) if (i !== 4) Y.applyUpdate(without5, u)
      return { update: Y.encodeStateAsUpdate(without5), heads: [envelopes[7]] }
    }, 'checkpoint-omission')
  })
})

describe('delivery confirmations count only when they can be true', () => {
  test('a sync request or a signed beacon claiming seq 1000 ' +
    'does not change unconfirmed', { timeout: 60_000 }, async () => {
    const peers = new Peers()
    const { node: raw, key } = await rawPeer()
    try {
      const w = await peers.start()
      const handle = await w.create()
      for (const s of ['a', 'b', 'c']) {
        handle.doc.getText('text').insert(0, s)
        await handle.flush()
      }
      assert.equal(handle.unconfirmed, 3)
      const me = Object.keys(handle.versionVector)[0]
      const claim = [{ author: Uint8Array.from(Buffer.from(me, 'hex')) as Uint8Array<ArrayBuffer>, seq: 1000 }]

      await raw.dial(w.libp2p.getMultiaddrs()[0])
      const stream = await raw.dialProtocol(w.libp2p.peerId, PROTOCOL.sync)
      const lp = lpStream(stream)
      await lp.write(SyncRequest.encode({
        version: WIRE_VERSION,
        docId: handle.id,
        vv: claim,
        stateVector: Y.encodeStateVector(new Y.Doc()) as Uint8Array<ArrayBuffer>
      }))
      const reply = SyncResponse.decode(await lp.read())
      // Hung up, not closed: a clean close after reading the whole reply (which carried all three
      // edits) would be a real delivery, and w would count it. This case is about the claim alone.
      stream.abort(new Error('the raw peer hangs up'))
      assert.equal(reply.error, '', 'the request was served')
      await waitFor('the false claim is counted', () => dropped(w, 'false-confirmation') >= 1)
      assert.equal(handle.unconfirmed, 3, 'a sync request claiming seq 1000 confirmed nothing')

      const topic = docTopic(handle.id)
      raw.services.pubsub.subscribe(topic)
      await waitFor('the raw peer sees w on the topic', () =>
        canGossipTo(raw, topic, w.libp2p.peerId))
      // Re-sent until counted: the first publish can go out before gossipsub lists w for the topic.
      // Each one freshly stamped: gossipsub drops a re-publish of identical bytes as a duplicate.
      let lastSent = 0
      await waitFor('the false beacon claim is counted', async () => {
        if (dropped(w, 'false-confirmation') >= 2) return true
        if (Date.now() - lastSent > 1_000) {
          lastSent = Date.now()
          const signer = key.publicKey.raw as Uint8Array<ArrayBuffer>
          const beacon: Beacon = {
            version: WIRE_VERSION, docId: handle.id, signer, hlc: now(), vv: claim, signature: new Uint8Array(0)
          }
          beacon.signature = sign(key, beaconSigningBytes(beacon))
          await raw.services.pubsub.publish(topic, GossipFrame.encode({ beacon })).catch(() => {})
        }
        return false
      })
      assert.equal(handle.unconfirmed, 3, 'a beacon claiming seq 1000 confirmed nothing')

      // An honest peer that really holds the edits still confirms them.
      const honest = await peers.start({ bootstrap: [w.multiaddrs[0]] })
      await honest.open(handle.id)
      await waitFor('a real holder confirms', () => handle.unconfirmed === 0)
    } finally {
      await raw.stop()
      await peers.cleanup()
    }
  })
})

describe('equivocation is detected and proven', () => {
  test('two different envelopes signed for one (author, seq) ' +
    'yield a fork proof anyone can check', { timeout: 60_000 }, async () => {
    const peers = new Peers()
    const { node: raw, key } = await rawPeer()
    try {
      const w = await peers.start()
      const handle = await w.create()
      const forks: Array<{ a: Uint8Array, b: Uint8Array }> = []
      ;(handle as unknown as {
        loaded: { replica: { on: (e: 'fork', f: (p: { a: Uint8Array, b: Uint8Array }) => void) => void } }
      })
        .loaded.replica.on('fork', proof => { forks.push(proof) })
      const topic = docTopic(handle.id)
      raw.services.pubsub.subscribe(topic)
      await raw.dial(w.libp2p.getMultiaddrs()[0])
      await waitFor('the raw peer sees w on the topic',
        () => canGossipTo(raw, topic, w.libp2p.peerId))
      await raw.services.pubsub.publish(topic, frame(signedEnvelope(key, handle.id, 1, textUpdate('first', 11))))
      await waitFor('w applies the first version', () => text(handle) === 'first')
      await raw.services.pubsub.publish(topic, frame(signedEnvelope(key, handle.id, 1, textUpdate('second', 12))))
      await waitFor('w proves the fork', () => forks.length === 1)
      assert.ok(verifyForkProof(forks[0], nodeEd25519), 'the proof checks out with the author key alone')
      assert.equal(dropped(w, 'equivocation'), 1)
      assert.equal(text(handle), 'first', 'the second version was not applied')
      // A "proof" made of one envelope twice, or of a tampered copy, does not check.
      assert.ok(!verifyForkProof({ a: forks[0].a, b: forks[0].a }, nodeEd25519))
      const tampered = Envelope.decode(forks[0].b)
      tampered.payload = textUpdate('third', 13) as Uint8Array<ArrayBuffer>
      assert.ok(!verifyForkProof({ a: forks[0].a, b: Envelope.encode(tampered) }, nodeEd25519))
    } finally {
      await raw.stop()
      await peers.cleanup()
    }
  })
})
