import * as Y from 'yjs'
import { equals } from 'uint8arrays'
import { lpStream, RateLimiter } from '@libp2p/utils'
import { logger } from '@libp2p/logger'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import {
  SyncRequest, SyncResponse, WIRE_VERSION, WireError, dropReasonOf, isHeadProof, type Checkpoint, type Envelope,
  decodeEnvelope, decodeSyncRequest, decodeSyncResponse
} from '../wire/codec.js'
import { peerAuthor, vectorFromWire, type VersionVector } from '../replica/version-vector.js'
import { stampOf, validateCheckpoint, validateEnvelope, validateHead, type Verifier } from './validate.js'
import { packHlc } from '../clock/hlc.js'
import { METRIC, type Metrics } from '../metrics/metrics.js'
import type { Replica } from '../replica/replica.js'
import type { SyncAnswer } from '../replica/answer.js'
import { PROTOCOL } from '../defaults.js'
import { ON_LIMITED, openStream } from '../net/limited.js'
import { checkCheckpointSigner, checkReadable, checkWrite } from '../trust/policy.js'
import { isOffence } from '../net/peer-guard.js'
import { deadline } from '../util/deadline.js'

const log = logger('weft:sync')

export const SYNC_PROTOCOL = PROTOCOL.sync

const MAX_REQUEST_BYTES = 1024 * 1024
const EMPTY = new Uint8Array(0)

export interface PullContext {
  verifier: Verifier
  metrics: Metrics
  /** Who answers for a document: its replica, or its stored state while it is unloaded. */
  responderFor: (docId: string) => SyncResponder | undefined
  maxEnvelopeBytes: number
  maxSyncResponseBytes: number
  /** Bounds one whole request/response exchange. */
  timeoutMs: number
  /** Sync requests served per peer per second before refusing. */
  servedPerPeerPerSecond: number
  /** How long a request may take to arrive once its stream is open. */
  requestReadTimeoutMs: number
  /** A request no honest peer sends (undecodable, oversized): the peer guard counts it. */
  offence?: (peer: string, reason: string) => void
  /** We answered `peer`'s request for `docId`: what it showed it holds (see DocSync, invariant 6). */
  served?: (docId: string, peer: PeerId, remote: Map<string, number>, controlDiffers: boolean) => void
}

/** What serving a sync request needs of a document. */
export interface SyncResponder {
  readonly vv: VersionVector
  /** Private documents: the access state whose control ops go first in every reply. */
  readonly access?: { encodedOps: () => Uint8Array[], digest: () => Uint8Array }
  /** `requester`: the requester's key (hex), as the connection authenticated it. */
  answer: (
    remote: ReadonlyMap<string, number>, remoteStateVector: Uint8Array, requester?: string
  ) => Promise<SyncAnswer>
  /** Resolves once everything the answer's vector claims is durable. */
  flush: () => Promise<void>
}

export interface PullResult {
  envelopes: number
  checkpoint: boolean
  bytes: number
  dropped: number
  /** The responder's vector after it answered. */
  remote: Map<string, number>
}

/**
 * The catch-up protocol: one length-prefixed protobuf request carrying the
 * requester's version vector and Yjs state vector, one response carrying what
 * is missing — the authors' own envelopes for a small gap, one merged update
 * (a checkpoint) for a large one — then the stream closes.
 */
export class PullProtocol {
  private readonly limiter: RateLimiter

  constructor (private readonly libp2p: Libp2p, private readonly ctx: PullContext) {
    this.limiter = new RateLimiter({ points: ctx.servedPerPeerPerSecond, duration: 1 })
  }

  async start (): Promise<void> {
    // Also through relays (see src/net/limited.ts): a document syncs where no direct path exists.
    await this.libp2p.handle(SYNC_PROTOCOL, this.serve, {
      maxInboundStreams: 128, maxOutboundStreams: 128, ...ON_LIMITED
    })
  }

  async stop (): Promise<void> {
    await this.libp2p.unhandle(SYNC_PROTOCOL)
  }

  /** Asks `peer` for what `replica` lacks and applies it. */
  async pull (peer: PeerId, replica: Replica, signal?: AbortSignal): Promise<PullResult> {
    const limit = deadline(this.ctx.timeoutMs, signal)
    const options = { signal: limit.signal }
    let raw
    try {
      const stream = await openStream(this.libp2p, peer, SYNC_PROTOCOL, options)
      try {
        const lp = lpStream(stream, { maxDataLength: this.ctx.maxSyncResponseBytes })
        await lp.write(SyncRequest.encode({
          version: WIRE_VERSION,
          docId: replica.docId,
          vv: replica.vv.toWire(),
          stateVector: Y.encodeStateVector(replica.doc) as Uint8Array<ArrayBuffer>,
          controlDigest: (replica.access?.digest() ?? EMPTY) as Uint8Array<ArrayBuffer>,
          hlc: this.stamp()
        }), options)
        raw = await lp.read(options)
        await stream.close(options)
      } catch (err) {
        stream.abort(err as Error)
        throw err
      }
    } finally {
      limit.clear()
    }
    this.ctx.metrics.inc(METRIC.syncPulls)
    this.ctx.metrics.inc(METRIC.syncBytesIn, '', raw.byteLength)
    const response = decodeSyncResponse(raw, this.ctx.maxSyncResponseBytes)
    this.observeClock('sync reply', response.hlc)
    if (response.error !== '') throw new Error(`peer refused sync of ${replica.docId}: ${response.error}`)
    if (response.docId !== replica.docId) {
      throw new WireError('wrong-document', `sync reply is for ${response.docId.slice(0, 40)}`)
    }
    const result: PullResult = {
      envelopes: 0,
      checkpoint: false,
      bytes: raw.byteLength,
      dropped: 0,
      // No vector beside a checkpoint means the checkpoint's (the responder sends it once).
      remote: vectorFromWire(
        response.vv.length === 0 && response.checkpoint != null ? response.checkpoint.vv : response.vv)
    }
    // Control ops first: the envelopes below are judged by the ACL they make.
    const access = replica.access
    for (const bytes of access === undefined ? [] : response.control) {
      try {
        access?.receive(bytes)
      } catch (err) {
        result.dropped++
        this.dropped(err, peer, 'control op')
      }
    }
    if (response.checkpoint != null) {
      try {
        this.ctx.verifier.clock.receive(validateCheckpoint(response.checkpoint, replica.docId, this.ctx.verifier))
        checkCheckpointSigner(replica.access, response.checkpoint.signer)
        const heads = this.validHeads(response.heads, replica, peer)
        result.checkpoint = (await replica.ingestCheckpoint(response.checkpoint, heads)) === 'applied'
      } catch (err) {
        result.dropped++
        this.dropped(err, peer, 'checkpoint')
      }
    }
    for (const bytes of response.envelopes) {
      try {
        const envelope = decodeEnvelope(bytes, this.ctx.maxSyncResponseBytes)
        this.ctx.verifier.clock.receive(validateEnvelope(envelope, replica.docId, this.ctx.verifier))
        checkWrite(replica.access, envelope)
        checkReadable(replica.access, envelope)
        if (replica.ingest(envelope, bytes) === 'applied') result.envelopes++
      } catch (err) {
        result.dropped++
        this.dropped(err, peer, 'envelope')
      }
    }
    replica.confirm(result.remote.get(replica.author) ?? 0)
    log('pulled %s from %p: %d envelopes, checkpoint %s, %d bytes, %d dropped',
      replica.docId, peer, result.envelopes, result.checkpoint, result.bytes, result.dropped)
    return result
  }

  /** The authors' own envelopes that vouch for a checkpoint's heads; invalid ones are dropped. */
  private validHeads (heads: Uint8Array[], replica: Replica, peer: PeerId): Envelope[] {
    const valid: Envelope[] = []
    for (const bytes of heads) {
      try {
        const head = decodeEnvelope(bytes, this.ctx.maxSyncResponseBytes)
        // A proof travels without its document id: the reply names it (the signature covers it).
        if (isHeadProof(head) && head.docId === '') head.docId = replica.docId
        validateHead(head, replica.docId, this.ctx.verifier)
        checkWrite(replica.access, head)
        // A proof carries no content to read: the checkpoint it vouches for holds it.
        if (!isHeadProof(head)) checkReadable(replica.access, head)
        valid.push(head)
      } catch (err) {
        this.dropped(err, peer, 'checkpoint head')
      }
    }
    return valid
  }

  /**
   * Both sides of a sync exchange stamp it when they send: a peer whose clock runs far ahead
   * hears so from whoever it syncs with (edits that travel by pull bring no ack to stamp).
   */
  private observeClock (what: string, packed: bigint): void {
    if (packed !== 0n) this.ctx.verifier.clock.observeFresh(stampOf(what, packed))
  }

  /** Our clock now, packed, for a request or reply we are about to send. */
  private stamp (): bigint {
    return packHlc(this.ctx.verifier.clock.now())
  }

  private dropped (err: unknown, peer: PeerId, what: string): void {
    const reason = err instanceof WireError ? err.reason : 'bad-update'
    this.ctx.metrics.inc(METRIC.dropped, reason)
    log('dropped %s from %p in sync reply: %s: %s', what, peer, reason, (err as Error)?.message ?? err)
  }

  private readonly serve = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    const limit = deadline(this.ctx.timeoutMs)
    const options = { signal: limit.signal }
    try {
      try {
        this.limiter.consume(peer.toString())
      } catch {
        throw new WireError('rate-limited', 'too many sync requests')
      }
      const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
      let request: SyncRequest
      // A request that does not decode is a WireError; one that never arrives whole (the stream
      // ended, stalled or was reset) is no offence (dropReasonOf below): links break under honest peers.
      const read = deadline(this.ctx.requestReadTimeoutMs, options.signal)
      try {
        request = decodeSyncRequest(await lp.read({ signal: read.signal }), MAX_REQUEST_BYTES)
      } finally {
        read.clear()
      }
      if (request.version !== WIRE_VERSION) {
        throw new WireError('bad-version', `sync request version ${request.version}`)
      }
      this.observeClock('sync request', request.hlc)
      const replica = this.ctx.responderFor(request.docId)
      let response: SyncResponse
      let delivered: (() => void) | undefined
      if (replica === undefined) {
        response = {
          version: WIRE_VERSION,
          docId: request.docId,
          envelopes: [],
          vv: [],
          error: 'unknown document',
          heads: [],
          control: [],
          hlc: this.stamp()
        }
        this.ctx.metrics.inc(METRIC.dropped, 'unknown-document')
      } else {
        const requester = peerAuthor(peer)
        const remote = vectorFromWire(request.vv)
        const answer = await replica.answer(remote, request.stateVector, requester)
        delivered = answer.delivered
        const controlDiffers = replica.access !== undefined && !equals(request.controlDigest, replica.access.digest())
        this.ctx.served?.(request.docId, peer, remote, controlDiffers)
        // The vector we send back confirms delivery to the requester: only what is durable.
        await replica.flush()
        type Bytes = Array<Uint8Array<ArrayBuffer>>
        response = {
          version: WIRE_VERSION,
          docId: request.docId,
          envelopes: answer.envelopes as Bytes,
          checkpoint: answer.checkpoint,
          vv: sameVector(answer.checkpoint, replica.vv) ? [] : replica.vv.toWire(),
          error: '',
          heads: (answer.heads ?? []) as Bytes,
          // Private documents: every control op, so the requester judges what follows by the same ACL
          // (none when the requester's digest says it holds the same set).
          control: (controlDiffers ? replica.access?.encodedOps() ?? [] : []) as Bytes,
          hlc: this.stamp()
        }
      }
      const bytes = SyncResponse.encode(response)
      await lp.write(bytes, options)
      await stream.close(options)
      if (delivered !== undefined) {
        void closedByRequester(stream, DELIVERY_WAIT_MS).then(clean => { if (clean) delivered() })
      }
      this.ctx.metrics.inc(METRIC.syncServed)
      this.ctx.metrics.inc(METRIC.syncBytesOut, '', bytes.byteLength)
    } catch (err) {
      const reason = dropReasonOf(err, 'sync-failed')
      this.ctx.metrics.inc(METRIC.dropped, reason)
      log('sync request from %p dropped: %s: %s', peer, reason, (err as Error)?.message ?? err)
      if (isOffence(reason)) this.ctx.offence?.(peer.toString(), reason)
      stream.abort(err as Error)
    } finally {
      limit.clear()
    }
  }
}

/** True when `checkpoint` claims exactly `vv`: the reply then leaves its own vector out. */
function sameVector (checkpoint: Checkpoint | undefined, vv: VersionVector): boolean {
  if (checkpoint === undefined) return false
  const claims = vectorFromWire(checkpoint.vv)
  return claims.size === vv.size && [...claims].every(([author, seq]) => vv.get(author) === seq)
}

/** How long a served reply waits for the requester's clean close to count as delivered. */
const DELIVERY_WAIT_MS = 5_000

/**
 * True once the requester closes its end of the stream cleanly: it does so only after reading
 * the whole reply (`PullProtocol.pull`); false on a reset, an abort or no close in time.
 */
async function closedByRequester (stream: Stream, waitMs: number): Promise<boolean> {
  const clean = (): boolean =>
    stream.remoteWriteStatus === 'closed' && stream.status !== 'reset' && stream.status !== 'aborted'
  if (stream.remoteWriteStatus === 'closed') return clean()
  return await new Promise<boolean>(resolve => {
    const finish = (): void => {
      clearTimeout(timer)
      stream.removeEventListener('remoteCloseWrite', finish)
      stream.removeEventListener('close', finish)
      resolve(clean())
    }
    const timer = setTimeout(finish, waitMs)
    stream.addEventListener('remoteCloseWrite', finish)
    stream.addEventListener('close', finish)
  })
}
