/**
 * The inbound side of presence, shared by every user of one awareness topic
 * on one node: a gossipsub topic validator with a size cap, a full parse and
 * token buckets, and a reference-counted subscription.
 *
 * gossipsub has one validator per topic and a subscription that is not
 * counted, so two users of a topic on one node (two providers on one
 * document, or a provider next to a relay) must share them: the first
 * `acquireGate` subscribes and installs the validator, the last
 * `releaseGate` removes both.
 *
 * A message the gate refuses is neither delivered nor forwarded, so a chatty
 * or malformed sender is contained at its first hop.
 */
import { TokenBucket } from './token-bucket.js'
import { TopicGate, type PeerLike, type PubSubLike, type PubSubMessage, type Verdict } from '../sync/topic-gate.js'
import {
  AwarenessWireError,
  decodeAwarenessMessage,
  inspectAwarenessUpdate,
  type AwarenessEntry,
  type AwarenessMessage
} from './wire.js'

export type { PeerLike, PubSubLike, PubSubMessage, ValidatorResult } from '../sync/topic-gate.js'

export interface AwarenessLimits {
  /** Largest presence message sent or accepted, in bytes. Default 8 KiB (a name, a colour and a cursor are ~200 B). */
  maxMessageBytes: number
  /** Most client states in one message. Default 16. */
  maxClientsPerMessage: number
  /** Local send throttle: at most one message per this many ms; changes in between are merged. Default 50. */
  sendIntervalMs: number
  /** Messages per second accepted from one origin peer (token bucket rate). Default 20. */
  originRate: number
  /** Burst accepted from one origin peer. Default 40. */
  originBurst: number
  /** Messages per second accepted from one direct neighbour, relayed ones included. Default 200. */
  sourceRate: number
  /** Burst accepted from one direct neighbour. Default 400. */
  sourceBurst: number
  /** Most remote client states held; beyond it new clients are ignored. Default 1000. */
  maxRemoteStates: number
  /**
   * After a neighbour joins, ask everyone for their state once more after this
   * many ms. The first exchange can miss peers a relay has not yet put in its
   * gossipsub mesh for the topic (forwarding goes to mesh peers only); without
   * the follow-up they would appear only at the next 15 s renewal. Default 1500.
   */
  rejoinQueryMs: number
}

export const DEFAULT_AWARENESS_LIMITS: Readonly<AwarenessLimits> = Object.freeze({
  maxMessageBytes: 8 * 1024,
  maxClientsPerMessage: 16,
  sendIntervalMs: 50,
  originRate: 20,
  originBurst: 40,
  sourceRate: 200,
  sourceBurst: 400,
  maxRemoteStates: 1000,
  rejoinQueryMs: 1500
})

export type AwarenessDropReason =
  | 'too-large'          // inbound message over maxMessageBytes (rejected: penalises the sender)
  | 'malformed'          // undecodable envelope or awareness update (rejected)
  | 'version'            // unknown wire version (ignored: a newer peer)
  | 'too-many-clients'   // more than maxClientsPerMessage states in one message (rejected)
  | 'rate-origin'        // origin peer over its token bucket (ignored)
  | 'rate-source'        // direct neighbour over its token bucket (ignored)
  | 'own-echo'           // our own message came back (ignored)
  | 'client-owned'       // a clientID announced by another origin, or our own (ignored)
  | 'state-cap'          // maxRemoteStates reached (ignored)
  | 'local-too-large'    // our own state exceeds maxMessageBytes: not sent
  | 'publish-failed'     // gossipsub refused to publish
  | 'no-key'             // private document: sealed presence this peer cannot open, or no key to seal ours (ignored)

/** What the gate tells its users about each inbound message. */
/**
 * Private documents: presence travels sealed under the document's content key, so only members
 * read it. A peer holding no key at all (a blind relay, a pinner) forwards it by size and rate alone.
 */
export interface PresenceSeal {
  /** Whether this peer holds a content key of the document. */
  readable: () => boolean
  seal: (update: Uint8Array, origin: string) => Uint8Array | undefined
  open: (sealed: Uint8Array, origin: string) => Uint8Array | undefined
}

export type GateObserver = (verdict: 'accept' | AwarenessDropReason, peer: string) => void

/** A message that passed the gate, decoded once. */
export interface AdmittedMessage {
  msg: AwarenessMessage
  entries: AwarenessEntry[]
  /** Authenticated author with StrictSign, else the message's origin field (a hint). */
  origin: string
  /** Sealed presence this peer cannot open: forwarded, applied nowhere (`msg.update` is still sealed). */
  opaque?: boolean
}

export class AwarenessGate {
  private readonly observers = new Set<GateObserver>()
  private readonly origins = new Map<string, { bucket: TokenBucket, lastSeen: number }>()
  private readonly sources = new Map<string, { bucket: TokenBucket, lastSeen: number }>()
  private sweepTimer: ReturnType<typeof setInterval> | null = null
  readonly gate: TopicGate<AdmittedMessage>

  constructor (
    pubsub: PubSubLike,
    readonly topic: string,
    readonly peerId: string,
    readonly limits: Readonly<AwarenessLimits>,
    private readonly now: () => number = Date.now,
    public seal?: PresenceSeal
  ) {
    this.gate = new TopicGate({
      pubsub,
      topic,
      check: this.check,
      refused: (reason, peer) => { for (const o of this.observers) o(reason as AwarenessDropReason, peer.toString()) }
    })
  }

  observe (observer: GateObserver): () => void {
    this.observers.add(observer)
    return () => { this.observers.delete(observer) }
  }

  /** Decides before anything is delivered or forwarded: size, parse, then the two token buckets. */
  private readonly check = (peer: PeerLike, message: PubSubMessage): Verdict<AdmittedMessage> => {
    const source = peer.toString()
    if (message.data.byteLength > this.limits.maxMessageBytes) return { refuse: 'too-large', result: 'reject' }
    let msg: AwarenessMessage
    let entries: AwarenessEntry[] = []
    let opaque = false
    try {
      msg = decodeAwarenessMessage(message.data)
      if (this.seal !== undefined) {
        const opened = this.seal.open(msg.update, msg.origin)
        if (opened !== undefined) msg = { ...msg, update: opened }
        else if (this.seal.readable()) return { refuse: 'no-key', result: 'ignore' }
        else opaque = true
      }
      if (!opaque) entries = inspectAwarenessUpdate(msg.update, this.limits.maxClientsPerMessage)
    } catch (err) {
      const reason = err instanceof AwarenessWireError ? err.reason : 'malformed'
      return { refuse: reason, result: reason === 'version' ? 'ignore' : 'reject' }
    }
    const origin = message.type === 'signed' && message.from != null ? message.from.toString() : msg.origin
    if (origin === this.peerId) return { refuse: 'own-echo', result: 'ignore' }
    const { sourceRate, sourceBurst, originRate, originBurst } = this.limits
    if (!this.bucket(this.sources, source, sourceRate, sourceBurst).take()) {
      return { refuse: 'rate-source', result: 'ignore' }
    }
    if (!this.bucket(this.origins, origin, originRate, originBurst).take()) {
      return { refuse: 'rate-origin', result: 'ignore' }
    }
    for (const o of this.observers) o('accept', origin)
    return { accept: { msg, entries, origin, ...(opaque ? { opaque } : {}) } }
  }

  /** The decoded form of a message this gate accepted (undefined for anything else). */
  admittedMessage (data: Uint8Array): AdmittedMessage | undefined {
    return this.gate.decoded(data)?.value
  }

  startSweeping (): void {
    this.sweepTimer ??= setInterval(this.sweep, 60_000)
    ;(this.sweepTimer as any).unref?.()
  }

  stopSweeping (): void {
    if (this.sweepTimer != null) clearInterval(this.sweepTimer)
    this.sweepTimer = null
  }

  private readonly sweep = (): void => {
    const cutoff = this.now() - 120_000
    for (const map of [this.origins, this.sources]) {
      for (const [key, rec] of map) if (rec.lastSeen < cutoff) map.delete(key)
    }
  }

  private bucket (
    map: Map<string, { bucket: TokenBucket, lastSeen: number }>, key: string, rate: number, burst: number
  ): TokenBucket {
    let rec = map.get(key)
    if (rec == null) {
      rec = { bucket: new TokenBucket(rate, burst, this.now), lastSeen: 0 }
      map.set(key, rec)
    }
    rec.lastSeen = this.now()
    return rec.bucket
  }
}

const gates = new WeakMap<PubSubLike, Map<string, AwarenessGate>>()

/**
 * The gate of `topic` on this pubsub, created (subscribed, validator
 * installed) on first use. Limits and clock come from the first user.
 */
export function acquireGate (
  pubsub: PubSubLike, topic: string, peerId: string, limits: Readonly<AwarenessLimits>, now?: () => number,
  seal?: PresenceSeal
): AwarenessGate {
  let byTopic = gates.get(pubsub)
  if (byTopic == null) { byTopic = new Map(); gates.set(pubsub, byTopic) }
  let gate = byTopic.get(topic)
  if (gate != null) gate.seal ??= seal
  if (gate == null) {
    gate = new AwarenessGate(pubsub, topic, peerId, limits, now, seal)
    byTopic.set(topic, gate)
    gate.startSweeping()
  }
  gate.gate.acquire()
  return gate
}

export function releaseGate (pubsub: PubSubLike, gate: AwarenessGate): void {
  if (!gate.gate.release()) return
  gates.get(pubsub)?.delete(gate.topic)
  gate.stopSweeping()
}
