/**
 * Targets for the signed wire messages. Each runs the whole path outside bytes
 * take in weft: decode, validate (header, seq, clock, signature, Yjs parse) as
 * the gossip topic validator and the sync client do, then hand what passed to
 * a fresh replica exactly as they do. The steps mirror `Gossip.validate` and
 * `onMessage` (src/sync/gossip.ts) and `PullProtocol.pull` and `serve`
 * (src/sync/pull.ts), whose I/O parts need live streams.
 */
import { packHlc } from '../src/clock/hlc.js'
import {
  Beacon, Checkpoint, Envelope, GossipFrame, SyncRequest, SyncResponse, WIRE_VERSION, WireError,
  beaconSigningBytes, checkpointSigningBytes, decodeCheckpoint, decodeEnvelope, decodeFrame,
  decodeSyncRequest, decodeSyncResponse, envelopeSigningBytes, type VersionEntry
} from '../src/wire/codec.js'
import { authorHex, vectorFromWire } from '../src/replica/version-vector.js'
import { validateBeacon, validateCheckpoint, validateEnvelope } from '../src/sync/validate.js'
import type { Replica } from '../src/replica/replica.js'
import { DOC_ID, FROZEN_MS, OTHER_DOC_ID, type Fixture } from './fixture.js'
import { concat, mutate, varint } from './mutate.js'
import type { Rng } from './rng.js'
import { ACCEPTED, FuzzFailure, checkNoFault, refused, type Target, type Verdict } from './target.js'

/** The engine's defaults: gossip frames carry envelopes up to 1 MiB (+1 KiB of framing). */
const MAX_ENVELOPE_BYTES = 1024 * 1024
const FRAME_LIMIT = MAX_ENVELOPE_BYTES + 1024
const MAX_REQUEST_BYTES = 1024 * 1024
/** The engine allows 64 MiB replies; 4 MiB keeps oversize inputs cheap to build while still past every inner limit. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024

/** A declared refusal becomes a verdict; anything else propagates as a contract violation. */
export function verdictOf (err: unknown): Verdict {
  if (err instanceof WireError) {
    checkNoFault('WireError', err, err.reason === 'bad-update')
    return refused(err.reason)
  }
  throw err
}

async function guarded (step: () => Promise<Verdict> | Verdict): Promise<Verdict> {
  try {
    return await step()
  } catch (err) {
    return verdictOf(err)
  }
}

/** What a replica must survive once validation let an input through. */
async function mustNotThrow<T> (what: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (err: any) {
    throw new FuzzFailure(`validated ${what} broke the replica: ${err?.stack ?? err}`)
  }
}

// ---- structure-aware generators: mutate decoded fields, then seal again with the real key ----

function hlcEdge (rng: Rng): bigint {
  const now = Date.now()
  return rng.pick([
    0n, 1n, packHlc({ wall: FROZEN_MS, logical: rng.int(65536) }), BigInt(now + 30_000) << 16n,
    BigInt(now + 120_000) << 16n, (BigInt(2 ** 48 - 1) << 16n) | 0xffffn, 2n ** 63n, 2n ** 64n - 1n
  ])
}

function seqEdge (rng: Rng, seq: number): number {
  return rng.pick([0, 1, 2, seq - 1, seq + 1, seq + 2, 1000, 2 ** 31, 2 ** 32, 2 ** 53 - 1])
}

function authorEdge (rng: Rng, fx: Fixture): Uint8Array<ArrayBuffer> {
  const keys = [fx.author.publicKey, fx.receiver.publicKey, rng.bytes(32), rng.bytes(rng.pick([0, 31, 33, 64]))]
  return rng.pick(keys) as Uint8Array<ArrayBuffer>
}

function vectorEdge (rng: Rng, fx: Fixture, base: VersionEntry[]): VersionEntry[] {
  const n = rng.pick([0, 1, 2, 3, 40, base.length])
  const out: VersionEntry[] = []
  for (let i = 0; i < n; i++) {
    const from = base.length > 0 && rng.bool() ? rng.pick(base) : { author: authorEdge(rng, fx), seq: 1 }
    out.push({ author: from.author, seq: rng.bool(0.5) ? from.seq : seqEdge(rng, from.seq) })
  }
  return out
}

/** Yjs updates of every kind the seeds hold, for payload mutations and splices. */
function payloadEdge (rng: Rng, payloads: Uint8Array[], current: Uint8Array): Uint8Array<ArrayBuffer> {
  const choice = rng.int(6)
  if (choice === 0) return new Uint8Array(0)
  if (choice === 1) return rng.pick(payloads) as Uint8Array<ArrayBuffer>
  if (choice === 2) return rng.bytes(rng.int(64)) as Uint8Array<ArrayBuffer>
  return mutate(rng, current, payloads) as Uint8Array<ArrayBuffer>
}

function pickFields<T extends object> (rng: Rng, base: T, edits: { [K in keyof T]?: () => T[K] }): T {
  const out = { ...base }
  const keys = Object.keys(edits) as Array<keyof T>
  for (let n = 1 + rng.int(2); n > 0; n--) {
    const k = rng.pick(keys)
    out[k] = (edits[k] as () => T[keyof T])()
  }
  return out
}

function resealEnvelope (rng: Rng, fx: Fixture, payloads: Uint8Array[]): Envelope {
  const base = Envelope.decode(rng.pick(fx.envelopes))
  const e = pickFields(rng, base, {
    version: () => rng.pick([0, 1, 2, 3, 2 ** 32 - 1]),
    docId: () => rng.pick(['', OTHER_DOC_ID, DOC_ID.toUpperCase(), 'x'.repeat(5000)]),
    author: () => authorEdge(rng, fx),
    seq: () => seqEdge(rng, base.seq),
    hlc: () => hlcEdge(rng),
    payload: () => payloadEdge(rng, payloads, base.payload),
    // A head proof's hash where a payload is (or is not): signed over the hash, not the payload.
    payloadHash: () => rng.bytes(rng.pick([0, 31, 32, 33])) as Uint8Array<ArrayBuffer>,
    ends: () => rng.bytes(rng.pick([0, 1, 3, 9, 40])) as Uint8Array<ArrayBuffer>
  })
  // Usually signed again (so the input gets past the signature check), sometimes left as it was.
  if (rng.bool(0.9)) e.signature = fx.author.sign(envelopeSigningBytes(e)) as Uint8Array<ArrayBuffer>
  return e
}

function resealCheckpoint (rng: Rng, fx: Fixture, payloads: Uint8Array[]): Checkpoint {
  const base = Checkpoint.decode(rng.pick(fx.checkpoints))
  const c = pickFields(rng, base, {
    version: () => rng.pick([0, 2]),
    docId: () => rng.pick(['', OTHER_DOC_ID]),
    vv: () => vectorEdge(rng, fx, base.vv),
    hlc: () => hlcEdge(rng),
    update: () => payloadEdge(rng, payloads, base.update),
    signer: () => authorEdge(rng, fx)
  })
  if (rng.bool(0.9)) c.signature = fx.author.sign(checkpointSigningBytes(c)) as Uint8Array<ArrayBuffer>
  return c
}

function resealBeacon (rng: Rng, fx: Fixture): Beacon {
  const base = Beacon.decode(fx.beacons[0])
  const b = pickFields(rng, base, {
    version: () => rng.pick([0, 2]),
    docId: () => rng.pick(['', OTHER_DOC_ID]),
    signer: () => authorEdge(rng, fx),
    hlc: () => hlcEdge(rng),
    vv: () => vectorEdge(rng, fx, base.vv)
  })
  if (rng.bool(0.9)) b.signature = fx.author.sign(beaconSigningBytes(b)) as Uint8Array<ArrayBuffer>
  return b
}

/** Encoding rejects some field values outright (a seq past 2^53): then fall back to byte mutations. */
function encodeOr (encode: () => Uint8Array, fallback: () => Uint8Array): Uint8Array {
  try {
    return encode()
  } catch {
    return fallback()
  }
}

// ---- the paths ---------------------------------------------------------------

async function takeEnvelope (fx: Fixture, envelope: Envelope, bytes: Uint8Array): Promise<Verdict> {
  fx.verifier.clock.receive(validateEnvelope(envelope, DOC_ID, fx.verifier))
  const replica = await fx.freshReplica()
  await mustNotThrow('envelope', () => replica.ingest(envelope, bytes))
  return ACCEPTED
}

async function takeCheckpoint (fx: Fixture, checkpoint: Checkpoint): Promise<Verdict> {
  fx.verifier.clock.receive(validateCheckpoint(checkpoint, DOC_ID, fx.verifier))
  const replica = await fx.freshReplica()
  await mustNotThrow('checkpoint', async () => await replica.ingestCheckpoint(checkpoint))
  return ACCEPTED
}

/** What the engine does with an accepted beacon (engine.ts onBeacon) short of dialling. */
function takeBeacon (fx: Fixture, beacon: Beacon): Verdict {
  fx.verifier.clock.receive(validateBeacon(beacon, DOC_ID, fx.verifier))
  const remote = vectorFromWire(beacon.vv)
  fx.served.confirm(remote.get(fx.served.author) ?? 0)
  fx.served.vv.missingFrom(remote)
  fx.served.vv.isBehind(remote)
  return ACCEPTED
}

/** Gossip.validate, then Gossip.onMessage. */
async function takeFrame (fx: Fixture, bytes: Uint8Array): Promise<Verdict> {
  const frame = decodeFrame(bytes, FRAME_LIMIT)
  if (frame.envelope != null) {
    const e = frame.envelope
    // The duplicate shortcut runs on unvalidated fields: it must cope with any of them.
    const known = Number.isSafeInteger(e.seq) && e.author.byteLength === 32 && fx.served.has(authorHex(e.author), e.seq)
    if (known) return refused('duplicate')
    return await takeEnvelope(fx, e, Envelope.encode(e))
  }
  // A control op (private documents) on this open document's topic: refused as Gossip.check does.
  if (frame.control != null) throw new WireError('malformed', 'control op on an open document')
  return takeBeacon(fx, frame.beacon as Beacon)
}

export function wireTargets (fx: Fixture): Target[] {
  const payloads = fx.envelopes.map(e => Envelope.decode(e).payload)
  const allSeeds = [
    ...fx.envelopes, ...fx.checkpoints, ...fx.beacons, ...fx.frames, ...fx.syncRequests, ...fx.syncResponses
  ]
  /** Now and then a valid message of another type: type confusion at the message level. */
  const seedOrForeign = (rng: Rng, own: Uint8Array[]): Uint8Array => rng.bool(0.05) ? rng.pick(allSeeds) : rng.pick(own)
  const bytesOf = (rng: Rng, own: Uint8Array[], maxBytes: number): Uint8Array =>
    mutate(rng, seedOrForeign(rng, own), allSeeds, { protobuf: true, oversizeTo: maxBytes })

  return [
    {
      name: 'envelope',
      maxBytes: MAX_ENVELOPE_BYTES,
      viewCheck: true,
      generate: (rng) => rng.bool(0.3)
        ? encodeOr(() => Envelope.encode(resealEnvelope(rng, fx, payloads)),
          () => bytesOf(rng, fx.envelopes, MAX_ENVELOPE_BYTES))
        : bytesOf(rng, fx.envelopes, MAX_ENVELOPE_BYTES),
      // As the sync client takes each envelope of a reply.
      run: async (input) => await guarded(async () =>
        await takeEnvelope(fx, decodeEnvelope(input, MAX_ENVELOPE_BYTES), input))
    },
    {
      name: 'checkpoint',
      maxBytes: MAX_RESPONSE_BYTES,
      viewCheck: true,
      generate: (rng) => rng.bool(0.3)
        ? encodeOr(() => Checkpoint.encode(resealCheckpoint(rng, fx, payloads)),
          () => bytesOf(rng, fx.checkpoints, MAX_RESPONSE_BYTES))
        : bytesOf(rng, fx.checkpoints, MAX_RESPONSE_BYTES),
      run: async (input) => await guarded(async () =>
        await takeCheckpoint(fx, decodeCheckpoint(input, MAX_RESPONSE_BYTES)))
    },
    {
      name: 'beacon',
      viewCheck: true,
      // Beacons only travel in gossip frames: mutate the beacon, then frame it correctly.
      generate: (rng) => {
        const beacon = rng.bool(0.3)
          ? encodeOr(() => Beacon.encode(resealBeacon(rng, fx)),
            () => mutate(rng, fx.beacons[0], allSeeds, { protobuf: true }))
          : mutate(rng, seedOrForeign(rng, fx.beacons), allSeeds, { protobuf: true })
        return concat(Uint8Array.of(0x12), varint(BigInt(beacon.length)), beacon)
      },
      run: async (input) => await guarded(async () => await takeFrame(fx, input))
    },
    {
      name: 'gossip-frame',
      maxBytes: FRAME_LIMIT,
      viewCheck: true,
      generate: (rng) => {
        if (rng.bool(0.2)) {
          // Both fields, or a resealed envelope inside a frame.
          const envelope = resealEnvelope(rng, fx, payloads)
          const both = { envelope, beacon: Beacon.decode(fx.beacons[0]) }
          return encodeOr(() => GossipFrame.encode(rng.bool() ? { envelope } : both),
            () => bytesOf(rng, fx.frames, FRAME_LIMIT))
        }
        return bytesOf(rng, fx.frames, FRAME_LIMIT)
      },
      run: async (input) => await guarded(async () => await takeFrame(fx, input))
    },
    {
      name: 'sync-request',
      maxBytes: MAX_REQUEST_BYTES,
      viewCheck: true,
      generate: (rng) => {
        if (rng.bool(0.3)) {
          const base = SyncRequest.decode(rng.pick(fx.syncRequests))
          const request = pickFields(rng, base, {
            version: () => rng.pick([0, 2]),
            docId: () => rng.pick(['', OTHER_DOC_ID, 'x'.repeat(300)]),
            vv: () => vectorEdge(rng, fx, base.vv),
            stateVector: () => payloadEdge(rng, [base.stateVector, ...payloads], base.stateVector)
          })
          return encodeOr(() => SyncRequest.encode(request), () => bytesOf(rng, fx.syncRequests, MAX_REQUEST_BYTES))
        }
        return bytesOf(rng, fx.syncRequests, MAX_REQUEST_BYTES)
      },
      // PullProtocol.serve after the read: decode, version, look up the document, answer, encode.
      run: async (input) => await guarded(async () => {
        const request = decodeSyncRequest(input, MAX_REQUEST_BYTES)
        if (request.version !== WIRE_VERSION) {
          throw new WireError('bad-version', `sync request version ${request.version}`)
        }
        if (request.docId !== DOC_ID) return refused('unknown-document')
        const answer = await mustNotThrow('sync request', async () =>
          await fx.served.answer(vectorFromWire(request.vv), request.stateVector))
        SyncResponse.encode({
          version: WIRE_VERSION,
          docId: request.docId,
          envelopes: answer.envelopes as Array<Uint8Array<ArrayBuffer>>,
          checkpoint: answer.checkpoint,
          vv: fx.served.vv.toWire(),
          error: ''
        })
        return ACCEPTED
      })
    },
    {
      name: 'sync-response',
      maxBytes: MAX_RESPONSE_BYTES,
      viewCheck: true,
      generate: (rng) => {
        if (rng.bool(0.3)) {
          const envelopes = Array.from({ length: rng.pick([0, 1, 2, 5]) }, () =>
            rng.bool()
              ? rng.pick(fx.envelopes)
              : encodeOr(() => Envelope.encode(resealEnvelope(rng, fx, payloads)), () => rng.bytes(8)))
          const response = pickFields(rng, SyncResponse.decode(rng.pick(fx.syncResponses)), {
            envelopes: () => envelopes as Array<Uint8Array<ArrayBuffer>>,
            checkpoint: () => rng.bool(0.8) ? resealCheckpoint(rng, fx, payloads) : undefined,
            vv: () => vectorEdge(rng, fx, []),
            error: () => rng.pick(['', 'x'])
          })
          return encodeOr(() => SyncResponse.encode(response), () => bytesOf(rng, fx.syncResponses, MAX_RESPONSE_BYTES))
        }
        return bytesOf(rng, fx.syncResponses, MAX_RESPONSE_BYTES)
      },
      run: async (input) => await guarded(async () => await takeResponse(fx, input))
    }
  ]
}

/** PullProtocol.pull after the read: every item is validated alone, and a bad one is dropped, not fatal. */
async function takeResponse (fx: Fixture, raw: Uint8Array): Promise<Verdict> {
  const response = decodeSyncResponse(raw, MAX_RESPONSE_BYTES)
  if (response.error !== '') return refused('peer-refused')
  if (response.docId !== DOC_ID) throw new WireError('wrong-document', 'sync reply for another document')
  const remote = vectorFromWire(response.vv)
  // Made on first use: most mutated replies never get that far, and a replica costs a store.
  let made: Replica | undefined
  const replica = async (): Promise<Replica> => (made ??= await fx.freshReplica())
  let dropped: string | undefined
  if (response.checkpoint != null) {
    try {
      fx.verifier.clock.receive(validateCheckpoint(response.checkpoint, DOC_ID, fx.verifier))
      const checkpoint = response.checkpoint
      const r = await replica()
      await mustNotThrow('checkpoint in a sync reply', async () => await r.ingestCheckpoint(checkpoint))
    } catch (err) {
      dropped = (verdictOf(err) as { reason: string }).reason
    }
  }
  for (const bytes of response.envelopes) {
    try {
      const envelope = decodeEnvelope(bytes, MAX_RESPONSE_BYTES)
      fx.verifier.clock.receive(validateEnvelope(envelope, DOC_ID, fx.verifier))
      const r = await replica()
      await mustNotThrow('envelope in a sync reply', () => r.ingest(envelope, bytes))
    } catch (err) {
      dropped ??= (verdictOf(err) as { reason: string }).reason
    }
  }
  made?.confirm(remote.get(made.author) ?? 0)
  // Parts dropped: the reply as a whole was still taken, and the counts show why the parts were not.
  return dropped === undefined ? ACCEPTED : refused(`item:${dropped}`)
}
