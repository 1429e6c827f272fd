import { ObservableV2 } from 'lib0/observable'
import type { SyncStatus } from '../types.js'

/** A peer as the policy sees it: anything with a stable string form (a libp2p PeerId). */
export interface PeerRef { toString (): string }

/** Everything that can happen to one document, as the policy sees it. */
export type DocSyncInput =
  /** `fromAuthor`: the envelope came straight from the peer that wrote it, not relayed by another. */
  | { type: 'envelope', from: PeerRef, result: 'applied' | 'duplicate' | 'held', fromAuthor: boolean }
  | { type: 'sealed' }
  | { type: 'beacon', from: PeerRef, vector: ReadonlyMap<string, number> }
  | { type: 'gap' }
  | { type: 'peer-joined', peer: PeerRef }
  | { type: 'peer-left', peer: PeerRef }
  | { type: 'connectivity' }
  | { type: 'pull-started' }
  | { type: 'pull-finished', peer: PeerRef, ok: boolean, applied: boolean, remote?: ReadonlyMap<string, number> }
  | { type: 'heads-differ', peer: PeerRef }
  /**
   * We answered `peer`'s sync request, which showed its vector; `controlDiffers`: its set of
   * control ops (private documents) is not ours, which the vector does not show.
   */
  | { type: 'served', peer: PeerRef, remote: ReadonlyMap<string, number>, controlDiffers: boolean }

/** The replica, reduced to what the policy reads. */
export interface ReplicaView {
  readonly docId: string
  readonly author: string
  hasGap: () => boolean
  /** True when `remote` holds something we do not. */
  isBehind: (remote: ReadonlyMap<string, number>) => boolean
  /** True when `remote` holds everything we hold. */
  isCoveredBy: (remote: ReadonlyMap<string, number>) => boolean
  /** A remote peer holds our own envelopes up to `seq`. */
  confirm: (seq: number) => void
  /** A string that changes whenever the version vector does. */
  vectorKey: () => string
  /** A copy of the version vector as it is now. */
  vector: () => ReadonlyMap<string, number>
}

export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

/**
 * What the policy needs of the engine: one object for every document (each call names the
 * document), so a thousand open documents do not carry a thousand sets of closures.
 */
export interface DocSyncHost {
  /** Connected peers subscribed to the document's topic. */
  subscribers: (docId: string) => PeerRef[]
  /** Any connection at all. */
  isOnline: () => boolean
  pull: (docId: string, peer: PeerRef, reason: string) => void
  isPulling: (docId: string) => boolean
  /** Announce the document's version vector now (the engine flushes, signs and publishes). */
  announce: (docId: string) => void
  /** Tell `author`, soon and directly, how far we hold its envelopes of the document (it sent us some itself). */
  acknowledge: (docId: string, author: PeerRef) => void
  timers?: Timers
  random?: () => number
}

export interface DocSyncInit {
  /** How often a changed vector is announced (jittered by +-25 %); an unchanged one never is. */
  beaconIntervalMs: number
  /** Least gap between a change and the beacon that confirms it (plus a random share of it). */
  minBeaconGapMs: number
  repairDelayMs: number
  repairFanout: number
  /**
   * How long a document that has synced before lets a peer that joins its topic ask first
   * (plus a random share of it), before pulling from it.
   */
  joinGraceMs: number
}

export interface DocSyncEvents {
  status: (status: SyncStatus) => void
  peers: (peers: string[]) => void
  /** A pull with this peer completed. */
  synced: (peer: string) => void
}

/** True when `remote` holds everything in `vector`. */
function covers (remote: ReadonlyMap<string, number>, vector: ReadonlyMap<string, number>): boolean {
  for (const [author, seq] of vector) if ((remote.get(author) ?? 0) < seq) return false
  return true
}

/**
 * A peer around its join (invariant 6): in its grace (`timer` pulls from it when it ends), or, with
 * `early`, a peer whose request came before its subscription (`timer` forgets the request).
 */
interface Joiner {
  timer: unknown
  early?: { remote: ReadonlyMap<string, number>, controlDiffers: boolean }
}

/** Pulls in a row that may leave us behind one peer's claim before we wait for other signs. */
const MAX_SHORT_PULLS = 3

/**
 * A document with peers on its topic but none synced with asks one of them again after this,
 * doubling per try up to the maximum. The usual triggers (a peer joining, a beacon, a gap) had
 * their chance: measured at 100 peers starting in one process, 31 documents stayed `syncing` for
 * good once the pulls prompted by joins had failed (busy peers) or the peer synced with was gone.
 */
const CATCH_UP_FIRST_MS = 2_000
const CATCH_UP_MAX_MS = 30_000

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => { clearTimeout(handle as ReturnType<typeof setTimeout>) }
}

/**
 * The sync policy of one document: when to pull and from whom, when to announce
 * what we hold, and where the document stands (status, peers). Inputs arrive
 * through `receive()`; each one updates the state, then `evaluate()` decides.
 *
 * Invariants kept by `evaluate()` and the timers it sets:
 * 1. A gap or a peer known to be ahead is repaired after `repairDelayMs` (gossip
 *    usually fills it first), from at most `repairFanout` peers: those that delivered
 *    above the gap, then those whose beacons showed more, then any subscriber.
 * 2. Gossiped data is confirmed to its author by the peers that got it from the author
 *    itself, straight back over one short stream per burst (`acknowledge`), and is not
 *    announced to the topic: a beacon reaches every peer, so with every receiver
 *    announcing, the beacons of one edit grew with the square of the peers (measured
 *    at 100 peers: ~40 beacons per edit, 25,000 gossip messages a second, p50 2.3 s).
 *    Data from a pull is announced soon, once: a peer that announces at least what we
 *    were about to first spares us ours (suppression), and what arrived since waits for
 *    the next round. It is not announced at all when every peer on the topic is known
 *    to hold all we hold: the answering peer counts its reply as delivered.
 * 3. Periodic beacons only go out when someone listens, the vector changed since the
 *    last one someone announced (ours, or another peer's that covers all we hold) and it
 *    has held still for a moment (looked at again 1-2 s after a tick found it moving): an
 *    idle document sends nothing, a busy one nothing while edits stream in, and after a
 *    burst a few beacons in all (the first spares the rest), not one per peer. What an
 *    idle document may still miss (a lost last edit) is found by the per-neighbour heads
 *    exchange, which reports here as `heads-differ` and is answered with a pull.
 * 4. Status: `offline` without any connection, `connecting` with no peer on the
 *    topic, `syncing` while pulling or before the first completed pull with a current
 *    peer, `synced` after it (or after a joining peer's request showed it holds nothing
 *    we lack, invariant 6).
 * 5. `syncing` never lasts without a pull under way: with no pull running, one of the
 *    current peers is asked after `CATCH_UP_FIRST_MS`, then ever more rarely, each try
 *    the next peer in turn, until a pull completes.
 * 6. A peer joining the topic is pulled from at once by a document that never synced; one that
 *    has synced before gives it `joinGraceMs` (to 5/3 of it) to send its own request, and
 *    pulls back only if that request shows more than we hold, or other control ops.
 */
export class DocSync extends ObservableV2<DocSyncEvents> {
  private status: SyncStatus = 'offline'
  private peers: string[] = []
  /** Peers we completed a pull with since they (re)joined the topic. */
  private readonly syncedWith = new Set<string>()
  // The maps that only hold something for a moment (a gap, a beacon ahead, a short pull) are
  // created on first use and dropped when spent: an empty Map is ~180 bytes, times 1,000 documents.
  /** Peers that delivered envelopes above a gap: they hold what is missing. */
  private gapSources: Map<string, PeerRef> | undefined
  /** Peers whose beacon showed more than we hold, with what they showed. */
  private aheadPeers: Map<string, { peer: PeerRef, vector: ReadonlyMap<string, number> }> | undefined
  /** The newest vector each current peer showed us (its beacon, or its reply to our pull). */
  private readonly knownVectors = new Map<string, ReadonlyMap<string, number>>()
  /** Consecutive pulls per peer that left us behind what the peer claimed. */
  private shortPulls: Map<string, number> | undefined
  private repairWanted = false
  private announceWanted = false
  private repairTimer: unknown
  private soonTimer: unknown
  /** What the pending announcement was for: a beacon covering it makes ours redundant. */
  private soonVector: ReadonlyMap<string, number> | undefined
  private periodicTimer: unknown
  private catchUpTimer: unknown
  private catchUpTries = 0
  private lastAnnounced = ''
  /** Completed a pull at least once: a peer joining later is let to ask first (invariant 6). */
  private everSynced = false
  /** Peers around their join; created on first use (a thousand quiet documents need none). */
  private joiners: Map<string, Joiner> | undefined
  /** The vector at the previous periodic look: a periodic beacon waits until the vector holds still. */
  private lastTickVector = ''
  private running = false
  private readonly timers: Timers
  private readonly random: () => number

  constructor (
    private readonly replica: ReplicaView,
    private readonly host: DocSyncHost,
    private readonly init: DocSyncInit
  ) {
    super()
    this.timers = host.timers ?? realTimers
    this.random = host.random ?? Math.random
  }

  get currentStatus (): SyncStatus { return this.status }
  private subscribers (): PeerRef[] { return this.host.subscribers(this.replica.docId) }
  private isPulling (): boolean { return this.host.isPulling(this.replica.docId) }
  get currentPeers (): string[] { return [...this.peers] }

  start (): void {
    if (this.running) return
    this.running = true
    // What we hold on opening, peers learn from the pulls their joins and ours start: a beacon
    // of it told them nothing (measured: 1,000 documents opened by a partner sent a beacon each).
    this.lastAnnounced = this.lastTickVector = this.replica.vectorKey()
    // Peers already on the topic will not announce themselves again: ask them now.
    for (const peer of this.subscribers()) this.host.pull(this.replica.docId, peer, 'opened')
    this.evaluate()
  }

  stop (): void {
    this.running = false
    for (const t of [this.repairTimer, this.soonTimer, this.periodicTimer, this.catchUpTimer]) {
      if (t !== undefined) this.timers.clearTimeout(t)
    }
    this.repairTimer = this.soonTimer = this.periodicTimer = this.catchUpTimer = undefined
    for (const { timer } of this.joiners?.values() ?? []) this.timers.clearTimeout(timer)
    this.joiners = undefined
  }

  receive (input: DocSyncInput): void {
    if (!this.running) return
    switch (input.type) {
      case 'envelope':
        if (input.result === 'applied') {
          this.armPeriodic()
          if (input.fromAuthor) this.host.acknowledge(this.replica.docId, input.from)
        } else if (input.result === 'held') {
          (this.gapSources ??= new Map()).set(input.from.toString(), input.from)
          this.repairWanted = true
        }
        // An envelope that fills no gap changes neither status, peers nor timers: deciding again
        // per delivery cost ~2 % of a delivery's CPU at 25 peers (it lists the topic's subscribers).
        if (!this.repairWanted) return
        break
      case 'sealed':
        // A local edit changes nothing that decisions rest on; acks and beacons follow from it.
        this.armPeriodic()
        return
      case 'beacon': {
        this.knownVectors.set(input.from.toString(), input.vector)
        const mine = input.vector.get(this.replica.author) ?? 0
        if (mine > 0) this.replica.confirm(mine)
        // Someone announced at least what we were about to: ours is redundant. What reached us
        // since is announced in a later round (unless someone else covers that too). Measured at
        // 25 peers on one document with edits streaming in: one beacon per edit, each verified
        // by every peer, when only a vector equal to ours cancelled ours.
        if (this.soonVector !== undefined && covers(input.vector, this.soonVector)) {
          this.cancelSoon()
          if (!this.replica.isCoveredBy(input.vector)) this.announceWanted = true
        }
        // Invariant 3: what this beacon told every peer on the topic, ours would only repeat.
        if (this.replica.isCoveredBy(input.vector)) this.lastAnnounced = this.replica.vectorKey()
        if (this.replica.isBehind(input.vector)) {
          (this.aheadPeers ??= new Map()).set(input.from.toString(), { peer: input.from, vector: input.vector })
          this.repairWanted = true
        }
        break
      }
      case 'gap':
        this.repairWanted = true
        break
      case 'peer-joined':
        this.peerJoined(input.peer)
        this.armPeriodic()
        break
      case 'served': {
        const key = input.peer.toString()
        const joiner = this.joiners?.get(key)
        const onTopic = this.peers.includes(key)
        if (joiner !== undefined && joiner.early === undefined) {
          this.dropJoiner(key)
          this.judgeJoiner(input.peer, input.remote, input.controlDiffers)
        } else if (this.everSynced && !onTopic) {
          // Its request came before its subscription reached us: kept for a moment, for the join.
          this.dropJoiner(key)
          const timer = this.timers.setTimeout(() => { this.joiners?.delete(key) }, this.init.joinGraceMs * 5 / 3)
          this.joiners ??= new Map()
          this.joiners.set(key, { timer, early: { remote: input.remote, controlDiffers: input.controlDiffers } })
        }
        // Any other request is not judged: at a busy document most show an edit still in flight
        // on gossip, which repair handles without pulling back. What it tells is kept: once it has
        // read our reply, the requester holds all we hold too (if it could not, it asks again).
        if (onTopic) {
          const holds = new Map(input.remote)
          for (const [author, seq] of this.replica.vector()) holds.set(author, Math.max(seq, holds.get(author) ?? 0))
          this.knownVectors.set(key, holds)
        }
        break
      }
      case 'peer-left':
        this.dropJoiner(input.peer.toString())
        this.syncedWith.delete(input.peer.toString())
        this.knownVectors.delete(input.peer.toString())
        break
      case 'pull-started':
      case 'connectivity':
        break
      case 'heads-differ':
        this.host.pull(this.replica.docId, input.peer, 'heads digest differs')
        break
      case 'pull-finished': {
        const key = input.peer.toString()
        if (input.ok) {
          this.everSynced = true
          this.syncedWith.add(key)
          this.emit('synced', [key])
          if (input.remote !== undefined) this.knownVectors.set(key, input.remote)
        }
        // Still behind what the peer says it holds (a reply cut short, or a checkpoint whose claims
        // could not all be proven): ask again soon, a few times, rather than wait for a beacon.
        if (input.ok && input.remote !== undefined && this.replica.isBehind(input.remote)) {
          this.shortPulls ??= new Map()
          const tries = (this.shortPulls.get(key) ?? 0) + 1
          this.shortPulls.set(key, tries)
          if (tries <= MAX_SHORT_PULLS) {
            (this.aheadPeers ??= new Map()).set(key, { peer: input.peer, vector: input.remote })
            this.repairWanted = true
          }
        } else {
          this.shortPulls?.delete(key)
          if (this.shortPulls?.size === 0) this.shortPulls = undefined
        }
        // Data that came by a pull must be confirmed to its authors as fast as gossiped data. When
        // every peer on the topic is known to hold all we hold (typically: the one we just pulled
        // from), an announcement would tell nobody anything: the peer that answered counts the
        // pull as delivered once we read its reply, so nobody waits on ours. Measured with 1,000
        // documents replicated to a partner: 1,000 such beacons, verified one by one, trickled in
        // over the following 10 s.
        if (input.applied) {
          if (this.everyPeerHoldsOurs()) this.lastAnnounced = this.replica.vectorKey()
          else this.announceWanted = true
          this.armPeriodic()
        }
        break
      }
    }
    this.evaluate()
  }

  /**
   * Invariant 6: a document that has synced before lets a joining peer ask first. The joiner's
   * request shows what it holds; only if that is more than we hold (or its control ops differ)
   * do we pull back. Each side pulling the other at once cost a returning peer's catch-up an
   * extra request and reply (182 bytes of 10,600).
   */
  private peerJoined (peer: PeerRef): void {
    const key = peer.toString()
    if (!this.everSynced) {
      this.host.pull(this.replica.docId, peer, 'peer joined the topic')
      return
    }
    const early = this.joiners?.get(key)?.early
    this.dropJoiner(key)
    if (early !== undefined) {
      this.judgeJoiner(peer, early.remote, early.controlDiffers)
      return
    }
    const delay = this.init.joinGraceMs * (1 + this.random() * 2 / 3)
    const timer = this.timers.setTimeout(() => {
      this.joiners?.delete(key)
      if (this.running) this.host.pull(this.replica.docId, peer, 'peer joined the topic and did not ask')
    }, delay)
    this.joiners ??= new Map()
    this.joiners.set(key, { timer })
  }

  /** A joining peer's request showed what it holds: pull back only if that is more than we hold. */
  private judgeJoiner (peer: PeerRef, remote: ReadonlyMap<string, number>, controlDiffers: boolean): void {
    this.knownVectors.set(peer.toString(), remote)
    if (controlDiffers || this.replica.isBehind(remote)) {
      this.host.pull(this.replica.docId, peer, 'a joining peer holds more than we do')
    } else {
      // It holds nothing we lack: as good as a completed pull for our status.
      this.syncedWith.add(peer.toString())
    }
  }

  private dropJoiner (key: string): void {
    const joiner = this.joiners?.get(key)
    if (joiner === undefined) return
    this.timers.clearTimeout(joiner.timer)
    this.joiners?.delete(key)
  }

  private everyPeerHoldsOurs (peers = this.subscribers()): boolean {
    return peers.length > 0 && peers.every(p => {
      const known = this.knownVectors.get(p.toString())
      return known !== undefined && this.replica.isCoveredBy(known)
    })
  }

  /** The single decision function: status, repairs and announcements follow from the state. */
  private evaluate (): void {
    const peers = this.subscribers().map(p => p.toString()).sort()
    if (peers.length !== this.peers.length || peers.some((p, i) => p !== this.peers[i])) {
      this.peers = peers
      for (const p of this.syncedWith) if (!peers.includes(p)) this.syncedWith.delete(p)
      for (const p of this.knownVectors.keys()) if (!peers.includes(p)) this.knownVectors.delete(p)
      this.emit('peers', [this.currentPeers])
    }
    let status: SyncStatus
    if (!this.host.isOnline()) status = 'offline'
    else if (peers.length === 0) status = 'connecting'
    else if (this.isPulling() || !peers.some(p => this.syncedWith.has(p))) status = 'syncing'
    else status = 'synced'
    if (status !== this.status) {
      this.status = status
      this.emit('status', [status])
    }
    if (status === 'syncing' && !this.isPulling()) {
      if (this.catchUpTimer === undefined) {
        const backoff = Math.min(CATCH_UP_MAX_MS, CATCH_UP_FIRST_MS * 2 ** this.catchUpTries)
        const delay = backoff * (0.75 + this.random() * 0.5)
        this.catchUpTimer = this.timers.setTimeout(this.catchUp, delay)
      }
    } else if (status !== 'syncing') {
      this.catchUpTries = 0
      if (this.catchUpTimer !== undefined) this.timers.clearTimeout(this.catchUpTimer)
      this.catchUpTimer = undefined
    }
    if (this.repairWanted && this.repairTimer === undefined) {
      this.repairTimer = this.timers.setTimeout(this.repair, this.init.repairDelayMs)
    }
    this.repairWanted = false
    if (this.announceWanted && this.soonTimer === undefined) {
      // The random share lets suppression work: the first peer to announce spares the others.
      const delay = this.init.minBeaconGapMs * (1 + this.random())
      this.soonVector = this.replica.vector()
      this.soonTimer = this.timers.setTimeout(() => {
        this.soonTimer = this.soonVector = undefined
        this.announce()
      }, delay)
    }
    this.announceWanted = false
  }

  /** Pulls what is still missing, from a couple of the peers known to hold it. */
  private readonly repair = (): void => {
    this.repairTimer = undefined
    if (!this.running) return
    const targets = new Map<string, PeerRef>()
    if (this.replica.hasGap()) {
      for (const [key, peer] of this.gapSources ?? []) targets.set(key, peer)
      if (targets.size === 0) for (const peer of this.subscribers()) targets.set(peer.toString(), peer)
    }
    for (const [key, ahead] of this.aheadPeers ?? []) {
      if (this.replica.isBehind(ahead.vector)) targets.set(key, ahead.peer)
    }
    this.gapSources = this.aheadPeers = undefined
    for (const peer of [...targets.values()].slice(0, this.init.repairFanout)) {
      this.host.pull(this.replica.docId, peer, 'gap or beacon difference persisted')
    }
  }

  /** Invariant 5: a document still not synced with any current peer asks the next one. */
  private readonly catchUp = (): void => {
    this.catchUpTimer = undefined
    if (!this.running) return
    const peers = this.subscribers()
    if (peers.length > 0 && !this.isPulling() && !peers.some(p => this.syncedWith.has(p.toString()))) {
      this.host.pull(this.replica.docId, peers[this.catchUpTries % peers.length], 'no current peer synced with yet')
      this.catchUpTries++
    }
    // A pull that started reports back; one refused at once (an open circuit) leaves us
    // syncing and not pulling, and the next try is scheduled here.
    this.evaluate()
  }

  private cancelSoon (): void {
    if (this.soonTimer === undefined) return
    this.timers.clearTimeout(this.soonTimer)
    this.soonTimer = this.soonVector = undefined
  }

  /**
   * The periodic tick runs only while the vector has moved since it was last announced: an edit,
   * a delivery or a pull arms it (a no-op while armed), and a tick that finds nothing to announce
   * ends it. A thousand replicated documents at rest each woke the process every ~10 s (measured:
   * 100 timer callbacks a second with a partner holding all of them), to find nothing to do.
   */
  private armPeriodic (): void {
    if (this.periodicTimer === undefined) this.schedulePeriodic()
  }

  private schedulePeriodic (soon = false): void {
    // Alone on the topic, a tick has no one to tell: no timer until a peer joins. A thousand
    // documents open alone each woke the process every ~10 s (measured: 80 wake-ups a second).
    if (!this.running || this.subscribers().length === 0) return
    // Jitter keeps the peers of one document from beaconing in lockstep.
    const delay = soon
      ? this.init.minBeaconGapMs * (1 + this.random())
      : this.init.beaconIntervalMs * (0.75 + this.random() * 0.5)
    this.periodicTimer = this.timers.setTimeout(() => {
      this.periodicTimer = undefined
      if (this.tick()) this.schedulePeriodic(true)
    }, delay)
  }

  /**
   * A periodic tick. An unchanged vector stays quiet, and the tick ends (false). A vector still
   * moving since the last look stays quiet too, and is looked at again soon (true): while edits
   * stream in, gaps show in the sequence numbers and authors hear from their neighbours (acks);
   * the beacon is for after, when a lost last edit has nothing behind it to reveal it.
   */
  private tick (): boolean {
    // Nobody to tell: not even worth reading the vector (a thousand documents open alone).
    const peers = this.subscribers()
    if (!this.running || peers.length === 0) return false
    const vector = this.replica.vectorKey()
    const moving = vector !== this.lastTickVector
    // Equal strings share one copy: an idle document keeps a single vector key.
    this.lastTickVector = vector === this.lastAnnounced ? this.lastAnnounced : vector
    if (vector === this.lastAnnounced) return false
    if (moving) return true
    this.lastAnnounced = vector
    // Every peer on the topic is known to hold all we hold (its pull, its beacon): nothing to tell.
    if (!this.everyPeerHoldsOurs(peers)) this.host.announce(this.replica.docId)
    return false
  }

  /** The announcement 1-2 s after pulled data (invariant 2); periodic ones go through `tick`. */
  private announce (): void {
    if (!this.running || this.subscribers().length === 0) return
    this.lastAnnounced = this.replica.vectorKey()
    this.host.announce(this.replica.docId)
  }
}
