import { packHlc } from '../clock/hlc.js'
import {
  Checkpoint, ENVELOPE_VERSION, Envelope, WIRE_VERSION, checkpointSigningBytes, headProofOf
} from '../wire/codec.js'
import type { Store } from '../store/store.js'
import { countRanges, type VersionVector } from './version-vector.js'
import type { ReplicaContext } from './replica.js'

/** Envelope replies up to this size are sent without comparing them with a merged update. */
const SMALL_REPLY_BYTES = 4 * 1024
/** A reply of envelopes may cost this much more than the merged update before the merge wins. */
const ENVELOPE_OVERHEAD_ALLOWED = 1.5
const EMPTY = new Uint8Array(0)

export interface SyncAnswer {
  envelopes: Uint8Array[]
  checkpoint?: Checkpoint
  /**
   * With a checkpoint: the authors' own envelopes at the heads it claims. A checkpoint moves a
   * version-vector entry only as far as its author's own signature (see `Replica.ingestCheckpoint`).
   */
  heads?: Uint8Array[]
  /**
   * Called once the requester has read the whole reply (it closed its end cleanly after reading):
   * this peer's own edits up to the reply are then held by that peer, a delivery confirmation
   * that needs no announcement from it (see DocSync's skipped post-pull announcement).
   */
  delivered?: () => void
}

/** What answering a sync request needs: a vector, the stored log, and a way to make the merged diff. */
export interface AnswerSource {
  readonly docId: string
  readonly vv: VersionVector
  readonly ctx: ReplicaContext
  /** Everything held, minus what a peer whose Yjs state vector is `stateVector` has, as one update. */
  diff: (stateVector: Uint8Array | undefined) => Uint8Array | Promise<Uint8Array>
  /** Private documents: the merged update, encrypted for members (undefined when no key is held yet). */
  encrypt?: (update: Uint8Array, signer: Uint8Array) => Uint8Array | undefined
}

/**
 * The author's signature at `seq`, as small as it can travel beside a checkpoint (which holds its
 * content): a version-2 envelope's header, a version-1 envelope whole, or the head proof this peer
 * was itself given in place of the envelope.
 */
export async function headFor (
  store: Store, docId: string, author: string, seq: number
): Promise<Uint8Array | undefined> {
  const [bytes] = await store.envelopeRange(docId, author, seq, seq)
  const envelope = bytes !== undefined ? Envelope.decode(bytes) : await storedProof(store, docId, author)
  if (envelope?.seq !== seq) return undefined
  if (envelope.version !== ENVELOPE_VERSION) return bytes
  // Without its document id, which the reply names (the receiver puts it back before verifying).
  return Envelope.encode({ ...headProofOf(envelope), docId: '' })
}

async function storedProof (store: Store, docId: string, author: string): Promise<Envelope | undefined> {
  const proof = await store.getHeadProof(docId, author)
  return proof === undefined ? undefined : Envelope.decode(proof)
}

/** A checkpoint over everything `source` holds, signed by this peer. */
export async function signCheckpoint (source: AnswerSource, stateVector?: Uint8Array): Promise<Checkpoint> {
  const update = await source.diff(stateVector)
  const { signer, clock } = source.ctx
  const checkpoint: Checkpoint = {
    version: WIRE_VERSION,
    docId: source.docId,
    vv: source.vv.toWire(),
    hlc: packHlc(clock.now()),
    update: update as Uint8Array<ArrayBuffer>,
    signer: signer.publicKey as Uint8Array<ArrayBuffer>,
    signature: EMPTY
  }
  const sealed = source.encrypt?.(update, checkpoint.signer)
  if (sealed !== undefined) checkpoint.update = sealed as Uint8Array<ArrayBuffer>
  checkpoint.signature = signer.sign(checkpointSigningBytes(checkpoint)) as Uint8Array<ArrayBuffer>
  return checkpoint
}

/**
 * What a peer at `remote` (with Yjs state vector `remoteStateVector`) lacks: the authors' own
 * envelopes for a small gap, while they cost about what the merged diff does; one merged,
 * signed update for a large gap (or one whose envelopes were compacted away).
 */
export async function answerSync (
  source: AnswerSource, remote: ReadonlyMap<string, number>, remoteStateVector: Uint8Array
): Promise<SyncAnswer> {
  const missing = source.vv.missingFrom(remote)
  const count = countRanges(missing)
  if (count === 0) return { envelopes: [] }
  const withHeads = async (checkpoint: Checkpoint): Promise<SyncAnswer> => {
    // The authors' own signatures for what the checkpoint claims: without them it moves no vector.
    const heads: Uint8Array[] = []
    for (const { author, to } of missing) {
      const head = await headFor(source.ctx.store, source.docId, author, to)
      if (head !== undefined) heads.push(head)
    }
    return { envelopes: [], checkpoint, heads }
  }
  if (count <= source.ctx.options.maxEnvelopesPerSync) {
    const envelopes: Uint8Array[] = []
    for (const range of missing) {
      const found = await source.ctx.store.envelopeRange(source.docId, range.author, range.from, range.to)
      envelopes.push(...found)
      if (found.length !== range.to - range.from + 1) break
    }
    const bytes = envelopes.reduce((n, e) => n + e.byteLength, 0)
    if (envelopes.length === count) {
      if (bytes <= SMALL_REPLY_BYTES) return { envelopes }
      // Batched envelopes of single keystrokes can weigh ten times the merged diff.
      const checkpoint = await signCheckpoint(source, remoteStateVector)
      const cheapEnough = bytes <= checkpoint.update.byteLength * ENVELOPE_OVERHEAD_ALLOWED + 1024
      return cheapEnough ? { envelopes } : await withHeads(checkpoint)
    }
  }
  return await withHeads(await signCheckpoint(source, remoteStateVector))
}
