import { logger } from '@libp2p/logger'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { ObservableV2 } from 'lib0/observable'
import type { Awareness } from 'y-protocols/awareness'
import type { PeerId, PeerInfo } from '@libp2p/interface'
import { HybridLogicalClock, packHlc } from './clock/hlc.js'
import { skewReporter } from './clock/skew-report.js'
import { Store } from './store/store.js'
import { Signer, loadOrCreatePeerKey } from './identity/peer-key.js'
import { Replica, type AdoptedDoc, type ReplicaContext } from './replica/replica.js'
import { DormantReplica } from './replica/dormant.js'
import { vectorFromWire } from './replica/version-vector.js'
import { createNode, type WeftLibp2p } from './net/libp2p-node.js'
import { PeerGuard } from './net/peer-guard.js'
import { Dialer } from './discovery/dialer.js'
import { Rendezvous } from './discovery/rendezvous.js'
import { KeepConnected } from './discovery/keep-connected.js'
import { ConnectionBudget } from './net/connection-budget.js'
import { dhtSettings } from './net/public-network.js'
import { Gossip, type TopicMember } from './sync/gossip.js'
import { PullProtocol } from './sync/pull.js'
import { PullScheduler } from './sync/scheduler.js'
import { HeadsExchange, vectorHash, type SharedHead } from './sync/heads.js'
import { DeliveryAcks } from './sync/ack.js'
import { stampOf } from './sync/validate.js'
import { makeBeacon } from './sync/beacon.js'
import { DocSync, type DocSyncHost } from './sync/doc-sync.js'
import type { PubSubLike } from './sync/topic-gate.js'
import { Handle, type LoadedDoc } from './handle.js'
import { AwarenessChannel } from './presence/channel.js'
import { PresenceRelays } from './presence/relays.js'
import type { AwarenessLimits } from './presence/gate.js'
import { METRIC, Metrics } from './metrics/metrics.js'
import { DEFAULTS, PROTOCOL, TUNING } from './defaults.js'
import { DOC_ID_SYNTAX, isValidDocId, newDocId } from './doc-id.js'
import type { Platform } from './platform/platform.js'
import type {
  CreateOptions, DocSnapshot, OpenOptions, PeerInfoSnapshot, Weft, WeftEvents, WeftOptions
} from './types.js'
import type { Beacon } from './wire/codec.js'
import { normalizeOptions, validateOptions } from './options.js'
import { attachAccess, createPrivateDoc, loadAccess, presenceSeal, redeemWhenReady } from './trust/engine-glue.js'
import { parseLink } from './trust/link.js'
import { isPrivateDocId } from './trust/keys.js'
import { authorHex, peerAuthor } from './replica/version-vector.js'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'

const log = logger('weft:engine')

export { isValidDocId, newDocId }

/** `open(id, { doc })` on a document that is already open with another Y.Doc. */
export class DocAdoptionError extends Error {
  override name = 'DocAdoptionError'
  constructor (readonly docId: string) {
    super(`document ${docId} is already open with another Y.Doc: ` +
      'open it without { doc }, or close the other handles first')
  }
}

/** gossipsub's 'subscription-change' event detail. */
interface SubscriptionChange { peerId: PeerId, subscriptions: Array<{ topic: string, subscribe: boolean }> }

interface DocEntry extends LoadedDoc {
  readonly leases: Set<Handle>
  unloading: boolean
  /** Last edit, applied envelope, or lease change: what "idle" is measured from. */
  lastActivity: number
  idleTimer?: ReturnType<typeof setTimeout>
}

/**
 * Wires the subsystems together and owns their lifecycle. Each subsystem does
 * one job (store, replica, gossip, pull, discovery, presence); the sync policy
 * of each document lives in its DocSync. The engine keeps the loaded documents,
 * hands out leases on them, and routes network events by document id.
 */
export class Engine extends ObservableV2<WeftEvents> implements Weft {
  private readonly docs = new Map<string, DocEntry>()
  /** Documents replicated whether or not anyone holds them open (`serve()`): the daemon's pins. */
  private readonly served = new Set<string>()
  /** Served documents unloaded while idle: their vector only, answering sync from the store. */
  private readonly dormant = new Map<string, DormantReplica>()
  /** Ids this peer is creating right now: no other peer can hold them yet (see Rendezvous.join). */
  private readonly justCreated = new Set<string>()
  /** A load or unload in flight per document: the next open waits for it. */
  private readonly transitions = new Map<string, Promise<unknown>>()
  private readonly gossip: Gossip
  private readonly pull: PullProtocol
  private readonly scheduler: PullScheduler
  private readonly dialer: Dialer
  private readonly rendezvous: Rendezvous
  private readonly relays: PresenceRelays
  private readonly heads: HeadsExchange
  private readonly acks: DeliveryAcks
  private readonly keepConnected: KeepConnected
  private readonly budget: ConnectionBudget
  private readonly replicaContext: ReplicaContext
  /** What every document's sync policy asks of the engine (one object, not closures per document). */
  private readonly syncHost: DocSyncHost = {
    subscribers: id => this.gossip.subscribers(id),
    isOnline: () => this.libp2p.getConnections().length > 0,
    pull: (id, peer, reason) => {
      const replica = this.docs.get(id)?.replica
      if (replica !== undefined) this.scheduler.request(replica, peer as PeerId, reason)
    },
    isPulling: id => this.scheduler.isPulling(id),
    announce: id => {
      const replica = this.docs.get(id)?.replica
      if (replica !== undefined) this.announce(replica)
    },
    acknowledge: (id, peer) => { this.acks.add(peer as PeerId, id) }
  }

  private stopping: Promise<void> | undefined

  private constructor (
    readonly libp2p: WeftLibp2p,
    private readonly store: Store,
    private readonly signer: Signer,
    private readonly clock: HybridLogicalClock,
    readonly metrics: Metrics,
    private readonly options: WeftOptions,
    platform: Platform,
    private readonly guard: PeerGuard
  ) {
    super()
    const verifier = { ed25519: platform.ed25519, clock }
    const maxEnvelopeBytes = options.maxEnvelopeBytes ?? DEFAULTS.maxEnvelopeBytes
    this.replicaContext = {
      store,
      signer,
      clock,
      metrics,
      options: {
        batchWindowMs: options.batchWindowMs ?? DEFAULTS.batchWindowMs,
        minSealIntervalMs: options.minSealIntervalMs ?? DEFAULTS.minSealIntervalMs,
        maxEnvelopesPerSync: options.maxEnvelopesPerSync ?? DEFAULTS.maxEnvelopesPerSync,
        checkpointEvery: options.checkpointEvery ?? DEFAULTS.checkpointEvery,
        retainAfterCheckpoint: TUNING.retainAfterCheckpoint,
        history: options.history ?? DEFAULTS.history
      }
    }
    const offence = (peer: string, reason: string): void => { guard.offence(peer, reason) }
    this.gossip = new Gossip(libp2p.services.pubsub, { verifier, metrics, maxEnvelopeBytes, offence })
    this.pull = new PullProtocol(libp2p, {
      verifier,
      metrics,
      responderFor: id => this.docs.get(id)?.replica ?? this.dormant.get(id),
      served: (id, peer, remote, controlDiffers) => {
        this.docs.get(id)?.sync.receive({ type: 'served', peer, remote, controlDiffers })
      },
      maxEnvelopeBytes,
      maxSyncResponseBytes: options.maxSyncResponseBytes ?? DEFAULTS.maxSyncResponseBytes,
      timeoutMs: TUNING.pullTimeoutMs,
      servedPerPeerPerSecond: TUNING.servedPerPeerPerSecond,
      requestReadTimeoutMs: TUNING.requestReadTimeoutMs,
      offence
    })
    this.scheduler = new PullScheduler(this.pull, {
      started: id => this.docs.get(id)?.sync.receive({ type: 'pull-started' }),
      finished: (id, peer, result) => this.docs.get(id)?.sync.receive({
        type: 'pull-finished',
        peer,
        ok: result !== undefined,
        applied: result !== undefined && (result.envelopes > 0 || result.checkpoint),
        remote: result?.remote
      })
    })
    this.dialer = new Dialer(libp2p, metrics)
    this.rendezvous = new Rendezvous(libp2p, this.dialer, metrics, {
      intervalMs: options.discoveryIntervalMs ?? DEFAULTS.discoveryIntervalMs,
      peersFor: id => this.gossip.subscribers(id).length,
      targetPeers: TUNING.targetPeers
    })
    this.relays = new PresenceRelays(this.pubsub, this.peerId, metrics,
      id => presenceSeal(id, () => this.docs.get(id)?.replica.access))
    const dht = dhtSettings(options)
    this.budget = new ConnectionBudget({
      libp2p,
      docsByPeer: () => this.docsByPeer(),
      meshPeers: () => this.gossip.meshPeers(),
      busyProtocols: [PROTOCOL.sync, PROTOCOL.heads, PROTOCOL.ack, dht.protocol],
      dropKadKeepAlive: !dht.dialToVerifyContacts,
      onClosed: () => { metrics.inc(METRIC.connectionsTrimmed) }
    }, {
      floor: TUNING.targetPeers,
      holdersPerDoc: TUNING.targetPeers,
      graceMs: TUNING.connectionGraceMs
    }, TUNING.connectionBudgetIntervalMs)
    this.keepConnected = new KeepConnected({
      connectionCount: () => this.libp2p.getConnections().length,
      dial: async addresses => await this.dial(addresses)
    }, options.bootstrap ?? [])
    this.heads = new HeadsExchange(libp2p, {
      metrics,
      sharedWith: peer => this.sharedWith(peer),
      differs: (peer, ids) => {
        for (const id of ids) void this.whenLoaded(id, entry => { entry.sync.receive({ type: 'heads-differ', peer }) })
      },
      intervalMs: options.headsIntervalMs ?? DEFAULTS.headsIntervalMs,
      timeoutMs: TUNING.pullTimeoutMs,
      requestReadTimeoutMs: TUNING.requestReadTimeoutMs,
      offence
    })
    this.acks = new DeliveryAcks(libp2p, {
      metrics,
      flush: async () => { await this.store.flush() },
      held: (id, peer) => {
        const author = peerAuthor(peer)
        return author === undefined ? 0 : this.docs.get(id)?.replica.vv.get(author) ?? 0
      },
      confirmed: (peer, id, seq) => {
        const replica = this.docs.get(id)?.replica
        const author = peerAuthor(peer)
        // Private documents: as with beacons, only a member's word counts as delivery.
        if (replica === undefined || author === undefined || replica.access?.isMember(author) === false) return
        replica.confirm(seq)
      },
      stamp: () => packHlc(this.clock.now()),
      observeStamp: hlc => { this.clock.observeFresh(stampOf('delivery ack', hlc)) },
      delayMs: TUNING.minBeaconGapMs,
      timeoutMs: TUNING.pullTimeoutMs,
      requestReadTimeoutMs: TUNING.requestReadTimeoutMs,
      offence
    })
    metrics.gauge(METRIC.documentsOpen, () => this.docs.size)
    metrics.gauge(METRIC.peersConnected, () => this.libp2p.getPeers().length)
    metrics.gauge(METRIC.presenceRelays, () => this.relays.active)
    metrics.gauge(METRIC.documentsServed, () => this.served.size)
    metrics.gauge(METRIC.documentsDormant, () => this.dormant.size)
    metrics.gauge(METRIC.peersBannedNow, () => guard.bannedCount)
  }

  static async create (options: WeftOptions, platform: Platform): Promise<Engine> {
    const metrics = new Metrics()
    const db = await platform.openLevel(options.dataDir)
    const store = new Store(db, () => metrics.inc(METRIC.storeErrors))
    try {
      const privateKey = await loadOrCreatePeerKey(store)
      const signer = new Signer(privateKey, platform.ed25519)
      const onSkew = skewReporter({ count: d => metrics.inc(METRIC.clockSkew, d), listener: options.onClockSkew })
      const clock = new HybridLogicalClock({ maxDriftMs: options.maxClockDriftMs, onSkew })
      let node: WeftLibp2p | undefined
      const guard = new PeerGuard({
        threshold: TUNING.banThreshold,
        windowMs: TUNING.banWindowMs,
        banMs: TUNING.banMs,
        onBan: (peer, reasons) => {
          const worst = Object.entries(reasons).sort((a, b) => b[1] - a[1])[0]?.[0] ?? ''
          metrics.inc(METRIC.peersBanned, worst)
          log('cut off %s for %d min: %o', peer, TUNING.banMs / 60_000, reasons)
          void node?.hangUp(peerIdFromString(peer)).catch(() => {})
        }
      })
      const libp2p = node = await createNode(options, platform, privateKey, guard)
      const engine = new Engine(libp2p, store, signer, clock, metrics, options, platform, guard)
      await engine.start()
      return engine
    } catch (err) {
      await store.close()
      throw err
    }
  }

  private get pubsub (): PubSubLike {
    return this.libp2p.services.pubsub as unknown as PubSubLike
  }

  private async start (): Promise<void> {
    this.libp2p.addEventListener('peer:connect', this.onConnectionChange)
    this.libp2p.addEventListener('peer:disconnect', this.onConnectionChange)
    this.lanDiscovery()?.addEventListener('peer', this.onLanPeer)
    this.libp2p.services.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    await this.pull.start()
    await this.heads.start()
    await this.acks.start()
    this.keepConnected.start()
    this.budget.start()
    // @libp2p/bootstrap refuses in-process (/memory) addresses: dial those here.
    const memory = (this.options.bootstrap ?? []).filter(a => a.startsWith('/memory/'))
    if (memory.length > 0) void this.dial(memory).catch(() => false)
    log('started %p on %s', this.libp2p.peerId, this.multiaddrs.join(', '))
  }

  get peerId (): string {
    return this.libp2p.peerId.toString()
  }

  get multiaddrs (): string[] {
    return this.libp2p.getMultiaddrs().map(ma => ma.toString())
  }

  // ---- documents ---------------------------------------------------------

  async create (options: CreateOptions = {}): Promise<Handle> {
    if (this.stopping !== undefined) throw new Error('weft is stopped')
    const id = options.access === 'private' ? await createPrivateDoc(this.store, this.signer) : newDocId()
    this.justCreated.add(id)
    try {
      return await this.open(id, options)
    } finally {
      this.justCreated.delete(id)
    }
  }

  async join (link: string, options: OpenOptions & { signal?: AbortSignal } = {}): Promise<Handle> {
    const { docId, peers } = parseLink(link)
    if (peers.length > 0) await this.dial(peers, { signal: options.signal }).catch(() => false)
    const handle = await this.open(docId, options)
    const entry = this.docs.get(docId)
    if (entry !== undefined) {
      await redeemWhenReady(entry.replica, link, options.signal ?? AbortSignal.timeout(30_000))
      // Peers serve content to members only: ask again once the Redeem has had time to reach them.
      setTimeout(() => {
        if (this.docs.get(docId) !== entry) return
        for (const peer of this.gossip.subscribers(docId)) entry.sync.receive({ type: 'heads-differ', peer })
      }, TUNING.repairDelayMs)
    }
    return handle
  }

  async open (id: string, options: OpenOptions = {}): Promise<Handle> {
    this.checkDocId(id)
    const adopted: AdoptedDoc | undefined = options.doc === undefined
      ? undefined
      : { doc: options.doc, origin: options.origin }
    let lease: Handle | undefined
    await this.loaded(id, adopted, entry => {
      if (adopted !== undefined && entry.replica.doc !== adopted.doc) throw new DocAdoptionError(id)
      lease = new Handle(entry, this.release)
      entry.leases.add(lease)
      this.touch(entry)
    })
    if (lease === undefined) throw new Error('weft is stopped')
    return lease
  }

  /**
   * Waits for the document to be loaded (loading it if needed) and calls `use` in the same
   * turn as the check that found it loaded, so no unload can slip in between.
   */
  private async loaded (id: string, adopted: AdoptedDoc | undefined, use: (entry: DocEntry) => void): Promise<boolean> {
    for (;;) {
      if (this.stopping !== undefined) throw new Error('weft is stopped')
      const entry = this.docs.get(id)
      if (entry !== undefined && !entry.unloading) {
        use(entry)
        return true
      }
      const inFlight = this.transitions.get(id)
      if (inFlight !== undefined) {
        // A close still running must finish first, or two replicas would share one store.
        await inFlight.catch(() => {})
        continue
      }
      const loading = this.load(id, adopted).finally(() => this.transitions.delete(id))
      this.transitions.set(id, loading)
      await loading
    }
  }

  private async load (id: string, adopted: AdoptedDoc | undefined): Promise<void> {
    // A just-created open document has a fresh random id: nothing stored to read back.
    const fresh = this.justCreated.has(id) && !isPrivateDocId(id)
    const access = fresh ? undefined : await loadAccess(id, this.store, this.signer)
    const replica = await Replica.load(id, this.replicaContext, adopted, access, fresh)
    attachAccess(replica, op => { void this.gossip.publishControl(id, op) })
    const sync = new DocSync(replica, this.syncHost, {
      beaconIntervalMs: this.options.beaconIntervalMs ?? DEFAULTS.beaconIntervalMs,
      minBeaconGapMs: TUNING.minBeaconGapMs,
      repairDelayMs: TUNING.repairDelayMs,
      repairFanout: TUNING.repairFanout,
      joinGraceMs: TUNING.joinGraceMs
    })
    const entry: DocEntry = {
      replica, sync, leases: new Set(), unloading: false, lastActivity: Date.now(), addresses: () => this.multiaddrs
    }
    replica.on('sealed', (_bytes, envelope) => {
      void this.gossip.publishEnvelope(envelope)
      this.touch(entry)
      sync.receive({ type: 'sealed' })
    })
    replica.on('gap', () => { sync.receive({ type: 'gap' }) })
    // A dormant document hands over: its topic and DHT record stay as they are.
    this.dormant.delete(id)
    this.gossip.join(id, this.topicMember(id))
    this.docs.set(id, entry)
    if (this.options.relayPresence ?? DEFAULTS.relayPresence) this.relays.documentLoaded(id)
    await this.rendezvous.join(id, { created: this.justCreated.has(id), served: this.served.has(id) })
    sync.start()
    if (this.served.has(id)) this.scheduleIdleCheck(entry)
    log('loaded %s', id)
  }

  /** Routes a document's gossip to whichever form it has now: loaded, or dormant in the store. */
  private topicMember (id: string): TopicMember {
    const engine = this
    return {
      get access () { return engine.docs.get(id)?.replica.access },
      differsFromHeld: envelope => this.docs.get(id)?.replica.differsFromHeld(envelope) ?? false,
      reportFork: (envelope, bytes) => { this.docs.get(id)?.replica.reportFork(envelope, bytes) },
      has: (author, seq) =>
        this.docs.get(id)?.replica.has(author, seq) ?? this.dormant.get(id)?.has(author, seq) ?? false,
      onEnvelope: (envelope, bytes, from) => {
        void this.whenLoaded(id, entry => {
          const result = entry.replica.ingest(envelope, bytes)
          if (result === 'applied') this.touch(entry)
          entry.sync.receive({ type: 'envelope', from, result, fromAuthor: sentByAuthor(envelope.author, from) })
        })
      },
      onBeacon: (beacon, from) => {
        // Private documents: a non-member's beacon neither confirms our edits nor steers repair.
        if (this.docs.get(id)?.replica.access?.isMember(authorHex(beacon.signer)) === false) return
        const vector = vectorFromWire(beacon.vv)
        // A dormant document wakes only for a beacon that shows something it lacks.
        const dormant = this.dormant.get(id)
        if (dormant !== undefined && !dormant.vv.isBehind(vector)) return
        const source = this.beaconSource(beacon, from)
        void this.whenLoaded(id, entry => { entry.sync.receive({ type: 'beacon', from: source, vector }) })
      }
    }
  }

  /** Runs `use` on the loaded document, waking it first if it is served but dormant; never reopens a closed one. */
  private async whenLoaded (id: string, use: (entry: DocEntry) => void): Promise<void> {
    for (;;) {
      const entry = this.docs.get(id)
      if (entry !== undefined && !entry.unloading) {
        use(entry)
        return
      }
      const inFlight = this.transitions.get(id)
      if (inFlight !== undefined) {
        await inFlight.catch(() => {})
        continue
      }
      if (!this.served.has(id) || this.stopping !== undefined) return
      try {
        await this.loaded(id, undefined, use)
      } catch (err: any) {
        if (this.stopping === undefined) log.error('waking %s failed: %e', id, err)
      }
      return
    }
  }

  private touch (entry: DocEntry): void {
    entry.lastActivity = Date.now()
  }

  /** A served document nobody holds goes dormant once it has been idle for `unloadIdleAfterMs`. */
  private scheduleIdleCheck (entry: DocEntry): void {
    const after = this.options.unloadIdleAfterMs ?? DEFAULTS.unloadIdleAfterMs
    // A dormant form knows no access rules: private documents stay loaded while served.
    if (!Number.isFinite(after) || entry.idleTimer !== undefined || entry.replica.access !== undefined) return
    const wait = Math.max(0, entry.lastActivity + after - Date.now())
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = undefined
      const id = entry.replica.docId
      if (this.docs.get(id) !== entry || entry.leases.size > 0 || !this.served.has(id)) return
      if (Date.now() - entry.lastActivity < after || this.scheduler.isPulling(id)) {
        this.scheduleIdleCheck(entry)
        return
      }
      this.startUnload(id, entry, 'dormant')
    }, wait)
  }

  /** A lease was closed: the last one unloads the document (or lets a served one go idle). */
  private readonly release = async (lease: Handle): Promise<void> => {
    const entry = this.docs.get(lease.id)
    if (entry === undefined || !entry.leases.delete(lease)) return
    if (entry.leases.size > 0 || entry.unloading) return
    this.touch(entry)
    if (this.served.has(lease.id)) {
      // Still replicated for the network; flushed now, unloaded once idle.
      await entry.replica.flush()
      this.scheduleIdleCheck(entry)
      return
    }
    await this.startUnload(lease.id, entry, 'closed')
  }

  /**
   * Unloads a document: `closed` stops replicating it; `dormant` keeps its topic and DHT
   * record, answers sync from the store, and wakes on activity.
   */
  private async startUnload (id: string, entry: DocEntry, to: 'closed' | 'dormant'): Promise<void> {
    entry.unloading = true
    clearTimeout(entry.idleTimer)
    this.docs.delete(id)
    // Dormant from this very turn: gossip that arrives meanwhile is routed, and waits for the unload.
    if (to === 'dormant') this.dormant.set(id, DormantReplica.fromVector(id, entry.replica.vv, this.replicaContext))
    const unloading = (async () => {
      entry.sync.stop()
      this.relays.documentUnloaded(id)
      if (to === 'closed') {
        this.gossip.leave(id)
        this.rendezvous.leave(id)
      }
      await entry.replica.close()
      await this.store.flush()
      log('%s %s', to === 'closed' ? 'closed' : 'unloaded idle', id)
    })().finally(() => this.transitions.delete(id))
    this.transitions.set(id, unloading)
    await unloading
  }

  async serve (id: string): Promise<void> {
    this.checkDocId(id)
    if (this.served.has(id)) return
    this.served.add(id)
    const entry = this.docs.get(id)
    if (entry !== undefined) {
      this.scheduleIdleCheck(entry)
      this.rendezvous.provideNow(id)
      return
    }
    await this.transitions.get(id)?.catch(() => {})
    if (this.docs.has(id) || this.dormant.has(id) || !this.served.has(id)) return
    if (isPrivateDocId(id)) {
      // Checked against its access rules, so loaded (see scheduleIdleCheck).
      await this.loaded(id, undefined, entry => { this.scheduleIdleCheck(entry) })
      return
    }
    const dormant = await DormantReplica.open(id, this.replicaContext)
    if (this.docs.has(id) || this.dormant.has(id) || !this.served.has(id) || this.stopping !== undefined) return
    await this.store.markDocument(id)
    this.dormant.set(id, dormant)
    this.gossip.join(id, this.topicMember(id))
    await this.rendezvous.join(id, { served: true })
  }

  async unserve (id: string): Promise<void> {
    this.checkDocId(id)
    if (!this.served.delete(id)) return
    const entry = this.docs.get(id)
    if (entry !== undefined) {
      if (entry.leases.size === 0 && !entry.unloading) await this.startUnload(id, entry, 'closed')
      return
    }
    if (this.dormant.delete(id)) {
      this.gossip.leave(id)
      this.rendezvous.leave(id)
    }
  }

  servedDocuments (): string[] {
    return [...this.served]
  }

  async forget (id: string): Promise<void> {
    this.checkDocId(id)
    // Every lease goes, so nothing serves, provides or re-seals it; then the store forgets it.
    await this.unserve(id)
    for (;;) {
      const entry = this.docs.get(id)
      if (entry !== undefined) await Promise.all([...entry.leases].map(async lease => { await lease.close() }))
      const inFlight = this.transitions.get(id)
      if (inFlight === undefined && !this.docs.has(id)) break
      await inFlight?.catch(() => {})
    }
    await this.store.deleteDocument(id)
    log('forgot %s', id)
  }

  private checkDocId (id: string): void {
    if (!isValidDocId(id)) throw new TypeError(`invalid document id ${JSON.stringify(id)}: expected ${DOC_ID_SYNTAX}`)
    if (this.stopping !== undefined) throw new Error('weft is stopped')
  }

  openDocuments (): string[] {
    return [...this.docs.keys()]
  }

  async storedDocuments (): Promise<string[]> {
    return await this.store.listDocuments()
  }

  docSnapshot (id: string): DocSnapshot | undefined {
    const entry = this.docs.get(id)
    if (entry !== undefined) {
      const { replica, sync } = entry
      return {
        id,
        status: sync.currentStatus,
        peers: sync.currentPeers,
        versionVector: replica.vv.toRecord(),
        unconfirmed: replica.unconfirmed,
        loaded: true
      }
    }
    const dormant = this.dormant.get(id)
    if (dormant === undefined) return undefined
    // Dormant: it was caught up when it went idle, and anything new wakes it.
    const peers = this.gossip.subscribers(id).map(p => p.toString()).sort()
    const status = this.libp2p.getConnections().length === 0 ? 'offline' : peers.length === 0 ? 'connecting' : 'synced'
    return { id, status, peers, versionVector: dormant.vv.toRecord(), unconfirmed: 0, loaded: false }
  }

  connectedPeers (): PeerInfoSnapshot[] {
    return this.libp2p.getPeers().map(peer => ({
      id: peer.toString(),
      addresses: this.libp2p.getConnections(peer).map(c => c.remoteAddr.toString())
    }))
  }

  async peerAddresses (peerId: string): Promise<string[]> {
    let id: PeerId
    try {
      id = peerIdFromString(peerId)
    } catch (err: any) {
      throw new TypeError(`peerAddresses: ${JSON.stringify(peerId)} is not a peer id: ${err?.message ?? err}`)
    }
    try {
      const peer = await this.libp2p.peerStore.get(id)
      return peer.addresses.map(a => a.multiaddr.toString())
        .filter(a => !a.includes('/p2p-circuit'))
        .map(a => a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`)
    } catch {
      return []
    }
  }

  async disconnect (peerId?: string): Promise<void> {
    const connections = peerId === undefined
      ? this.libp2p.getConnections()
      : this.libp2p.getConnections(peerIdFromString(peerId))
    await Promise.allSettled(connections.map(async c => { await c.close() }))
  }

  // ---- presence and dialling ---------------------------------------------

  presence (docId: string, awareness: Awareness, limits?: Partial<AwarenessLimits>): AwarenessChannel {
    this.checkDocId(docId)
    const channel = new AwarenessChannel(awareness, docId, {
      pubsub: this.pubsub,
      peerId: this.peerId,
      peerEvents: this.libp2p,
      limits,
      seal: presenceSeal(docId, () => this.docs.get(docId)?.replica.access)
    })
    channel.on('drop', reason => { this.metrics.inc(METRIC.presenceDropped, reason) })
    channel.start()
    return channel
  }

  async dial (addresses: string | string[], options: { signal?: AbortSignal } = {}): Promise<boolean> {
    const list = typeof addresses === 'string' ? [addresses] : addresses
    const byPeer = new Map<string, Multiaddr[]>()
    const bare: Multiaddr[] = []
    for (const [i, address] of list.entries()) {
      let ma: Multiaddr
      try {
        ma = multiaddr(address)
      } catch (err: any) {
        throw new TypeError(`dial: address ${i} ${JSON.stringify(address)} is not a multiaddr: ${err?.message ?? err}`)
      }
      const peer = ma.getComponents().findLast(c => c.name === 'p2p')?.value
      if (peer === undefined) bare.push(ma)
      else byPeer.set(peer, [...(byPeer.get(peer) ?? []), ma])
    }
    const attempts: Array<Promise<boolean>> = []
    for (const [peer, mas] of byPeer) {
      let id: PeerId
      try {
        id = peerIdFromString(peer)
      } catch (err: any) {
        throw new TypeError(`dial: ${JSON.stringify(peer)} is not a peer id: ${err?.message ?? err}`)
      }
      attempts.push(this.dialer.dial(id, mas))
    }
    for (const ma of bare) {
      const signals = [AbortSignal.timeout(10_000), ...(options.signal === undefined ? [] : [options.signal])]
      const signal = AbortSignal.any(signals)
      attempts.push(this.libp2p.dial(ma, { signal }).then(() => true, err => {
        log('dial %s failed: %s', ma, err?.message ?? err)
        return false
      }))
    }
    const results = await Promise.all(attempts)
    return results.some(ok => ok)
  }

  // ---- network events ----------------------------------------------------

  /** Each connected peer's documents in common with us (loaded or dormant), for the connection budget. */
  private docsByPeer (): Map<string, string[]> {
    const out = new Map<string, string[]>()
    for (const id of this.heldIds()) {
      for (const peer of this.gossip.subscribers(id)) {
        const key = peer.toString()
        const list = out.get(key)
        if (list === undefined) out.set(key, [id])
        else list.push(id)
      }
    }
    return out
  }

  /** Loaded and dormant documents `peer` replicates too, for the heads exchange. */
  private sharedWith (peer: PeerId): SharedHead[] {
    const shared: SharedHead[] = []
    for (const id of this.heldIds()) {
      if (!this.gossip.subscribers(id).some(p => p.equals(peer))) continue
      const vv = this.docs.get(id)?.replica.vv ?? this.dormant.get(id)?.vv
      if (vv !== undefined) shared.push({ docId: id, vectorHash: vectorHash(vv.entries()) })
    }
    return shared
  }

  /** Every document this peer replicates now: loaded, or dormant in the store. */
  private * heldIds (): Iterable<string> {
    yield * this.docs.keys()
    yield * this.dormant.keys()
  }

  /** A beacon tells authors their edits arrived: it may only claim what is on disk here. */
  private announce (replica: Replica): void {
    this.store.flush().then(() => {
      if (this.docs.get(replica.docId)?.replica === replica) {
        void this.gossip.publishBeacon(makeBeacon(replica, this.signer, this.clock))
      }
    }, err => { log.error('not beaconing %s: store failed: %e', replica.docId, err) })
  }

  /** Pull from the peer that signed a beacon when connected to it: it holds what it announced. */
  private beaconSource (beacon: Beacon, from: PeerId): PeerId {
    try {
      const signer = peerIdFromPublicKey(publicKeyFromRaw(beacon.signer))
      if (this.libp2p.getConnections(signer).length > 0) return signer
    } catch {}
    return from
  }

  private readonly onSubscriptionChange = (event: CustomEvent<SubscriptionChange>): void => {
    const { peerId, subscriptions } = event.detail
    for (const { topic, subscribe } of subscriptions) {
      if (topic.startsWith(PROTOCOL.docTopicPrefix)) {
        const id = this.gossip.docIdOf(topic)
        const entry = id === undefined ? undefined : this.docs.get(id)
        entry?.sync.receive(subscribe ? { type: 'peer-joined', peer: peerId } : { type: 'peer-left', peer: peerId })
      } else if (this.options.relayPresence ?? DEFAULTS.relayPresence) {
        this.relays.subscriptionChanged(topic)
      }
    }
  }

  private readonly onConnectionChange = (event: CustomEvent<PeerId>): void => {
    if (event.type === 'peer:connect') this.rendezvous.kick()
    this.keepConnected.connectionsChanged()
    for (const { sync } of this.docs.values()) sync.receive({ type: 'connectivity' })
    this.emit('connections', [this.connectedPeers()])
  }

  private lanDiscovery (): EventTarget | undefined {
    return this.libp2p.services.mdns as EventTarget | undefined
  }

  private readonly onLanPeer = (event: Event): void => {
    // Peers on the LAN are few and likely to share documents, so they are dialled; peers a
    // DHT walk mentions are not: documents find their holders through provider records.
    const { id, multiaddrs } = (event as CustomEvent<PeerInfo>).detail
    if (this.libp2p.getConnections().length >= 64) return
    void this.dialer.dial(id, multiaddrs)
  }

  // ---- lifecycle ---------------------------------------------------------

  async stop (): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.allSettled([...this.transitions.values()])
      this.served.clear()
      for (const [id, entry] of [...this.docs]) {
        await Promise.all([...entry.leases].map(async lease => { await lease.close() }))
        // Served documents nobody held: unloaded (flushed) here.
        if (this.docs.get(id) === entry) await this.startUnload(id, entry, 'closed')
      }
      await Promise.allSettled([...this.transitions.values()])
      this.dormant.clear()
      this.relays.stop()
      this.scheduler.stop()
      this.rendezvous.stop()
      this.gossip.stop()
      this.libp2p.removeEventListener('peer:connect', this.onConnectionChange)
      this.libp2p.removeEventListener('peer:disconnect', this.onConnectionChange)
      this.lanDiscovery()?.removeEventListener('peer', this.onLanPeer)
      this.libp2p.services.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
      this.keepConnected.stop()
      this.budget.stop()
      await this.heads.stop()
      await this.acks.stop()
      await this.pull.stop().catch(() => {})
      await this.libp2p.stop()
      await this.store.close()
      log('stopped')
    })()
    await this.stopping
  }
}

export async function createEngine (options: WeftOptions, platform: Platform): Promise<Weft> {
  const normalized = normalizeOptions(options)
  validateOptions(normalized) // one TypeError naming the option, before anything starts
  return await Engine.create(normalized, platform)
}

/** True when the gossip neighbour `from` is the envelope's author (author keys are libp2p keys). */
function sentByAuthor (author: Uint8Array, from: PeerId): boolean {
  // Bytes, not `peerAuthor`: this runs for every envelope, and a hex string per call is waste.
  return from.publicKey?.type === 'Ed25519' && uint8ArrayEquals(from.publicKey.raw, author)
}
