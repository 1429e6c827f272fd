import * as Y from 'yjs'
import { mergeUpdates } from './merge-updates.js'
import { ObservableV2 } from 'lib0/observable'
import { logger } from '@libp2p/logger'
import { packHlc, type HybridLogicalClock } from '../clock/hlc.js'
import {
  Checkpoint, ENVELOPE_VERSION, Envelope, decodeCheckpoint, envelopeSigningBytes, isHeadProof
} from '../wire/codec.js'
import { VersionVector, authorHex, vectorFromWire } from './version-vector.js'
import { answerSync, signCheckpoint, type AnswerSource, type SyncAnswer } from './answer.js'
import { answerBlind } from './blind.js'
import { METRIC, type Metrics } from '../metrics/metrics.js'
import type { Store } from '../store/store.js'
import type { Signer } from '../identity/peer-key.js'
import type { DocAccess } from '../trust/doc-access.js'
import { Kind } from '../trust/aead.js'
import { checkUpdate, decodeEnds, endsMatch, structEnds } from '../sync/validate.js'
import { hlcHex, readHistory, readVersionAt, type HistoryEntry, type HistorySource } from './history.js'

const log = logger('weft:replica')
const EMPTY = new Uint8Array(0)
const MAX_HELD_ENVELOPES = 10_000
/** Fold the log into a checkpoint once this many payload bytes piled up behind the last one. */
const CHECKPOINT_BYTES = 64 * 1024

/** Origin of every update this engine applies, so the local-edit listener can tell them apart. */
export const REMOTE_ORIGIN = Symbol('weft:remote')

export interface ReplicaOptions {
  batchWindowMs: number
  /** Least time between two local envelopes: edits inside it ride the next one. */
  minSealIntervalMs: number
  maxEnvelopesPerSync: number
  checkpointEvery: number
  /** Envelopes kept per author behind a checkpoint, so small gaps can still be served as the authors' own envelopes. */
  retainAfterCheckpoint: number
  /**
   * 'full' (also when absent, as the engine's default): checkpoints keep the envelope log, for
   * history; 'none': they drop all but `retainAfterCheckpoint` envelopes per author.
   */
  history?: HistoryMode
}

export type HistoryMode = 'full' | 'none'

export interface ReplicaContext {
  store: Store
  signer: Signer
  clock: HybridLogicalClock
  metrics: Metrics
  options: ReplicaOptions
}

export interface ReplicaEvents {
  /** A local envelope is durable and may be published. */
  sealed: (bytes: Uint8Array, envelope: Envelope) => void
  /** The count of local envelopes no other peer is known to hold changed. */
  delivery: (unconfirmed: number) => void
  /** Envelopes arrived above a gap in some author's log. */
  gap: () => void
  /** An author signed two different envelopes for one seq: the pair proves it (src/trust/fork.ts). */
  fork: (proof: { a: Uint8Array, b: Uint8Array }) => void
}

export type { SyncAnswer } from './answer.js'

/**
 * One document: the Y.Doc, the log of envelopes that built it and the version
 * vector over that log. Invariant: the Y.Doc holds at least everything the
 * version vector covers (updates are applied before the vector advances), so a
 * merged update of the doc may always stand in for the envelopes it covers.
 */
/** An app-owned Y.Doc the replica takes over instead of creating its own. */
export interface AdoptedDoc {
  doc: Y.Doc
  /** Origin of the remote updates applied to it (a provider passes itself, as y-websocket does). */
  origin?: unknown
}

export class Replica extends ObservableV2<ReplicaEvents> {
  readonly doc: Y.Doc
  readonly vv = new VersionVector()
  /** Origin of every update this replica applies from the network. */
  readonly remoteOrigin: unknown
  /** Private documents: who may write, sign checkpoints and confirm (set by the engine at load). */
  access: DocAccess | undefined
  private readonly ownsDoc: boolean
  private localSeq = 0
  /** Highest local seq some other peer is known to hold (from its beacons and sync requests). */
  private confirmedSeq = 0
  private pendingUpdates: Uint8Array[] = []
  private sealScheduled = false
  private lastSealAt = 0
  private checkpointing: Promise<void> = Promise.resolve()
  private sealing: Promise<void> = Promise.resolve()
  private sinceCheckpoint = 0
  /** Payload bytes of the envelopes since the last checkpoint: batching makes envelope counts a poor measure. */
  private bytesSinceCheckpoint = 0
  private checkpointTimer: ReturnType<typeof setTimeout> | undefined
  private closed = false
  /** Envelopes waiting above a gap in their author's sequence: author -> seq -> envelope. */
  // `held` and `vouched` are created on first use: most documents never need them, and an empty
  // Map is ~180 bytes (times a thousand open documents).
  private held: Map<string, Map<number, { envelope: Envelope, bytes: Uint8Array }>> | undefined
  private heldCount = 0
  /**
   * Seqs the vector covers only on a checkpoint signer's word (the author signed the head, not
   * these): author -> [from, to]. A real envelope in that range is applied, never dropped as a
   * duplicate, so a checkpoint that omitted content cannot hide it for good.
   */
  private vouched: Map<string, { from: number, to: number }> | undefined
  /** Signatures of recent envelopes per author (seq -> hex), to spot an author signing two versions of one seq. */
  private readonly recentSignatures = new Map<string, Map<number, string>>()

  private constructor (readonly docId: string, private readonly ctx: ReplicaContext, adopted?: AdoptedDoc) {
    super()
    // The guid is the document's id (what Yjs means it to be, and the same on every replica),
    // not Yjs's default random UUID, which costs 31 getRandomValues calls (~0.1 ms per document).
    this.doc = adopted?.doc ?? new Y.Doc({ gc: true, guid: docId })
    this.ownsDoc = adopted === undefined
    this.remoteOrigin = adopted?.origin ?? REMOTE_ORIGIN
    this.doc.on('update', this.onDocUpdate)
  }

  /**
   * Rebuilds a document from its checkpoint and the envelopes stored after it. With
   * `adopted`, the stored state is applied into the app's own Y.Doc, and whatever that
   * doc already held beyond the store (edits made before it was opened, or while it
   * was not) is sealed as one local envelope, so exactly one copy lives in memory.
   */
  static async load (
    docId: string, ctx: ReplicaContext, adopted?: AdoptedDoc, access?: DocAccess, fresh = false
  ): Promise<Replica> {
    const replica = new Replica(docId, ctx, adopted)
    replica.access = access
    const appState = adopted !== undefined && adopted.doc.store.clients.size > 0
      ? Y.encodeStateAsUpdate(adopted.doc)
      : undefined
    if (fresh && appState === undefined) return replica.startFresh()
    const me = ctx.signer.author
    const updates: Uint8Array[] = []
    const checkpointBytes = await ctx.store.getCheckpoint(docId)
    const checkpoint = checkpointBytes === undefined ? undefined : decodeCheckpoint(checkpointBytes, Infinity)
    const blind = replica.blind
    // A private document's checkpoint under a key not opened (yet) is left for sync to replace.
    // A blind replica stored only a writer's checkpoint whose every claim came with its author's head.
    if (checkpoint !== undefined && (blind || access === undefined || access.canRead(checkpoint.update))) {
      if (!blind) updates.push(replica.plainCheckpoint(checkpoint))
      replica.vv.raiseTo(vectorFromWire(checkpoint.vv))
    }
    let ownHighest = replica.vv.get(me)
    for await (const { author, seq, bytes } of ctx.store.envelopesAbove(docId, replica.vector())) {
      if (author === me) ownHighest = Math.max(ownHighest, seq)
      // Stored envelopes are contiguous per author; anything else is left for sync to refetch.
      if (seq !== replica.vv.get(author) + 1) continue
      const envelope = Envelope.decode(bytes)
      // Without its epoch's key the chain stops here: applying it as empty would lose it for good.
      if (access !== undefined && !blind && !access.canRead(envelope.payload)) continue
      const payload = envelope.payload
      if (!blind) updates.push(replica.plain(envelope))
      replica.vv.add(author, seq)
      replica.sinceCheckpoint++
      replica.bytesSinceCheckpoint += payload.byteLength
    }
    // One transaction for the checkpoint and the whole tail: observers fire once, and it
    // measured faster than merging the updates first (95 ms vs 172 ms for 1.7 MB + 1,000).
    if (updates.length > 0) {
      const origin = replica.remoteOrigin
      // Yjs encodes a transaction's whole update for 'update' listeners, and ours ignores remote
      // ones: a doc of our own is seen by no one else yet, so load it unobserved (measured, one
      // 100,000-operation update into a fresh Y.Doc: 195 ms unobserved, 275 ms with a listener).
      if (replica.ownsDoc) replica.doc.off('update', replica.onDocUpdate)
      try {
        Y.transact(replica.doc, () => {
          for (const update of updates) Y.applyUpdate(replica.doc, update, origin)
        }, origin)
      } finally {
        if (replica.ownsDoc) replica.doc.on('update', replica.onDocUpdate)
      }
    }
    replica.localSeq = ownHighest
    if (appState !== undefined) {
      const stored = updates.length === 0 ? new Uint8Array([0]) : Y.encodeStateVectorFromUpdate(mergeUpdates(updates))
      const missing = Y.diffUpdate(appState, stored)
      if (!isEmptyUpdate(missing)) {
        replica.pendingUpdates.push(missing)
        replica.scheduleSeal()
      }
    }
    // A document with nothing stored yet is new here: list it (one write, not one per open).
    if (checkpointBytes === undefined && replica.vv.size === 0 && ownHighest === 0) await ctx.store.markDocument(docId)
    log('loaded %s: %d authors, %d envelopes after checkpoint', docId, replica.vv.size, replica.sinceCheckpoint)
    return replica
  }

  /**
   * A document this peer has just made up an id for (weft.create): nothing can be stored under
   * a fresh random id, so there is nothing to read. Its listing is queued, not awaited: store
   * writes commit in order, so it is durable no later than the first edit anyone is told is.
   */
  private startFresh (): Replica {
    void this.ctx.store.markDocument(this.docId).catch(() => {})
    log('created %s', this.docId)
    return this
  }

  /** Local envelopes (sealed or pending) that no other peer is known to hold. */
  get unconfirmed (): number {
    return this.localSeq - this.confirmedSeq + (this.pendingUpdates.length > 0 ? 1 : 0)
  }

  get author (): string {
    return this.ctx.signer.author
  }

  /**
   * A blind replica (this peer pins a private document it may not read): it checks signatures and
   * access on the plaintext headers, stores and serves the ciphertext as it came, and never holds
   * a content key, so its Y.Doc stays empty and it never makes a checkpoint of its own.
   */
  get blind (): boolean {
    return this.access?.blind === true
  }

  // ---- local edits -------------------------------------------------------

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this.remoteOrigin || origin === REMOTE_ORIGIN || this.closed) return
    const wasEmpty = this.pendingUpdates.length === 0
    this.pendingUpdates.push(update)
    if (wasEmpty) this.emit('delivery', [this.unconfirmed])
    this.scheduleSeal()
  }

  private scheduleSeal (): void {
    if (this.sealScheduled) return
    this.sealScheduled = true
    // Edits made while a seal is being written pile up and leave together in the next
    // envelope: batches grow exactly as much as the store and network lag behind.
    // The first edit after a pause leaves at once; under fast typing or a script, at most one
    // envelope per `minSealIntervalMs`, which bounds per-edit CPU on every receiver.
    const run = (): void => { this.sealing = this.sealing.then(this.seal, this.seal) }
    const { batchWindowMs, minSealIntervalMs } = this.ctx.options
    const wait = Math.max(batchWindowMs, this.lastSealAt + minSealIntervalMs - Date.now())
    if (wait > 0) setTimeout(run, wait)
    else queueMicrotask(run)
  }

  private readonly seal = async (): Promise<void> => {
    this.sealScheduled = false
    if (this.pendingUpdates.length === 0) return
    if (this.access !== undefined && this.access.epochs.currentId === undefined) {
      // No content key yet (a joiner before its first box): edits wait here, never leave in clear.
      setTimeout(() => { this.scheduleSeal() }, 100)
      return
    }
    this.lastSealAt = Date.now()
    const updates = this.pendingUpdates
    this.pendingUpdates = []
    const { signer, clock, store } = this.ctx
    const payload = (updates.length === 1 ? updates[0] : mergeUpdates(updates)) as Uint8Array<ArrayBuffer>
    const envelope: Envelope = {
      version: ENVELOPE_VERSION,
      docId: this.docId,
      author: signer.publicKey as Uint8Array<ArrayBuffer>,
      seq: ++this.localSeq,
      hlc: packHlc(clock.now()),
      payload,
      signature: EMPTY,
      payloadHash: EMPTY,
      ends: structEnds(payload)
    }
    if (this.access !== undefined) {
      // Encrypt-then-sign: blind replicas check authorship and access without the key.
      const sealed = this.access.encrypt(Kind.payload, envelope.payload, envelope.author, envelope.seq)
      envelope.payload = sealed as Uint8Array<ArrayBuffer>
    }
    envelope.signature = signer.sign(envelopeSigningBytes(envelope)) as Uint8Array<ArrayBuffer>
    const bytes = Envelope.encode(envelope)
    this.vv.add(signer.author, envelope.seq)
    this.remember(signer.author, envelope)
    // Durable before it is published: an edit is acknowledged once it is on disk here.
    await store.appendEnvelope(this.docId, signer.author, envelope.seq, bytes)
    await store.flush()
    this.ctx.metrics.inc(METRIC.envelopesOut)
    this.noteNewEnvelope(envelope.payload.byteLength)
    this.emit('sealed', [bytes, envelope])
  }

  /** Seals pending local edits; resolves once they and everything before them are durable. */
  async flush (): Promise<void> {
    do {
      this.sealing = this.sealing.then(this.seal, this.seal)
      await this.sealing
    } while (this.pendingUpdates.length > 0)
    await this.ctx.store.flush()
  }

  // ---- remote data -------------------------------------------------------

  /** True when nothing new can come from `(author, seq)`: false for seqs only a checkpoint vouched for. */
  has (author: string, seq: number): boolean {
    if (this.isVouched(author, seq)) return false
    return this.vv.has(author, seq) || (this.held?.get(author)?.has(seq) ?? false)
  }

  private isVouched (author: string, seq: number): boolean {
    const range = this.vouched?.get(author)
    return range !== undefined && seq >= range.from && seq <= range.to
  }

  /** True when `remote` holds something we do not. */
  isBehind (remote: ReadonlyMap<string, number>): boolean {
    return this.vv.isBehind(remote)
  }

  /** True when `remote` holds everything we hold. */
  isCoveredBy (remote: ReadonlyMap<string, number>): boolean {
    return this.vv.missingFrom(remote).length === 0
  }

  /** A string that changes whenever the version vector does. */
  vectorKey (): string {
    return JSON.stringify(this.vv.toRecord())
  }

  /** A copy of the version vector as it is now. */
  vector (): Map<string, number> {
    return new Map(this.vv.entries())
  }

  /** True while some author's envelopes wait above a gap. */
  hasGap (): boolean {
    return this.held !== undefined
  }

  /**
   * Takes an envelope that passed validation. Idempotent: an `(author, seq)`
   * already held changes nothing, whatever order envelopes arrive in.
   *
   * Each author's envelopes are applied in seq order; one that arrives above a
   * gap waits until the gap fills. Yjs can integrate updates out of order, but
   * with fully shuffled delivery its pending-update bookkeeping sometimes never
   * integrates what it set aside (measured: ~14% of 2-author, 40-update shuffles
   * on yjs 13.6; none with per-author order), so the order is enforced here.
   */
  ingest (envelope: Envelope, bytes: Uint8Array): 'applied' | 'duplicate' | 'held' {
    const author = authorHex(envelope.author)
    if (this.isVouched(author, envelope.seq)) return this.applyVouched(author, envelope, bytes)
    if (this.has(author, envelope.seq)) {
      if (this.differsFromHeld(envelope)) this.reportFork(envelope, bytes)
      else this.ctx.metrics.inc(METRIC.envelopesDuplicate)
      return 'duplicate'
    }
    if (envelope.seq !== this.vv.get(author) + 1) {
      this.hold(author, envelope, bytes)
      return 'held'
    }
    this.apply(author, envelope, bytes)
    this.releaseHeld(author)
    return 'applied'
  }

  private remember (author: string, envelope: Envelope): void {
    let byAuthor = this.recentSignatures.get(author)
    if (byAuthor === undefined) this.recentSignatures.set(author, byAuthor = new Map())
    byAuthor.set(envelope.seq, authorHex(envelope.signature))
    // Bounded like the envelopes kept behind a checkpoint; older forks are left to the store's copy.
    if (byAuthor.size > this.ctx.options.retainAfterCheckpoint) byAuthor.delete(byAuthor.keys().next().value as number)
  }

  /** True when `envelope` is not the one held for its (author, seq) (cheap: no signature check). */
  differsFromHeld (envelope: Envelope): boolean {
    const held = this.recentSignatures.get(authorHex(envelope.author))?.get(envelope.seq)
    return held !== undefined && held !== authorHex(envelope.signature)
  }

  /**
   * `envelope`, validly signed, differs from the held one: equivocation. The proof (both
   * encodings) is emitted as 'fork' once the held copy is read back from the store.
   */
  reportFork (envelope: Envelope, bytes: Uint8Array): void {
    const author = authorHex(envelope.author)
    this.ctx.metrics.inc(METRIC.dropped, 'equivocation')
    log('author %s signed two envelopes for seq %d of %s', author.slice(0, 8), envelope.seq, this.docId)
    void this.ctx.store.envelopeRange(this.docId, author, envelope.seq, envelope.seq).then(([a]) => {
      if (a !== undefined) this.emit('fork', [{ a, b: bytes }])
    }, () => {})
  }

  /**
   * The Yjs update an envelope carries: decrypted in a private document. A valid writer's envelope
   * that does not decrypt or parse, or whose signed struct ends misstate it, counts as applied and
   * empty (every key holder reaches the same verdict, thanks to key commitment), so that author's
   * later envelopes are not stalled.
   */
  plain (envelope: Envelope): Uint8Array {
    if (this.access === undefined) return envelope.payload
    const update = this.access.decrypt(Kind.payload, envelope.payload, envelope.author, envelope.seq)
    const ends = update === undefined ? undefined : checkedEnds(update)
    if (update !== undefined && ends !== undefined && endsMatch(envelope, ends)) return update
    this.ctx.metrics.inc(METRIC.dropped, 'bad-update')
    return EMPTY_UPDATE
  }

  plainCheckpoint (checkpoint: Checkpoint): Uint8Array {
    if (this.access === undefined) return checkpoint.update
    const update = this.access.decrypt(Kind.checkpoint, checkpoint.update, checkpoint.signer)
    if (update === undefined || !integrable(update)) throw new Error('checkpoint does not decrypt')
    return update
  }

  private apply (author: string, envelope: Envelope, bytes: Uint8Array): void {
    this.remember(author, envelope)
    if (!this.blind) Y.applyUpdate(this.doc, this.plain(envelope), this.remoteOrigin)
    this.vv.add(author, envelope.seq)
    // Our own envelope coming back (a restored backup of this identity): never reuse its seq.
    if (author === this.ctx.signer.author && envelope.seq > this.localSeq) this.localSeq = envelope.seq
    // Not awaited: a crash before this lands loses nothing acknowledged, because the
    // vector on disk will not cover the envelope and the next sync fetches it again.
    void this.ctx.store.appendEnvelope(this.docId, author, envelope.seq, bytes)
    this.ctx.metrics.inc(METRIC.envelopesIn)
    this.noteNewEnvelope(envelope.payload.byteLength)
  }

  /**
   * The author's own envelope for a seq a checkpoint vouched for: apply it (Yjs ignores what it
   * already holds) and keep it, so it can be served. If it changes the document, the checkpoint
   * had omitted it: counted, and the content is now here anyway.
   */
  private applyVouched (author: string, envelope: Envelope, bytes: Uint8Array): 'applied' | 'duplicate' {
    if (this.blind) {
      // Kept to be served: members tell for themselves whether the checkpoint had omitted it.
      void this.ctx.store.appendEnvelope(this.docId, author, envelope.seq, bytes)
      return 'applied'
    }
    let changed = false
    const onUpdate = (): void => { changed = true }
    this.doc.on('update', onUpdate)
    try {
      Y.applyUpdate(this.doc, this.plain(envelope), this.remoteOrigin)
    } finally {
      this.doc.off('update', onUpdate)
    }
    void this.ctx.store.appendEnvelope(this.docId, author, envelope.seq, bytes)
    if (!changed) return 'duplicate'
    this.ctx.metrics.inc(METRIC.dropped, 'checkpoint-omission')
    log('envelope %s/%d changed the document after a checkpoint vouched for it', author.slice(0, 8), envelope.seq)
    return 'applied'
  }

  private hold (author: string, envelope: Envelope, bytes: Uint8Array): void {
    if (this.heldCount >= MAX_HELD_ENVELOPES) {
      // Memory stays bounded; whatever is dropped here comes back through a sync pull.
      this.ctx.metrics.inc(METRIC.dropped, 'held-overflow')
      return
    }
    this.held ??= new Map()
    let byAuthor = this.held.get(author)
    if (byAuthor === undefined) this.held.set(author, byAuthor = new Map())
    byAuthor.set(envelope.seq, { envelope, bytes })
    this.heldCount++
    this.emit('gap', [])
  }

  /** Applies the envelopes of `author` that the vector now reaches, and forgets covered ones. */
  private releaseHeld (author: string): void {
    const byAuthor = this.held?.get(author)
    if (byAuthor === undefined) return
    for (const seq of [...byAuthor.keys()]) {
      if (seq <= this.vv.get(author)) { byAuthor.delete(seq); this.heldCount-- }
    }
    let next = byAuthor.get(this.vv.get(author) + 1)
    while (next !== undefined) {
      byAuthor.delete(next.envelope.seq)
      this.heldCount--
      this.apply(author, next.envelope, next.bytes)
      next = byAuthor.get(this.vv.get(author) + 1)
    }
    if (byAuthor.size > 0) return
    this.held?.delete(author)
    if (this.held?.size === 0) this.held = undefined
  }

  /**
   * Applies a validated merged update, and raises the vector only where its authors vouch for it.
   * The signer's claim "this stands for A up to s" moves `vv[A]` only with A's own validated
   * envelope at s among `heads` (whole, or its signed header alone: a head proof), and only if
   * the update reaches the end of that envelope's structs (Yjs keeps each client's structs
   * contiguous, so a head whose structs stay pending proves the update omitted A's earlier
   * content). Unproven claims are ignored: the content is applied, the vector stays, and A's
   * envelopes are pulled as usual.
   */
  async ingestCheckpoint (checkpoint: Checkpoint, heads: Envelope[] = []): Promise<'applied' | 'duplicate'> {
    const claims = vectorFromWire(checkpoint.vv)
    if (!this.vv.isBehind(claims)) return 'duplicate'
    if (this.blind) return await this.keepCheckpoint(checkpoint, heads)
    Y.applyUpdate(this.doc, this.plainCheckpoint(checkpoint), this.remoteOrigin)
    const proven = new Map<string, Envelope>()
    for (const head of heads) {
      const author = authorHex(head.author)
      if (claims.get(author) === head.seq && head.seq > this.vv.get(author)) proven.set(author, head)
    }
    let raised = 0
    /** Latest stamp among the heads of authors whose earlier envelopes only the checkpoint holds here. */
    let standsFor: bigint | undefined
    for (const [author, claim] of claims) {
      if (claim <= this.vv.get(author)) continue
      const head = proven.get(author)
      if (head === undefined) {
        this.ctx.metrics.inc(METRIC.dropped, 'unproven-head')
        continue
      }
      // A head proof carries no content: the update must already hold its structs. A whole
      // envelope is applied on top, and its structs must then integrate.
      const proof = isHeadProof(head)
      if (!(proof ? reaches(this.doc, decodeEnds(head.ends)) : this.appliesAfter(head))) {
        this.ctx.metrics.inc(METRIC.dropped, 'checkpoint-omission')
        log('checkpoint for %s omits content before %s/%d', this.docId, author.slice(0, 8), head.seq)
        continue
      }
      const from = this.vv.get(author) + 1
      /** The last seq whose envelope will not be held here: only the checkpoint vouches for it. */
      const to = proof ? head.seq : head.seq - 1
      const earlier = this.vouched?.get(author)?.from ?? from
      if (from <= to) {
        (this.vouched ??= new Map()).set(author, { from: Math.min(from, earlier), to })
        if (standsFor === undefined || head.hlc > standsFor) standsFor = head.hlc
      }
      this.vv.raiseTo([[author, head.seq]])
      this.keepHead(author, head)
      raised++
    }
    if (raised === 0) return 'duplicate'
    if (standsFor !== undefined && this.ctx.options.history !== 'none') {
      // History: these envelopes will never be held here, so the checkpoint stands in for them.
      void this.ctx.store.putHistoryBase(this.docId, hlcHex(standsFor), Checkpoint.encode(checkpoint))
    }
    for (const author of [...this.held?.keys() ?? []]) this.releaseHeld(author)
    const mine = this.vv.get(this.ctx.signer.author)
    if (mine > this.localSeq) this.localSeq = mine
    // The envelopes it covers are not stored here, so the state must be: write our own
    // checkpoint. Not awaited: until it lands, the vector on disk does not cover the merged
    // envelopes, so a crash only means fetching them again.
    this.checkpointing = this.writeCheckpoint().catch(err => {
      log.error('checkpoint of %s failed: %e', this.docId, err)
    })
    return 'applied'
  }

  /** Applies a checkpoint's whole head envelope; true when its structs integrate after the update. */
  private appliesAfter (head: Envelope): boolean {
    const update = this.plain(head)
    Y.applyUpdate(this.doc, update, this.remoteOrigin)
    return integrated(this.doc, update)
  }

  /** Keeps the head that raised the vector, to hand on with our own checkpoints. */
  private keepHead (author: string, head: Envelope): void {
    this.remember(author, head)
    const bytes = Envelope.encode(head)
    if (isHeadProof(head)) void this.ctx.store.putHeadProof(this.docId, author, bytes)
    else void this.ctx.store.appendEnvelope(this.docId, author, head.seq, bytes)
  }

  /**
   * A blind replica cannot read a checkpoint, so it keeps a writer's as it came, to serve it on.
   * It must then stand for everything the vector claims: taken only when every claim above ours
   * comes with its author's own head, and when it covers the checkpoint kept before (which it
   * replaces). Whether it omitted content is for the members who read it to tell (they do).
   */
  private async keepCheckpoint (checkpoint: Checkpoint, heads: Envelope[]): Promise<'applied' | 'duplicate'> {
    const claims = vectorFromWire(checkpoint.vv)
    const kept = await this.ctx.store.getCheckpoint(this.docId)
    if (kept !== undefined) {
      // A checkpoint that covers less of some author than the kept one would lose what it covers.
      const before = vectorFromWire(decodeCheckpoint(kept, Infinity).vv)
      if ([...before].some(([author, seq]) => (claims.get(author) ?? 0) < seq)) {
        this.ctx.metrics.inc(METRIC.dropped, 'checkpoint-not-newer')
        return 'duplicate'
      }
    }
    const proven = new Map<string, Envelope>()
    for (const head of heads) {
      const author = authorHex(head.author)
      if (claims.get(author) === head.seq) proven.set(author, head)
    }
    for (const [author, claim] of claims) {
      if (claim > this.vv.get(author) && !proven.has(author)) {
        this.ctx.metrics.inc(METRIC.dropped, 'unproven-head')
        return 'duplicate'
      }
    }
    await this.ctx.store.putCheckpoint(this.docId, Checkpoint.encode(checkpoint))
    for (const [author, head] of proven) {
      if (head.seq <= this.vv.get(author)) continue
      const from = this.vv.get(author) + 1
      const to = isHeadProof(head) ? head.seq : head.seq - 1
      if (from <= to) (this.vouched ??= new Map()).set(author, { from, to })
      this.vv.raiseTo([[author, head.seq]])
      this.keepHead(author, head)
    }
    for (const author of [...this.held?.keys() ?? []]) this.releaseHeld(author)
    return 'applied'
  }

  /** What a peer at `remote` (with Yjs state vector `remoteStateVector`) lacks. */
  async answer (
    remote: ReadonlyMap<string, number>, remoteStateVector: Uint8Array, requester?: string
  ): Promise<SyncAnswer> {
    // The requester is authenticated by the connection (Noise); in a private document only members confirm,
    // and only members (pinners included, who get ciphertext) are served content. Others get the control
    // ops and the vector (both in clear on gossip anyway): enough to redeem a link and come back as members.
    const member = this.access === undefined || (requester !== undefined && this.access.isMember(requester))
    if (!member) {
      this.ctx.metrics.inc(METRIC.dropped, 'not-a-member')
      return { envelopes: [] }
    }
    this.confirm(remote.get(this.ctx.signer.author) ?? 0)
    if (this.blind) return await answerBlind(this.answerSource, remote)
    // Everything the requester lacks goes in the reply, our own envelopes included: once it has
    // read the reply, it holds ours up to here.
    const own = this.localSeq
    const answer = await answerSync(this.answerSource, remote, remoteStateVector)
    return { ...answer, delivered: () => { this.confirm(own) } }
  }

  private get answerSource (): AnswerSource {
    const access = this.access
    return {
      docId: this.docId,
      vv: this.vv,
      ctx: this.ctx,
      diff: (stateVector) => {
        try {
          return Y.encodeStateAsUpdate(this.doc, stateVector)
        } catch {
          // A state vector Yjs cannot read: send everything (the receiver merges it idempotently).
          return Y.encodeStateAsUpdate(this.doc)
        }
      },
      // Private documents: checkpoints travel and rest encrypted, like envelopes.
      encrypt: access === undefined ? undefined : (update, signer) => access.encrypt(Kind.checkpoint, update, signer)
    }
  }

  /** A remote peer is known to hold our envelopes up to `seq`. */
  confirm (seq: number): void {
    if (seq <= this.confirmedSeq) return
    // Nobody can hold a seq this peer never wrote: such a claim is a lie, not a partial truth.
    if (seq > this.localSeq) {
      this.ctx.metrics.inc(METRIC.dropped, 'false-confirmation')
      return
    }
    this.confirmedSeq = Math.min(seq, this.localSeq)
    this.emit('delivery', [this.unconfirmed])
  }

  // ---- checkpoints -------------------------------------------------------

  /** Folds the log into one stored checkpoint and drops the envelopes it makes redundant. */
  async writeCheckpoint (): Promise<void> {
    clearTimeout(this.checkpointTimer)
    this.checkpointTimer = undefined
    // A blind replica has nothing to fold: it keeps every envelope, and writers' checkpoints.
    if (this.blind) return
    // Seal local edits first: a checkpoint holding an edit that never got an envelope
    // would hide that edit from every peer whose vector already matches ours.
    while (this.pendingUpdates.length > 0) await this.flush()
    const checkpoint = await signCheckpoint(this.answerSource)
    await this.ctx.store.putCheckpoint(this.docId, Checkpoint.encode(checkpoint))
    this.sinceCheckpoint = 0
    this.bytesSinceCheckpoint = 0
    this.ctx.metrics.inc(METRIC.checkpointsWritten)
    // With history kept, the checkpoint only speeds up loading: the log it stands for stays.
    if (this.ctx.options.history === 'none') {
      const keep = this.ctx.options.retainAfterCheckpoint
      for (const [author, seq] of this.vv.entries()) {
        if (seq - keep > 0) await this.ctx.store.deleteEnvelopesThrough(this.docId, author, seq - keep)
      }
    }
    await this.ctx.store.flush()
  }

  // ---- history ------------------------------------------------------------

  /** The stored log, oldest first; pending local edits are sealed first so they are in it. */
  async history (): Promise<HistoryEntry[]> {
    await this.flush()
    return await readHistory(this.historySource)
  }

  /** A fresh Y.Doc holding every stored envelope stamped at or before `time` (ms since the epoch). */
  async versionAt (time: number): Promise<Y.Doc> {
    await this.flush()
    return await readVersionAt(this.historySource, time)
  }

  private get historySource (): HistorySource {
    const readable = (envelope: Envelope): Uint8Array | undefined =>
      this.access === undefined || this.access.canRead(envelope.payload) ? this.plain(envelope) : undefined
    const readableCheckpoint = (checkpoint: Checkpoint): Uint8Array | undefined => {
      if (this.access !== undefined && !this.access.canRead(checkpoint.update)) return undefined
      try {
        return this.plainCheckpoint(checkpoint)
      } catch {
        return undefined
      }
    }
    return { docId: this.docId, store: this.ctx.store, readable, readableCheckpoint }
  }

  private checkpointDue (fraction = 1): boolean {
    return this.sinceCheckpoint >= this.ctx.options.checkpointEvery * fraction ||
      this.bytesSinceCheckpoint >= CHECKPOINT_BYTES * fraction
  }

  private noteNewEnvelope (payloadBytes: number): void {
    this.sinceCheckpoint++
    this.bytesSinceCheckpoint += payloadBytes
    if (this.checkpointDue() && this.checkpointTimer === undefined && !this.closed) {
      // Deferred so that a burst of edits finishes before the doc is encoded.
      this.checkpointTimer = setTimeout(() => {
        this.checkpointing = this.writeCheckpoint().catch(err => {
          log.error('checkpoint of %s failed: %e', this.docId, err)
        })
      }, 250)
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    // Stop taking edits at once (an adopted doc stays the app's): what was captured is still sealed below.
    this.doc.off('update', this.onDocUpdate)
    await this.checkpointing
    await this.flush()
    if (this.checkpointDue(0.25)) await this.writeCheckpoint()
    this.closed = true
    clearTimeout(this.checkpointTimer)
    this.doc.off('update', this.onDocUpdate)
    // An adopted doc is the app's: it stays usable (and its later edits reach the store
    // the next time it is opened).
    if (this.ownsDoc) this.doc.destroy()
  }
}

/** True when every struct of `update` is in `doc` (none waits in Yjs's pending set for missing history). */
/** True when the document holds every struct up to `ends` (Yjs keeps each client's structs contiguous). */
function reaches (doc: Y.Doc, ends: Map<number, number>): boolean {
  for (const [client, end] of ends) if (Y.getState(doc.store, client) < end) return false
  return true
}

function integrated (doc: Y.Doc, update: Uint8Array): boolean {
  return reaches(doc, Y.parseUpdateMeta(update).to)
}

const EMPTY_UPDATE = new Uint8Array([0, 0])

/**
 * A decrypted payload gets the checks an open document's gets in the gossip validator: not merely
 * that it decodes, but that Yjs can integrate all of it (a writer's crafted update would otherwise
 * throw half-way through applyUpdate and leave part of it in the document).
 */
function integrable (update: Uint8Array): boolean {
  return checkedEnds(update) !== undefined
}

/** Where an update Yjs can integrate whole ends, per client; undefined when it cannot. */
function checkedEnds (update: Uint8Array): Map<number, number> | undefined {
  try {
    return checkUpdate('decrypted payload', update)
  } catch {
    return undefined
  }
}

/** An update with no structs and an empty delete set (what a diff of equal docs encodes to). */
function isEmptyUpdate (update: Uint8Array): boolean {
  return update.byteLength <= 2 && update.every(b => b === 0)
}
