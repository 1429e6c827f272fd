import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import * as Y from 'yjs'
import { Peers, text, waitFor } from './support/peers.js'
import { rawPeer, signedEnvelope, textUpdate } from './support/raw-peer.js'
import { METRIC, PROTOCOL, type Weft } from '../src/index.js'
import {
  ENVELOPE_VERSION, Envelope, SyncRequest, SyncResponse, WIRE_VERSION, WireError, envelopeSigningBytes, headProofOf,
  isHeadProof
} from '../src/wire/codec.js'
import { validateEnvelope, validateHead } from '../src/sync/validate.js'
import { HybridLogicalClock } from '../src/clock/hlc.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'
import { verifyForkProof } from '../src/trust/fork.js'

const dropped = (w: Weft, reason: string): number => w.metrics.counters()[METRIC.dropped]?.[reason] ?? 0
const verifier = { ed25519: nodeEd25519, clock: new HybridLogicalClock() }
const DOC = 'weftheadproofdocumentaaaaa'
const reason = (expected: string) => (err: unknown) => err instanceof WireError && err.reason === expected

describe('head proofs: an envelope\'s signed header stands for it beside a checkpoint', () => {
  test('a version-2 envelope is signed over its payload\'s hash; its header alone verifies, ' +
    'and cannot carry a payload of its own', async () => {
    const key = await generateKeyPair('Ed25519')
    const envelope = signedEnvelope(key, DOC, 4, textUpdate('hello'))
    assert.equal(envelope.version, ENVELOPE_VERSION)
    validateEnvelope(envelope, DOC, verifier)

    const proof = headProofOf(envelope)
    assert.ok(isHeadProof(proof))
    assert.equal(proof.payload.byteLength, 0)
    validateHead(Envelope.decode(Envelope.encode(proof)), DOC, verifier)
    assert.ok(Envelope.encode(proof).byteLength < 200, `a head proof is ${Envelope.encode(proof).byteLength} bytes`)

    // A proof is no envelope: its signature covers a hash, so any payload put beside it would "verify".
    assert.throws(() => { validateEnvelope(proof, DOC, verifier) }, reason('malformed'))
    const smuggled = { ...proof, payload: textUpdate('not what was signed') as Uint8Array<ArrayBuffer> }
    assert.throws(() => { validateHead(smuggled, DOC, verifier) }, reason('malformed'))
    // A proof of other content does not verify.
    const lying = { ...proof, payloadHash: new Uint8Array(32).fill(9) }
    assert.throws(() => { validateHead(lying, DOC, verifier) }, reason('bad-signature'))
    // Tampering with the full envelope's payload breaks the signature as before.
    const tampered = { ...envelope, payload: textUpdate('tampered') as Uint8Array<ArrayBuffer> }
    assert.throws(() => { validateEnvelope(tampered, DOC, verifier) }, reason('bad-signature'))
    // An envelope and its own proof are one signed statement, not a fork; two contents are.
    assert.ok(!verifyForkProof({ a: Envelope.encode(envelope), b: Envelope.encode(proof) }, nodeEd25519))
    const other = signedEnvelope(key, DOC, 4, textUpdate('other'))
    assert.ok(verifyForkProof({ a: Envelope.encode(proof), b: Envelope.encode(headProofOf(other)) }, nodeEd25519))
  })

  test('an envelope whose signed struct ends understate its payload is refused: ' +
    'a checkpoint could otherwise omit that content behind its header', async () => {
    const key = await generateKeyPair('Ed25519')
    const honest = signedEnvelope(key, DOC, 2, textUpdate('content'))
    assert.ok(honest.ends.byteLength > 0)
    const understated = { ...honest, ends: new Uint8Array(0) as Uint8Array<ArrayBuffer> }
    understated.signature = nodeEd25519.sign(key.raw.subarray(0, 32), key.publicKey.raw,
      envelopeSigningBytes(understated)) as Uint8Array<ArrayBuffer>
    validateHead(headProofOf(understated), DOC, verifier) // its header alone cannot tell
    assert.throws(() => { validateEnvelope(understated, DOC, verifier) }, reason('bad-update'))
  })

  test('version-1 envelopes (signed over the whole encoding) still verify, and stay whole as heads', async () => {
    const key = await generateKeyPair('Ed25519')
    const legacy = signedEnvelope(key, DOC, 1, textUpdate('old'), undefined, WIRE_VERSION)
    validateEnvelope(Envelope.decode(Envelope.encode(legacy)), DOC, verifier)
    assert.equal(headProofOf(legacy), legacy, 'a version-1 envelope cannot drop its payload')
    validateHead(legacy, DOC, verifier)
    assert.throws(() => { validateEnvelope({ ...legacy, version: 3 }, DOC, verifier) }, reason('bad-version'))
  })

  test('a checkpoint reply carries heads as headers, and a peer that was given only a header ' +
    'proves the vector on to the next one', { timeout: 90_000 }, async () => {
    const peers = new Peers()
    const { node: raw } = await rawPeer()
    try {
      // More envelopes than one reply carries, so every catch-up below is a checkpoint.
      const a = await peers.start({ maxEnvelopesPerSync: 8 })
      const ha = await a.create()
      for (let i = 0; i < 40; i++) {
        ha.doc.getText('text').insert(i, String.fromCharCode(97 + (i % 26)))
        await ha.flush()
      }
      const author = Object.keys(ha.versionVector)[0]
      assert.equal(ha.versionVector[author], 40)

      // What a fresh requester gets: one merged update, and A's head as a signed header of ~170 bytes.
      await raw.dial(a.libp2p.getMultiaddrs()[0])
      const stream = await raw.dialProtocol(a.libp2p.peerId, PROTOCOL.sync)
      const lp = lpStream(stream)
      await lp.write(SyncRequest.encode({
        version: WIRE_VERSION,
        docId: ha.id,
        vv: [],
        stateVector: Y.encodeStateVector(new Y.Doc()) as Uint8Array<ArrayBuffer>
      }))
      const reply = SyncResponse.decode(await lp.read())
      await stream.close()
      assert.ok(reply.checkpoint != null, 'a checkpoint, not 40 envelopes')
      assert.equal(reply.heads.length, 1)
      const head = Envelope.decode(reply.heads[0])
      assert.ok(isHeadProof(head), 'the head travels without its payload')
      assert.equal(head.seq, 40)
      assert.ok(reply.heads[0].byteLength < 200, `head of ${reply.heads[0].byteLength} bytes`)

      // B catches up from A by that checkpoint: it holds A's head only as a proof.
      const b = await peers.start({ bootstrap: [a.multiaddrs[0]], maxEnvelopesPerSync: 8 })
      const hb = await b.open(ha.id)
      await waitFor('b caught up', () => text(hb) === text(ha) && hb.versionVector[author] === 40)
      await hb.flush()
      await peers.stop(a)

      // C has only B to ask. B's own checkpoint needs A's signature at 40: the proof B kept.
      const c = await peers.start({ bootstrap: [b.multiaddrs[0]] })
      const hc = await c.open(ha.id)
      await waitFor('c caught up from b alone', () => text(hc) === text(hb) && hc.versionVector[author] === 40)
      for (const w of [b, c]) {
        assert.equal(dropped(w, 'unproven-head'), 0)
        assert.equal(dropped(w, 'checkpoint-omission'), 0)
      }
    } finally {
      await raw.stop()
      await peers.cleanup()
    }
  })
})
