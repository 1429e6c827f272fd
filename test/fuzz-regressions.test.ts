import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import {
  Envelope, GossipFrame, WIRE_VERSION, WireError, decodeEnvelope, decodeFrame, envelopeSigningBytes
} from '../src/wire/codec.js'
import { validateEnvelope } from '../src/sync/validate.js'
import { HybridLogicalClock, packHlc } from '../src/clock/hlc.js'
import { Signer } from '../src/identity/peer-key.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'
import { LinkError, formatLink, parseLink } from '../src/trust/link.js'
import { MemoryLevel } from 'memory-level'
import { Replica } from '../src/replica/replica.js'
import { Store } from '../src/store/store.js'
import { METRIC, Metrics } from '../src/metrics/metrics.js'
import type { DocAccess } from '../src/trust/doc-access.js'
import type { LevelDb } from '../src/platform/platform.js'

const DOC = 'weftfuzzdocumentaaaaaaaaaa'

async function sealed (payload: Uint8Array): Promise<Envelope> {
  const signer = new Signer(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7)), nodeEd25519)
  const e: Envelope = {
    version: WIRE_VERSION,
    docId: DOC,
    author: signer.publicKey as Uint8Array<ArrayBuffer>,
    seq: 1,
    hlc: packHlc({ wall: Date.now(), logical: 0 }),
    payload: payload as Uint8Array<ArrayBuffer>,
    signature: new Uint8Array(0),
    payloadHash: new Uint8Array(0),
    ends: new Uint8Array(0)
  }
  e.signature = signer.sign(envelopeSigningBytes(e)) as Uint8Array<ArrayBuffer>
  return e
}

test('a frame of nested protobuf groups is refused as malformed, not by a stack overflow', () => {
  const frame = new Uint8Array(100_000).fill(0x43) // field 8 (unknown), wire type 3 (start group), again and again
  assert.throws(() => decodeFrame(frame, 1 << 20), (err: unknown) => {
    assert.ok(err instanceof WireError)
    assert.equal(err.reason, 'malformed')
    assert.doesNotMatch(err.message, /call stack/)
    assert.match(err.message, /nested deeper/)
    return true
  })
})

test('unknown group fields a future peer might add are still skipped', async () => {
  const e = await sealed(Y.encodeStateAsUpdate(new Y.Doc()))
  // field 20 start group { field 21 start group { field 1 varint 5 } end 21 } end 20
  const group = Uint8Array.of(0xa3, 0x01, 0xab, 0x01, 0x08, 0x05, 0xac, 0x01, 0xa4, 0x01)
  const bytes = new Uint8Array([...Envelope.encode(e), ...group])
  const decoded = decodeEnvelope(bytes, 1 << 20)
  assert.deepEqual(decoded, Envelope.decode(Envelope.encode(e)))
  assert.equal(GossipFrame.decode(GossipFrame.encode({ envelope: decoded })).envelope?.seq, 1)
})

test('a payload deleting an empty range is refused before it reaches a document', async () => {
  // A v1 update with no structs and one delete range of length 0 for client 42.
  const enc = encoding.createEncoder()
  for (const n of [0, 1, 42, 1, 0, 0]) encoding.writeVarUint(enc, n)
  const payload = encoding.toUint8Array(enc)
  // What validation has to prevent: Yjs parses it, then throws half-way through applying it.
  Y.decodeUpdate(payload)
  assert.throws(() => { Y.applyUpdate(new Y.Doc(), payload) }, /Unexpected case/)
  const verifier = { ed25519: nodeEd25519, clock: new HybridLogicalClock() }
  const envelope = Envelope.decode(Envelope.encode(await sealed(payload)))
  assert.throws(() => validateEnvelope(envelope, DOC, verifier),
    (err: unknown) => err instanceof WireError && err.reason === 'bad-update')
})

test('an item whose origin is a later struct of its own client is refused before it reaches a document', async () => {
  // A v1 update, client 5: item 5:0 "a" in root text "t", then item 5:1 "b" whose left origin is 5:7.
  const enc = encoding.createEncoder()
  for (const n of [1, 2, 5, 0]) encoding.writeVarUint(enc, n) // 1 client, 2 structs, client 5, from clock 0
  encoding.writeUint8(enc, 4) // ContentString, no origins: parent follows
  encoding.writeVarUint(enc, 1)
  encoding.writeVarString(enc, 't')
  encoding.writeVarString(enc, 'a')
  encoding.writeUint8(enc, 4 | 0x80) // ContentString with a left origin
  for (const n of [5, 7]) encoding.writeVarUint(enc, n)
  encoding.writeVarString(enc, 'b')
  encoding.writeVarUint(enc, 0) // empty delete set
  const payload = encoding.toUint8Array(enc)
  Y.decodeUpdate(payload)
  const doc = new Y.Doc()
  assert.throws(() => { Y.applyUpdate(doc, payload) }) // a TypeError from inside the struct store
  assert.equal(doc.getText('t').toString(), 'a', 'and the part before the throw went in')
  const verifier = { ed25519: nodeEd25519, clock: new HybridLogicalClock() }
  const envelope = Envelope.decode(Envelope.encode(await sealed(payload)))
  assert.throws(() => validateEnvelope(envelope, DOC, verifier),
    (err: unknown) => err instanceof WireError && err.reason === 'bad-update')
})

/** The update of the test above (an item whose origin is a later struct): Yjs decodes it, throws applying it. */
function laterOriginUpdate (): Uint8Array {
  const enc = encoding.createEncoder()
  for (const n of [1, 2, 5, 0]) encoding.writeVarUint(enc, n)
  encoding.writeUint8(enc, 4)
  encoding.writeVarUint(enc, 1)
  encoding.writeVarString(enc, 't')
  encoding.writeVarString(enc, 'a')
  encoding.writeUint8(enc, 4 | 0x80)
  for (const n of [5, 7]) encoding.writeVarUint(enc, n)
  encoding.writeVarString(enc, 'b')
  encoding.writeVarUint(enc, 0)
  return encoding.toUint8Array(enc)
}

test('a private document\'s decrypted payload Yjs cannot integrate whole is applied as empty, not half', async () => {
  // The gossip validator cannot parse a private payload (ciphertext); the replica must check it as
  // strictly after decrypting. Here the "decryption" hands over a writer's crafted update.
  const crafted = laterOriginUpdate()
  const access = {
    blind: false,
    decrypt: () => crafted,
    canRead: () => true,
    encrypt: () => undefined
  } as unknown as DocAccess
  const metrics = new Metrics()
  const replica = await Replica.load(DOC, {
    store: new Store(
      new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as LevelDb
    ),
    signer: new Signer(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(9)), nodeEd25519),
    clock: new HybridLogicalClock(),
    metrics,
    options: {
      batchWindowMs: 0, minSealIntervalMs: 0, maxEnvelopesPerSync: 64, checkpointEvery: 1000, retainAfterCheckpoint: 8
    }
  }, undefined, access)
  const envelope = await sealed(new Uint8Array(60))
  const result = replica.ingest(envelope, Envelope.encode(envelope))
  assert.equal(result, 'applied', 'the author\'s later envelopes are not stalled')
  assert.equal(replica.doc.getText('t').toString(), '', 'nothing of it went in')
  assert.equal(metrics.counter(METRIC.dropped, 'bad-update'), 1)
  await replica.close()
})

test('a link whose secret was cut off mid-character is a LinkError with a line a user can act on, ' +
  'not a bare SyntaxError (found by fuzz target invite-link)', () => {
  const link = formatLink({
    docId: 'weftfuzzdocumentaaaaaaaaaa', role: 'writer', secret: new Uint8Array(32).fill(1), peers: []
  })
  assert.equal(parseLink(link).secret?.byteLength, 32)
  // base32 of 32 bytes is 52 characters: cut anywhere, some lengths cannot be base32 at all
  for (let n = 1; n < 52; n++) {
    assert.throws(() => parseLink(link.slice(0, link.length - n)), LinkError, `cut by ${n}`)
  }
})
