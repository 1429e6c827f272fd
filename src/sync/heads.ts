import { sha256 } from '@noble/hashes/sha2.js'
import { equals } from 'uint8arrays'
import { lpStream, Queue } from '@libp2p/utils'
import { logger } from '@libp2p/logger'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { isOffence } from '../net/peer-guard.js'
import { HeadsDigest, HeadsReply, WIRE_VERSION, WireError, decodeHeadsDigest, decodeHeadsReply } from '../wire/codec.js'
import { METRIC, type Metrics } from '../metrics/metrics.js'
import { PROTOCOL } from '../defaults.js'
import { ON_LIMITED, openStream } from '../net/limited.js'
import { deadline } from '../util/deadline.js'

const log = logger('weft:heads')
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024
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
 * Anti-entropy between neighbours, at a cost that follows neighbours rather than
 * documents: once per interval each peer sends each neighbour one digest over every
 * document they share. Equal digests (the idle case) end the exchange; otherwise the
 * neighbour answers with one short hash per shared document, and only the documents
 * whose hashes differ are pulled. This is what finds a lost last edit of an idle
 * document, instead of every document re-announcing its vector on a timer.
 */
export class HeadsExchange {
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly queue = new Queue<void>({ concurrency: 4 })
  private running = false

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
    await this.libp2p.unhandle(PROTOCOL.heads).catch(() => {})
  }

  private schedule (): void {
    if (!this.running) return
    // Jitter keeps neighbours from asking each other at the same instant.
    const delay = this.ctx.intervalMs * (0.75 + Math.random() * 0.5)
    this.timer = setTimeout(() => { this.round(); this.schedule() }, delay)
  }

  /** One exchange with every neighbour that shares a document with us. */
  round (): void {
    for (const peer of this.libp2p.getPeers()) {
      void this.queue.add(async () => { await this.exchange(peer) }).catch(() => {})
    }
  }

  async exchange (peer: PeerId): Promise<void> {
    const heads = this.ctx.sharedWith(peer)
    // Nothing in common: no stream (the shared set is computed once per exchange, not twice).
    if (heads.length === 0) return
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
          digest: digestOf(heads) as Uint8Array<ArrayBuffer>
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
    if (reply.same) return
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
      const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
      const request = decodeHeadsDigest(await lp.read({ signal: read.signal }), MAX_MESSAGE_BYTES)
      read.clear()
      if (request.version !== WIRE_VERSION) {
        throw new WireError('bad-version', `heads digest version ${request.version}`)
      }
      const heads = this.ctx.sharedWith(connection.remotePeer)
      const same = request.count === heads.length && equals(request.digest, digestOf(heads))
      const entries = same
        ? []
        : heads.map(h => ({ docId: h.docId, vectorHash: h.vectorHash as Uint8Array<ArrayBuffer> }))
      await lp.write(HeadsReply.encode({ version: WIRE_VERSION, same, entries }), options)
      await stream.close(options)
    } catch (err) {
      const reason = err instanceof WireError ? err.reason : 'malformed'
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
