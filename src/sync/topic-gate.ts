/**
 * The one way weft listens on a gossipsub topic, for document frames and presence alike:
 * a validator decides before gossipsub delivers or forwards anything (so its peer scoring
 * sees senders of bad data), the decoded value is kept for the delivery that follows, the
 * subscription is counted so several users can share it (and sent with the others of its turn:
 * subscription-batch.ts), and every refusal is counted by
 * reason in the engine's metrics.
 */

import { setSubscribed } from './subscription-batch.js'

/** The part of `@libp2p/gossipsub`'s `GossipSub` weft uses: small enough to fake in unit tests. */
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

/** A validator's decision: the decoded value, or a reason and how gossipsub should treat the sender. */
export type Verdict<T> = { accept: T } | { refuse: string, result: 'ignore' | 'reject' }

export interface TopicGateInit<T> {
  pubsub: PubSubLike
  topic: string
  check: (from: PeerLike, message: PubSubMessage) => Verdict<T>
  /** Called for every refusal (counting it is the caller's business: metrics, stats). */
  refused?: (reason: string, from: PeerLike, result: 'ignore' | 'reject') => void
}

/**
 * gossipsub calls the validator just before the 'message' event for the same bytes: keeping the
 * decoded value here means every message is decoded once. One map for every gate (a message's
 * bytes belong to one topic), not one per gate: a WeakMap is ~140 bytes, times each open document.
 */
const accepted = new WeakMap<Uint8Array, { gate: TopicGate<unknown>, value: unknown, from: PeerLike }>()

export class TopicGate<T> {
  readonly topic: string
  private refs = 0

  constructor (private readonly init: TopicGateInit<T>) {
    this.topic = init.topic
  }

  get users (): number { return this.refs }

  /** Subscribes on first use. */
  acquire (): void {
    if (this.refs++ > 0) return
    this.init.pubsub.topicValidators.set(this.topic, this.validate)
    setSubscribed(this.init.pubsub, this.topic, true)
  }

  /** Unsubscribes after the last user; true when it did. */
  release (): boolean {
    if (this.refs === 0 || --this.refs > 0) return false
    if (this.init.pubsub.topicValidators.get(this.topic) === this.validate) {
      this.init.pubsub.topicValidators.delete(this.topic)
    }
    setSubscribed(this.init.pubsub, this.topic, false)
    return true
  }

  /** The decoded form of a message this gate accepted; undefined for anything else. */
  decoded (data: Uint8Array): { value: T, from: PeerLike } | undefined {
    const hit = accepted.get(data)
    return hit?.gate === this ? hit as { value: T, from: PeerLike } : undefined
  }

  /**
   * `decoded`, for a topic with a single reader, which then lets go of it: gossipsub keeps each
   * message's bytes in its message cache for seconds, and the decoded value kept beside them
   * outlived two scavenges and was promoted (2026-12-05, 25 peers, a 200-edit window: 37 MB
   * promoted, the bare mesh's 13 MB; 21-23 MB once let go here).
   */
  take (data: Uint8Array): { value: T, from: PeerLike } | undefined {
    const hit = this.decoded(data)
    if (hit !== undefined) accepted.delete(data)
    return hit
  }

  private readonly validate = (from: PeerLike, message: PubSubMessage): ValidatorResult => {
    const verdict = this.init.check(from, message)
    if ('accept' in verdict) {
      accepted.set(message.data, { gate: this, value: verdict.accept, from })
      return 'accept'
    }
    this.init.refused?.(verdict.refuse, from, verdict.result)
    return verdict.result
  }
}
