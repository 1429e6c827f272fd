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
import {
  AwarenessWireError,
  decodeAwarenessMessage,
  inspectAwarenessUpdate,
  type AwarenessEntry,
  type AwarenessMessage
} from './awareness-wire.js'

/** The part of `@libp2p/gossipsub`'s `GossipSub` presence uses. */
export interface PubSubLike {
  topicValidators: Map<string, (peer: PeerLike, message: PubSubMessage) => ValidatorResult | Promise<ValidatorResult>>
  subscribe (topic: string): void
  unsubscribe (topic: string): void
  publish (topic: string, data: Uint8Array): Promise<unknown>
  getSubscribers (topic: string): PeerLike[]
  addEventListener (type: string, listener: (evt: any) => void): void
  removeEventListener (type: string, listener: (evt: any) => void): void
}

export interface PeerLike { toString (): string }
export interface PubSubMessage {
  type?: 'signed' | 'unsigned'
  topic: string
  data: Uint8Array
  from?: PeerLike
}
/** Same string values as gossipsub's `TopicValidatorResult`. */
export type ValidatorResult = 'accept' | 'ignore' | 'reject'

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

/** What the gate tells its users about each inbound message. */
export type GateObserver = (verdict: 'accept' | AwarenessDropReason, peer: string) => void

/** A message that passed the gate, decoded once. */
export interface AdmittedMessage {
  msg: AwarenessMessage
  entries: AwarenessEntry[]
  /** Authenticated author with StrictSign, else the message's origin field (a hint). */
  origin: string
}

export class AwarenessGate {
  refs = 0
  private readonly observers = new Set<GateObserver>()
  private readonly origins = new Map<string, { bucket: TokenBucket, lastSeen: number }>()
  private readonly sources = new Map<string, { bucket: TokenBucket, lastSeen: number }>()
  private readonly admitted = new WeakMap<Uint8Array, AdmittedMessage>()
  private sweepTimer: ReturnType<typeof setInterval> | null = null

  constructor (
    readonly topic: string,
    readonly peerId: string,
    readonly limits: Readonly<AwarenessLimits>,
    private readonly now: () => number = Date.now
  ) {}

  observe (observer: GateObserver): () => void {
    this.observers.add(observer)
    return () => { this.observers.delete(observer) }
  }

  /** gossipsub topic validator: decides before anything is delivered or forwarded. */
  readonly validate = (peer: PeerLike, message: PubSubMessage): ValidatorResult => {
    const source = peer.toString()
    if (message.data.byteLength > this.limits.maxMessageBytes) return this.refuse('too-large', source, 'reject')
    let msg: AwarenessMessage
    let entries: AwarenessEntry[]
    try {
      msg = decodeAwarenessMessage(message.data)
      entries = inspectAwarenessUpdate(msg.update, this.limits.maxClientsPerMessage)
    } catch (err) {
      const reason = err instanceof AwarenessWireError ? err.reason : 'malformed'
      return this.refuse(reason, source, reason === 'version' ? 'ignore' : 'reject')
    }
    const origin = message.type === 'signed' && message.from != null ? message.from.toString() : msg.origin
    if (origin === this.peerId) return this.refuse('own-echo', origin, 'ignore')
    if (!this.bucket(this.sources, source, this.limits.sourceRate, this.limits.sourceBurst).take()) return this.refuse('rate-source', source, 'ignore')
    if (!this.bucket(this.origins, origin, this.limits.originRate, this.limits.originBurst).take()) return this.refuse('rate-origin', origin, 'ignore')
    this.admitted.set(message.data, { msg, entries, origin })
    for (const o of this.observers) o('accept', origin)
    return 'accept'
  }

  /** The decoded form of a message this gate accepted (undefined for anything else). */
  admittedMessage (data: Uint8Array): AdmittedMessage | undefined {
    return this.admitted.get(data)
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

  private bucket (map: Map<string, { bucket: TokenBucket, lastSeen: number }>, key: string, rate: number, burst: number): TokenBucket {
    let rec = map.get(key)
    if (rec == null) {
      rec = { bucket: new TokenBucket(rate, burst, this.now), lastSeen: 0 }
      map.set(key, rec)
    }
    rec.lastSeen = this.now()
    return rec.bucket
  }

  private refuse (reason: AwarenessDropReason, peer: string, result: ValidatorResult): ValidatorResult {
    for (const o of this.observers) o(reason, peer)
    return result
  }
}

const gates = new WeakMap<PubSubLike, Map<string, AwarenessGate>>()

/**
 * The gate of `topic` on this pubsub, created (subscribed, validator
 * installed) on first use. Limits and clock come from the first user.
 */
export function acquireGate (pubsub: PubSubLike, topic: string, peerId: string, limits: Readonly<AwarenessLimits>, now?: () => number): AwarenessGate {
  let byTopic = gates.get(pubsub)
  if (byTopic == null) { byTopic = new Map(); gates.set(pubsub, byTopic) }
  let gate = byTopic.get(topic)
  if (gate == null) {
    gate = new AwarenessGate(topic, peerId, limits, now)
    byTopic.set(topic, gate)
    pubsub.topicValidators.set(topic, gate.validate)
    pubsub.subscribe(topic)
    gate.startSweeping()
  }
  gate.refs++
  return gate
}

export function releaseGate (pubsub: PubSubLike, gate: AwarenessGate): void {
  gate.refs--
  if (gate.refs > 0) return
  gates.get(pubsub)?.delete(gate.topic)
  gate.stopSweeping()
  if (pubsub.topicValidators.get(gate.topic) === gate.validate) pubsub.topicValidators.delete(gate.topic)
  try { pubsub.unsubscribe(gate.topic) } catch { /* node already stopped */ }
}
