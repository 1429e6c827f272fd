/**
 * Presence over weft: binds a y-protocols `Awareness` to a gossipsub topic
 * next to the document's own (`/weft/awareness/1/<docId>`).
 *
 * Invariants enforced here:
 * - presence is never persisted and never enters the envelope log; it lives
 *   on its own topic, so its validator can drop it without touching document
 *   traffic;
 * - every inbound message passes the topic's gate (awareness-gate.ts: size
 *   cap, full parse, a token bucket per origin peer and one per propagation
 *   source) before `applyAwarenessUpdate` sees it; a refused message is not
 *   forwarded by gossipsub either, so a chatty client is contained at its
 *   first hop;
 * - local changes are coalesced by a send throttle (at most one message per
 *   `sendIntervalMs`, leading edge immediate), so a cursor dragged across a
 *   page costs a bounded number of messages;
 * - a clientID belongs to the first origin that announced it until its state
 *   is removed: a peer cannot null out or overwrite someone else's presence;
 * - states of peers that vanish expire: y-protocols drops remote states not
 *   renewed for 30 s (the owner renews every 15 s), and a direct neighbour's
 *   states go at once when it disconnects or unsubscribes.
 */
import {
  Awareness,
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates
} from 'y-protocols/awareness'
import { ObservableV2 } from 'lib0/observable'
import { awarenessTopic, encodeAwarenessMessage, type AwarenessMessage } from './wire.js'
import {
  DEFAULT_AWARENESS_LIMITS,
  acquireGate,
  releaseGate,
  type AwarenessDropReason,
  type AwarenessGate,
  type AwarenessLimits,
  type PeerLike,
  type PubSubLike,
  type PubSubMessage,
  type PresenceSeal
} from './gate.js'

export { DEFAULT_AWARENESS_LIMITS }
export type { AwarenessDropReason, AwarenessLimits, PeerLike, PubSubLike, PubSubMessage, PresenceSeal }
export type { ValidatorResult } from './gate.js'

/** libp2p's own event target (for `peer:disconnect`), optional. */
export interface PeerEventsLike {
  addEventListener (type: string, listener: (evt: any) => void): void
  removeEventListener (type: string, listener: (evt: any) => void): void
}

export interface AwarenessChannelEvents {
  /** A message was dropped (inbound or outbound) and why. `peer` is the origin or neighbour when known. */
  drop: (reason: AwarenessDropReason, peer: string | undefined) => void
  /** A remote presence update was applied. */
  applied: (origin: string, clients: number[]) => void
}

export interface AwarenessChannelStats {
  sent: number
  sentBytes: number
  received: number
  applied: number
  dropped: Partial<Record<AwarenessDropReason, number>>
}

export interface AwarenessChannelInit {
  pubsub: PubSubLike
  /** Our libp2p peer id (string). */
  peerId: string
  /** libp2p node events, for removing a neighbour's states as soon as it disconnects. */
  peerEvents?: PeerEventsLike
  limits?: Partial<AwarenessLimits>
  /** Injectable clock for tests. */
  now?: () => number
  /** Private documents: presence sealed under the document's content key. */
  seal?: PresenceSeal
}

export class AwarenessChannel extends ObservableV2<AwarenessChannelEvents> {
  readonly topic: string
  readonly limits: Readonly<AwarenessLimits>
  readonly stats: AwarenessChannelStats = { sent: 0, sentBytes: 0, received: 0, applied: 0, dropped: {} }

  private readonly pubsub: PubSubLike
  private readonly peerId: string
  private readonly peerEvents: PeerEventsLike | undefined
  private readonly now: () => number
  private readonly seal: PresenceSeal | undefined
  private gate: AwarenessGate | null = null
  private unobserve: (() => void) | null = null
  /** clientID -> origin peer that owns it. */
  private readonly owners = new Map<number, string>()
  /** origin peer -> clientIDs it owns. */
  private readonly byOrigin = new Map<string, Set<number>>()
  private readonly pending = new Set<number>()
  private pendingQuery = false
  private lastSend = -Infinity
  /** Starts at a random point so a restarted peer does not repeat its earlier messages' bytes. */
  private nonce = Math.floor(Math.random() * 2 ** 31)
  private timer: ReturnType<typeof setTimeout> | null = null
  private rejoinTimer: ReturnType<typeof setTimeout> | null = null
  private running = false

  constructor (readonly awareness: Awareness, readonly docId: string, init: AwarenessChannelInit) {
    super()
    this.topic = awarenessTopic(docId)
    this.pubsub = init.pubsub
    this.peerId = init.peerId
    this.peerEvents = init.peerEvents
    this.now = init.now ?? Date.now
    this.seal = init.seal
    this.limits = Object.freeze({ ...DEFAULT_AWARENESS_LIMITS, ...init.limits })
  }

  get started (): boolean { return this.running }

  /** Subscribes (through the topic's shared gate), announces our state and asks for everyone else's. */
  start (): void {
    if (this.running) return
    this.running = true
    this.gate = acquireGate(this.pubsub, this.topic, this.peerId, this.limits, this.now, this.seal)
    this.unobserve = this.gate.observe(this.onVerdict)
    this.pubsub.addEventListener('message', this.onMessage)
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.peerEvents?.addEventListener('peer:disconnect', this.onPeerDisconnect)
    this.awareness.on('update', this.onAwarenessUpdate)
    // Whoever already listens gets our state; whoever joins later triggers another announce.
    this.schedule([this.awareness.clientID], true)
  }

  /**
   * Tells the others we left (our state as null at the current clock, which
   * removes it at the receivers without changing our local Awareness), drops
   * every remote state locally and releases the topic.
   *
   * The leave goes out whatever the local state is: after
   * `setLocalState(null)` the removal may still sit in the send throttle,
   * which stop cancels, and peers that do not see our topic subscription end
   * (a relay in between, or another channel of ours on the same topic) would
   * otherwise keep the state until it times out. A repeated null is a no-op.
   */
  stop (): void {
    if (!this.running) return
    this.running = false
    if (this.timer != null) { clearTimeout(this.timer); this.timer = null }
    if (this.rejoinTimer != null) { clearTimeout(this.rejoinTimer); this.rejoinTimer = null }
    this.pending.clear()
    this.pendingQuery = false
    if (this.awareness.meta.has(this.awareness.clientID) && this.pubsub.getSubscribers(this.topic).length > 0) {
      const leave = encodeAwarenessUpdate(this.awareness, [this.awareness.clientID], new Map())
      this.publish({ kind: 'update', origin: this.peerId, update: leave })
    }
    this.awareness.off('update', this.onAwarenessUpdate)
    this.peerEvents?.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.pubsub.removeEventListener('message', this.onMessage)
    this.unobserve?.()
    this.unobserve = null
    if (this.gate != null) releaseGate(this.pubsub, this.gate)
    this.gate = null
    const remote = [...this.awareness.getStates().keys()].filter(c => c !== this.awareness.clientID)
    if (remote.length > 0) removeAwarenessStates(this.awareness, remote, this)
    this.owners.clear()
    this.byOrigin.clear()
  }

  override destroy (): void {
    this.stop()
    super.destroy()
  }

  // ---- outbound -------------------------------------------------------------

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[], updated: number[], removed: number[] },
    origin: unknown
  ): void => {
    // Only clients that no remote origin owns are ours to announce.
    const changed = [...added, ...updated, ...removed].filter(c => !this.owners.has(c))
    // A removed remote client no longer belongs to anyone (expired, left, or removed by the app).
    for (const c of removed) {
      if (this.owners.has(c) && !this.awareness.states.has(c)) this.disown(c)
    }
    // Remote states we applied travel on through gossipsub's own forwarding,
    // and y-protocols' timeout removals are a local judgement: neither is ours to send.
    if (origin === this || origin === 'timeout') return
    if (changed.length > 0) this.schedule(changed, false)
  }

  private schedule (clients: number[], query: boolean): void {
    if (!this.running) return
    for (const c of clients) this.pending.add(c)
    this.pendingQuery ||= query
    if (this.timer != null) return
    const wait = Math.max(0, this.lastSend + this.limits.sendIntervalMs - this.now())
    // Even the leading edge waits a macrotask, so a burst of synchronous changes goes out as one message.
    this.timer = setTimeout(this.flushPending, wait)
  }

  private readonly flushPending = (): void => {
    this.timer = null
    if (!this.running) return
    const clients = [...this.pending].filter(c => this.awareness.meta.has(c))
    const query = this.pendingQuery
    this.pending.clear()
    this.pendingQuery = false
    if (clients.length === 0 && !query) return
    this.lastSend = this.now()
    if (this.pubsub.getSubscribers(this.topic).length === 0) return // alone: the next joiner triggers a resend
    const whole = encodeAwarenessUpdate(this.awareness, clients)
    if (whole.byteLength + 200 <= this.limits.maxMessageBytes && clients.length <= this.limits.maxClientsPerMessage) {
      this.publish({ kind: query ? 'query' : 'update', origin: this.peerId, update: whole })
      return
    }
    let first = true
    for (const c of clients) {
      const one = encodeAwarenessUpdate(this.awareness, [c])
      if (one.byteLength + 200 > this.limits.maxMessageBytes) {
        this.countDrop('local-too-large', this.peerId)
        continue
      }
      this.publish({ kind: query && first ? 'query' : 'update', origin: this.peerId, update: one })
      first = false
    }
    if (first && query) {
      this.publish({ kind: 'query', origin: this.peerId, update: encodeAwarenessUpdate(this.awareness, []) })
    }
  }

  private publish (msg: Omit<AwarenessMessage, 'nonce'>): void {
    if (this.seal !== undefined) {
      // Never in clear: without a key yet, nothing goes out (the next change or query resends).
      const sealed = this.seal.seal(msg.update, msg.origin)
      if (sealed === undefined) {
        this.countDrop('no-key', this.peerId)
        return
      }
      msg = { ...msg, update: sealed }
    }
    this.nonce = (this.nonce + 1) % Number.MAX_SAFE_INTEGER
    const bytes = encodeAwarenessMessage({ ...msg, nonce: this.nonce })
    if (bytes.byteLength > this.limits.maxMessageBytes) {
      this.countDrop('local-too-large', this.peerId)
      return
    }
    this.stats.sent++
    this.stats.sentBytes += bytes.byteLength
    this.pubsub.publish(this.topic, bytes).catch(() => {
      this.countDrop('publish-failed', this.peerId)
    })
  }

  // ---- inbound --------------------------------------------------------------

  private readonly onVerdict = (verdict: 'accept' | AwarenessDropReason, peer: string): void => {
    this.stats.received++
    if (verdict !== 'accept') this.countDrop(verdict, peer)
  }

  private readonly onMessage = (evt: { detail: PubSubMessage }): void => {
    const message = evt.detail
    if (!this.running || message.topic !== this.topic) return
    const admitted = this.gate?.admittedMessage(message.data)
    if (admitted === undefined || admitted.opaque === true) return // refused (and counted), or not ours to read
    const { msg, entries, origin } = admitted
    let remoteCount = this.awareness.getStates().size - 1
    for (const e of entries) {
      // y-protocols lets a remote update with a higher clock replace our own local state:
      // nobody but us speaks for our clientID.
      if (e.clientID === this.awareness.clientID) {
        this.countDrop('client-owned', origin)
        return
      }
      const owner = this.owners.get(e.clientID)
      if (owner !== undefined && owner !== origin) {
        this.countDrop('client-owned', origin)
        return
      }
      if (owner === undefined && e.state !== null) {
        if (remoteCount >= this.limits.maxRemoteStates) {
          this.countDrop('state-cap', origin)
          return
        }
        remoteCount++
      }
    }
    for (const e of entries) {
      if (e.state !== null) this.own(e.clientID, origin)
    }
    applyAwarenessUpdate(this.awareness, msg.update, this)
    // Forget ownership of clients that are gone (null state applied, or never stored).
    for (const e of entries) {
      if (!this.awareness.states.has(e.clientID)) this.disown(e.clientID)
    }
    this.stats.applied++
    this.emit('applied', [origin, entries.map(e => e.clientID)])
    if (msg.kind === 'query') this.schedule([this.awareness.clientID], false)
  }

  private readonly onSubscriptionChange = (evt: {
    detail: { peerId: PeerLike, subscriptions: Array<{ topic: string, subscribe: boolean }> }
  }): void => {
    const { peerId, subscriptions } = evt.detail
    for (const s of subscriptions) {
      if (s.topic !== this.topic) continue
      if (s.subscribe) {
        this.schedule([this.awareness.clientID], true)
        if (this.rejoinTimer == null && this.limits.rejoinQueryMs > 0) {
          this.rejoinTimer = setTimeout(() => {
            this.rejoinTimer = null
            this.schedule([this.awareness.clientID], true)
          }, this.limits.rejoinQueryMs)
        }
      } else {
        this.removeOrigin(peerId.toString())
      }
    }
  }

  private readonly onPeerDisconnect = (evt: { detail: PeerLike }): void => {
    this.removeOrigin(evt.detail.toString())
  }

  /** Drops the states a (direct) peer announced: it left, no need to wait 30 s. */
  private removeOrigin (origin: string): void {
    const clients = [...(this.byOrigin.get(origin) ?? [])].filter(c => this.awareness.states.has(c))
    for (const c of this.byOrigin.get(origin) ?? []) this.owners.delete(c)
    this.byOrigin.delete(origin)
    if (clients.length > 0) removeAwarenessStates(this.awareness, clients, this)
  }

  private own (client: number, origin: string): void {
    this.owners.set(client, origin)
    let set = this.byOrigin.get(origin)
    if (set == null) { set = new Set(); this.byOrigin.set(origin, set) }
    set.add(client)
  }

  private disown (client: number): void {
    const origin = this.owners.get(client)
    if (origin === undefined) return
    this.owners.delete(client)
    const set = this.byOrigin.get(origin)
    set?.delete(client)
    if (set?.size === 0) this.byOrigin.delete(origin)
  }

  private countDrop (reason: AwarenessDropReason, peer: string | undefined): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1
    this.emit('drop', [reason, peer])
  }
}

/**
 * Presence relay for a peer that shows no document but sits between peers
 * that do (the daemon, a Node peer serving browsers). gossipsub forwards only
 * on topics a node subscribes to, so without this, two browsers connected
 * only to a daemon would never see each other's cursors. It validates and
 * rate-limits exactly like a provider, holds no state, and answers no queries.
 */
export class AwarenessRelay {
  readonly topic: string
  readonly stats = { received: 0, forwarded: 0, dropped: {} as Partial<Record<AwarenessDropReason, number>> }
  private gate: AwarenessGate | null = null
  private unobserve: (() => void) | null = null
  /** Called for every refused message, with the reason (the engine counts them in its metrics). */
  onDrop: ((reason: AwarenessDropReason) => void) | undefined

  constructor (
    readonly docId: string,
    private readonly init: {
      pubsub: PubSubLike, peerId: string, limits?: Partial<AwarenessLimits>, seal?: PresenceSeal
    }
  ) {
    this.topic = awarenessTopic(docId)
  }

  start (): void {
    if (this.gate != null) return
    const limits = Object.freeze({ ...DEFAULT_AWARENESS_LIMITS, ...this.init.limits })
    this.gate = acquireGate(this.init.pubsub, this.topic, this.init.peerId, limits, undefined, this.init.seal)
    this.unobserve = this.gate.observe((verdict) => {
      this.stats.received++
      if (verdict === 'accept') this.stats.forwarded++
      else {
        this.stats.dropped[verdict] = (this.stats.dropped[verdict] ?? 0) + 1
        this.onDrop?.(verdict)
      }
    })
  }

  stop (): void {
    if (this.gate == null) return
    this.unobserve?.()
    releaseGate(this.init.pubsub, this.gate)
    this.gate = null
  }
}
