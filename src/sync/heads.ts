import { sha256 } from '@noble/hashes/sha2.js'
import { equals } from 'uint8arrays'
import { lpStream, Queue } from '@libp2p/utils'
import { logger } from '@libp2p/logger'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { isOffence } from '../net/peer-guard.js'
import {
  HeadsDigest, HeadsReply, WIRE_VERSION, WireError, decodeHeadsDigest, decodeHeadsReply, dropReasonOf
} from '../wire/codec.js'
import { METRIC, type Metrics } from '../metrics/metrics.js'
import { PROTOCOL } from '../defaults.js'
import { ON_LIMITED, openStream } from '../net/limited.js'
import { deadline } from '../util/deadline.js'

const log = logger('weft:heads')
/** A heads reply lists every shared document: up to MAX_HEADS_ENTRIES of ~40 bytes. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024
/** A digest is ~40 bytes: anything much longer is no digest (and is not buffered to find out). */
const MAX_DIGEST_BYTES = 1024
const encoder = new TextEncoder()

/** One shared document as the exchange sees it. */
export interface SharedHead { docId: string, vectorHash: Uint8Array }

export interface HeadsContext {
  metrics: Metrics
  /** Documents held here that `peer` replicates too, each with a hash of its version vector. */
  sharedWith: (peer: PeerId) => SharedHead[]
  /** These documents differ between us and `peer`: time to pull from it. */
  differs: (peer: PeerId, docIds: string[]) => void
  intervalMs: number
  timeoutMs: number
  /** How long a digest may take to arrive once its stream is open. */
  requestReadTimeoutMs: number
  /** A digest no honest peer sends (undecodable, oversized): the peer guard counts it. */
  offence?: (peer: string, reason: string) => void
}

/** A short, stable hash of a version vector. */
export function vectorHash (vector: Iterable<[string, number]>): Uint8Array {
  const sorted = [...vector].filter(([, seq]) => seq > 0).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
  return sha256(encoder.encode(JSON.stringify(sorted))).subarray(0, 8)
}

function sameDigest (agreed: Agreement, digest: Uint8Array, count: number): boolean {
  return agreed.count === count && equals(agreed.digest, digest)
}

function digestOf (heads: SharedHead[]): Uint8Array {
  const sorted = [...heads].sort((a, b) => a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0)
  const h = sha256.create()
  for (const { docId, vectorHash } of sorted) {
    h.update(encoder.encode(docId))
    h.update(vectorHash)
  }
  return h.digest()
}

/**
 * A link whose two sides agreed is still checked this often (in intervals) though neither side
 * changed: a safety net, since agreeing again costs one stream.
 */
const QUIET_CHECK_INTERVALS = 10
/**
 * A side that was sent a digest other than its own asks back after this: while edits stream in, most
 * mismatches are an envelope still in flight on gossip, which has arrived by then (the answer is
 * then "same", and nobody pulls).
 */
const ASK_BACK_AFTER_MS = 1_000

/** What this side last agreed with one neighbour: the digest both held, and when. */
interface Agreement { digest: Uint8Array, count: number, at: number }

/**
 * Anti-entropy between neighbours, at a cost that follows neighbours rather than
 * documents: each peer sends each neighbour one digest over every document they share.
 * Equal digests end the exchange; otherwise the neighbour answers with one short hash per
 * shared document, and only the documents whose hashes differ are pulled. This is what
 * finds a lost last edit of an idle document, instead of every document re-announcing its
 * vector on a timer.
 *
 * A side only asks when its own digest moved since the two last agreed (or every
 * QUIET_CHECK_INTERVALS intervals): while nothing changes, a link costs no stream. A side
 * that missed an edit sees no change of its own, so a mismatching digest from the neighbour
 * that has it makes it ask back a second later: the side that asks is the side that pulls.
 * Measured at 100 peers in one process, asking every interval regardless was 160-200 heads
 * streams per 10 s of idle.
 */
export class HeadsExchange {
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly queue = new Queue<void>({ concurrency: 4 })
  private running = false
  /** Per neighbour: the digest we last agreed on. */
  private readonly agreed = new Map<string, Agreement>()
  /** Per neighbour: when we last asked it (an answer that mismatches asks back only if not just now). */
  private readonly askedAt = new Map<string, number>()
  /** Per neighbour: a pending ask-back after its digest differed from ours. */
  private readonly askingBack = new Map<string, ReturnType<typeof setTimeout>>()
  /**
   * Per neighbour: how many of its digests differed from ours. An exchange of ours that started
   * before one did may not record its "same" as an agreement: the neighbour showed more since.
   */
  private readonly mismatches = new Map<string, number>()

  constructor (private readonly libp2p: Libp2p, private readonly ctx: HeadsContext) {}

  async start (): Promise<void> {
    await this.libp2p.handle(PROTOCOL.heads, this.serve, {
      maxInboundStreams: 32, maxOutboundStreams: 32, ...ON_LIMITED
    })
    this.running = true
    this.schedule()
  }

  async stop (): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    this.queue.clear()
    this.agreed.clear()
    this.askedAt.clear()
    for (const timer of this.askingBack.values()) clearTimeout(timer)
    this.askingBack.clear()
    this.mismatches.clear()
    await this.libp2p.unhandle(PROTOCOL.heads).catch(() => {})
  }

  private schedule (): void {
    if (!this.running) return
    // Jitter keeps neighbours from asking each other at the same instant.
    const delay = this.ctx.intervalMs * (0.75 + Math.random() * 0.5)
    this.timer = setTimeout(() => { this.round(); this.schedule() }, delay)
  }

  /** One exchange with every neighbour that shares a document with us and where something moved. */
  round (): void {
    const peers = this.libp2p.getPeers()
    const current = new Set(peers.map(p => p.toString()))
    for (const map of [this.agreed, this.askedAt, this.mismatches]) {
      for (const key of map.keys()) if (!current.has(key)) map.delete(key)
    }
    for (const peer of peers) this.ask(peer, false)
  }

  private ask (peer: PeerId, always: boolean): void {
    void this.queue.add(async () => { await this.exchange(peer, always) }).catch(() => {})
  }

  /** `always`: even when our digest is still the one we last agreed on with `peer`. */
  async exchange (peer: PeerId, always = true): Promise<void> {
    const heads = this.ctx.sharedWith(peer)
    // Nothing in common: no stream (the shared set is computed once per exchange, not twice).
    if (heads.length === 0) return
    const key = peer.toString()
    const digest = digestOf(heads)
    const agreed = this.agreed.get(key)
    const quietFor = this.ctx.intervalMs * QUIET_CHECK_INTERVALS
    const unchanged = agreed !== undefined && Date.now() - agreed.at < quietFor &&
      sameDigest(agreed, digest, heads.length)
    if (!always && unchanged) return
    this.askedAt.set(key, Date.now())
    const mismatchesBefore = this.mismatches.get(key) ?? 0
    const limit = deadline(this.ctx.timeoutMs)
    const options = { signal: limit.signal }
    let reply: HeadsReply
    try {
      const stream = await openStream(this.libp2p, peer, PROTOCOL.heads, options)
      try {
        const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
        await lp.write(HeadsDigest.encode({
          version: WIRE_VERSION,
          count: heads.length,
          digest: digest as Uint8Array<ArrayBuffer>
        }), options)
        reply = decodeHeadsReply(await lp.read(options), MAX_MESSAGE_BYTES)
        await stream.close(options)
      } catch (err) {
        stream.abort(err as Error)
        throw err
      }
    } catch (err: any) {
      log('heads exchange with %p failed: %s', peer, err?.message ?? err)
      return
    } finally {
      limit.clear()
    }
    this.ctx.metrics.inc(METRIC.headsExchanges, reply.same ? 'same' : 'differ')
    if (reply.same) {
      if ((this.mismatches.get(key) ?? 0) === mismatchesBefore) {
        this.agreed.set(key, { digest, count: heads.length, at: Date.now() })
      }
      return
    }
    this.agreed.delete(key)
    const theirs = new Map(reply.entries.map(e => [e.docId, e.vectorHash]))
    const differing = heads.filter(h => {
      const other = theirs.get(h.docId)
      return other !== undefined && !equals(other, h.vectorHash)
    }).map(h => h.docId)
    if (differing.length > 0) this.ctx.differs(peer, differing)
  }

  private readonly serve = async (stream: Stream, connection: Connection): Promise<void> => {
    const limit = deadline(this.ctx.timeoutMs)
    const options = { signal: limit.signal }
    const read = deadline(this.ctx.requestReadTimeoutMs, limit.signal)
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_DIGEST_BYTES })
      const request = decodeHeadsDigest(await lp.read({ signal: read.signal }), MAX_DIGEST_BYTES)
      read.clear()
      if (request.version !== WIRE_VERSION) {
        throw new WireError('bad-version', `heads digest version ${request.version}`)
      }
      const peer = connection.remotePeer
      const key = peer.toString()
      const heads = this.ctx.sharedWith(peer)
      const digest = digestOf(heads)
      const same = request.count === heads.length && equals(request.digest, digest)
      const entries = same
        ? []
        : heads.map(h => ({ docId: h.docId, vectorHash: h.vectorHash as Uint8Array<ArrayBuffer> }))
      await lp.write(HeadsReply.encode({ version: WIRE_VERSION, same, entries }), options)
      await stream.close(options)
      if (same) {
        // Agreed: neither side needs to ask again until its own digest moves.
        this.agreed.set(key, { digest, count: heads.length, at: Date.now() })
      } else if (heads.length > 0) {
        // The neighbour may hold something we lack, and only the side that asks pulls: ask back soon,
        // unless we asked it moments ago (then at our next round: the agreement is gone).
        this.agreed.delete(key)
        this.mismatches.set(key, (this.mismatches.get(key) ?? 0) + 1)
        // Asked lately: within half an interval, and never less than two ask-back delays, or with a
        // short interval two sides still differing would keep asking each other back every second.
        const askedAt = this.askedAt.get(key)
        const lately = Math.max(this.ctx.intervalMs / 2, 2 * ASK_BACK_AFTER_MS)
        const askedLately = askedAt !== undefined && Date.now() - askedAt <= lately
        if (this.running && !askedLately && !this.askingBack.has(key)) {
          this.askingBack.set(key, setTimeout(() => {
            this.askingBack.delete(key)
            if (this.running) this.ask(peer, true)
          }, ASK_BACK_AFTER_MS))
        }
      }
    } catch (err) {
      const reason = dropReasonOf(err)
      this.ctx.metrics.inc(METRIC.dropped, reason)
      log('heads request from %p dropped: %s', connection.remotePeer, (err as Error)?.message ?? err)
      if (isOffence(reason)) this.ctx.offence?.(connection.remotePeer.toString(), reason)
      stream.abort(err as Error)
    } finally {
      read.clear()
      limit.clear()
    }
  }
}
