import { lpStream, Queue } from '@libp2p/utils'
import { logger } from '@libp2p/logger'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { isOffence } from '../net/peer-guard.js'
import { DeliveryAck, WIRE_VERSION, WireError, decodeDeliveryAck, dropReasonOf } from '../wire/codec.js'
import { METRIC, type Metrics } from '../metrics/metrics.js'
import { PROTOCOL } from '../defaults.js'
import { ON_LIMITED, openStream } from '../net/limited.js'
import { deadline } from '../util/deadline.js'

const log = logger('weft:ack')
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024

export interface AckContext {
  metrics: Metrics
  /** Resolves once everything applied so far is on disk: an ack may only claim what survives a crash. */
  flush: () => Promise<void>
  /** How far we hold `author`'s envelopes of `docId` (0 when the document is gone). */
  held: (docId: string, author: PeerId) => number
  /** `peer` says it holds our envelopes of `docId` up to `seq`. */
  confirmed: (peer: PeerId, docId: string, seq: number) => void
  /** Our clock now, packed: every ack carries it. */
  stamp: () => bigint
  /** A neighbour's clock when it sent its ack (throws `WireError` when out of range). */
  observeStamp: (hlc: bigint) => void
  /** How long acks gather before they go: one ack per author per burst, not one per envelope. */
  delayMs: number
  timeoutMs: number
  /** How long an ack may take to arrive once its stream is open. */
  requestReadTimeoutMs: number
  /** An ack no honest peer sends (undecodable, oversized): the peer guard counts it. */
  offence?: (peer: string, reason: string) => void
}

/**
 * Delivery confirmation, straight back to the author. A peer that received envelopes from
 * their author itself tells that author, over one short stream per batch, how far it holds
 * them. The author's "did my edit reach anyone?" is answered by its own neighbours, at a cost
 * that follows its neighbours; a gossiped beacon from every receiver reached every peer on
 * the topic, so confirmations grew with the square of the peers.
 */
export class DeliveryAcks {
  /** Per author peer: the documents whose envelopes we got from it since the last batch. */
  private pending = new Map<string, { peer: PeerId, docs: Set<string> }>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly queue = new Queue<void>({ concurrency: 8 })
  private running = false

  constructor (private readonly libp2p: Libp2p, private readonly ctx: AckContext) {}

  async start (): Promise<void> {
    await this.libp2p.handle(PROTOCOL.ack, this.serve, {
      maxInboundStreams: 64, maxOutboundStreams: 64, ...ON_LIMITED
    })
    this.running = true
  }

  async stop (): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    this.timer = undefined
    this.pending.clear()
    this.queue.clear()
    await this.libp2p.unhandle(PROTOCOL.ack).catch(() => {})
  }

  /** We applied envelopes of `docId` that `author` sent us itself: it will hear so in the next batch. */
  add (author: PeerId, docId: string): void {
    if (!this.running) return
    const key = author.toString()
    let entry = this.pending.get(key)
    if (entry === undefined) this.pending.set(key, entry = { peer: author, docs: new Set() })
    entry.docs.add(docId)
    this.timer ??= setTimeout(this.flush, this.ctx.delayMs)
  }

  private readonly flush = (): void => {
    this.timer = undefined
    const batch = this.pending
    this.pending = new Map()
    this.ctx.flush().then(() => {
      if (!this.running) return
      for (const { peer, docs } of batch.values()) {
        const entries = [...docs].map(docId => ({ docId, seq: this.ctx.held(docId, peer) })).filter(e => e.seq > 0)
        if (entries.length > 0) void this.queue.add(async () => { await this.send(peer, entries) }).catch(() => {})
      }
    }, err => { log.error('not acknowledging: store failed: %e', err) })
  }

  private async send (peer: PeerId, entries: Array<{ docId: string, seq: number }>): Promise<void> {
    // Only over a connection that is still open: an author that left learns from the next pull instead.
    if (this.libp2p.getConnections(peer).length === 0) return
    const limit = deadline(this.ctx.timeoutMs)
    const options = { signal: limit.signal }
    try {
      const stream = await openStream(this.libp2p, peer, PROTOCOL.ack, options)
      try {
        const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
        await lp.write(DeliveryAck.encode({ version: WIRE_VERSION, entries, hlc: this.ctx.stamp() }), options)
        await stream.close(options)
        this.ctx.metrics.inc(METRIC.acksOut)
      } catch (err) {
        stream.abort(err as Error)
        throw err
      }
    } catch (err: any) {
      log('ack to %p failed: %s', peer, err?.message ?? err)
    } finally {
      limit.clear()
    }
  }

  private readonly serve = async (stream: Stream, connection: Connection): Promise<void> => {
    const read = deadline(this.ctx.requestReadTimeoutMs)
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
      const ack = decodeDeliveryAck(await lp.read({ signal: read.signal }), MAX_MESSAGE_BYTES)
      if (ack.version !== WIRE_VERSION) throw new WireError('bad-version', `delivery ack version ${ack.version}`)
      this.ctx.metrics.inc(METRIC.acksIn)
      if (ack.hlc !== 0n) this.ctx.observeStamp(ack.hlc)
      for (const { docId, seq } of ack.entries) this.ctx.confirmed(connection.remotePeer, docId, seq)
      await stream.close({ signal: read.signal })
    } catch (err) {
      const reason = dropReasonOf(err)
      this.ctx.metrics.inc(METRIC.dropped, reason)
      log('ack from %p dropped: %s', connection.remotePeer, (err as Error)?.message ?? err)
      if (isOffence(reason)) this.ctx.offence?.(connection.remotePeer.toString(), reason)
      stream.abort(err as Error)
    } finally {
      read.clear()
    }
  }
}
