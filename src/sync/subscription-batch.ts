import type { PubSubLike } from './topic-gate.js'

/**
 * Subscribing to many topics at once, as one gossipsub SUBSCRIBE frame per peer instead of one
 * per topic per peer.
 *
 * gossipsub's `subscribe(topic)` sends every connected peer a frame of its own, through yamux,
 * noise and a socket write each: opening 1,000 documents took ~100 µs of main thread per
 * document for that alone, half of the whole open (measured, 2026-12-05). Its wire format
 * carries any number of subscriptions per frame, and it sends them so itself to a peer that
 * connects; its API has no call for many topics. So the first change in a turn of the event loop
 * goes out at once (a single open is as quick as before), and the changes that follow it in the
 * same turn are gathered and sent together when the turn ends (`setImmediate`; a 0 ms timer in browsers).
 *
 * The same wrapper splits every subscription frame at `MAX_TOPICS_PER_FRAME` topics.
 *
 * Sending them together needs four members gossipsub does not export (`subscriptions`, `peers`,
 * `sendSubscriptions`, `join`/`leave`). They are checked for, not assumed: a pubsub without them
 * (another version, a test's fake) gets every change through its public calls, at once.
 */

interface GossipSubInternals {
  subscriptions: Set<string>
  peers: Map<string, unknown>
  sendSubscriptions: (toPeer: string, topics: string[], subscribe: boolean) => void
  join: (topic: string) => void
  leave: (topic: string) => void
}

function internalsOf (pubsub: PubSubLike): GossipSubInternals | undefined {
  const p = pubsub as unknown as Partial<GossipSubInternals>
  return p.subscriptions instanceof Set && p.peers instanceof Map && typeof p.sendSubscriptions === 'function' &&
    typeof p.join === 'function' && typeof p.leave === 'function'
    ? p as GossipSubInternals
    : undefined
}

class SubscriptionBatch {
  /** Topic -> subscribed or not, as last asked for in this turn; undefined: no turn open. */
  private wanted: Map<string, boolean> | undefined

  constructor (private readonly pubsub: PubSubLike, private readonly internals: GossipSubInternals) {
    // Also the frame gossipsub sends a peer that connects, with every topic we are on: beyond 5,000
    // the peer refused it whole and saw us on none (measured: 6,000 documents open, 0 seen).
    const send = internals.sendSubscriptions.bind(pubsub)
    internals.sendSubscriptions = (toPeer, topics, subscribe) => {
      for (const part of chunks(topics)) send(toPeer, part, subscribe)
    }
  }

  set (topic: string, subscribed: boolean): void {
    if (this.wanted !== undefined) {
      this.wanted.set(topic, subscribed)
      return
    }
    applyNow(this.pubsub, topic, subscribed)
    this.wanted = new Map()
    afterThisTurn(this.flush)
  }

  private readonly flush = (): void => {
    const wanted = this.wanted ?? new Map<string, boolean>()
    this.wanted = undefined
    const { subscriptions, peers } = this.internals
    const added: string[] = []
    const removed: string[] = []
    for (const [topic, subscribed] of wanted) {
      if (subscribed && !subscriptions.has(topic)) added.push(topic)
      else if (!subscribed && subscriptions.has(topic)) removed.push(topic)
    }
    if (added.length + removed.length === 0) return
    try {
      // What gossipsub's subscribe/unsubscribe do, with one frame per peer for all the topics.
      for (const topic of added) subscriptions.add(topic)
      for (const topic of removed) subscriptions.delete(topic)
      for (const peer of peers.keys()) {
        if (added.length > 0) this.internals.sendSubscriptions(peer, added, true)
        if (removed.length > 0) this.internals.sendSubscriptions(peer, removed, false)
      }
      for (const topic of added) this.internals.join(topic)
      for (const topic of removed) this.internals.leave(topic)
    } catch { /* the node stopped first */ }
  }
}

/**
 * Topics per frame: gossipsub refuses a whole frame of more than 5,000 subscriptions (its default
 * `decodeRpcLimits`, weft's too), and a frame must fit the receiver's `maxInboundDataLength`.
 */
export const MAX_TOPICS_PER_FRAME = 1000

function chunks (topics: string[]): string[][] {
  const out: string[][] = []
  for (let i = 0; i < topics.length; i += MAX_TOPICS_PER_FRAME) out.push(topics.slice(i, i + MAX_TOPICS_PER_FRAME))
  return out
}

/** Node's `setImmediate` runs right after pending I/O; browsers have none, and a 0 ms timer is the next turn there. */
const afterThisTurn: (fn: () => void) => void = typeof globalThis.setImmediate === 'function'
  ? fn => { globalThis.setImmediate(fn) }
  : fn => { setTimeout(fn, 0) }

const batches = new WeakMap<PubSubLike, SubscriptionBatch | null>()

/**
 * Subscribes `pubsub` to `topic` or unsubscribes it: at once when it is the first change in this turn
 * of the event loop, otherwise together with the other changes of this turn.
 */
export function setSubscribed (pubsub: PubSubLike, topic: string, subscribed: boolean): void {
  let batch = batches.get(pubsub)
  if (batch === undefined) {
    const internals = internalsOf(pubsub)
    batch = internals === undefined ? null : new SubscriptionBatch(pubsub, internals)
    batches.set(pubsub, batch)
  }
  if (batch !== null) batch.set(topic, subscribed)
  else applyNow(pubsub, topic, subscribed)
}

/** Subscribing throws on a node that is not started, as gossipsub's own call does; leaving does not. */
function applyNow (pubsub: PubSubLike, topic: string, subscribed: boolean): void {
  if (subscribed) {
    pubsub.subscribe(topic)
    return
  }
  try { pubsub.unsubscribe(topic) } catch { /* the node stopped first */ }
}
