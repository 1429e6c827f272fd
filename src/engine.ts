import { logger } from '@libp2p/logger'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { ObservableV2 } from 'lib0/observable'
import type { Awareness } from 'y-protocols/awareness'
import type { PeerId, PeerInfo } from '@libp2p/interface'
import { HybridLogicalClock } from './clock/hlc.js'
import { Store } from './store/store.js'
import { Signer, loadOrCreatePeerKey } from './identity/peer-key.js'
import { Replica, type AdoptedDoc, type ReplicaContext } from './replica/replica.js'
import { vectorFromWire } from './replica/version-vector.js'
import { createNode, type WeftLibp2p } from './net/libp2p-node.js'
import { Dialer } from './discovery/dialer.js'
import { Rendezvous } from './discovery/rendezvous.js'
import { Gossip } from './sync/gossip.js'
import { PullProtocol } from './sync/pull.js'
import { PullScheduler } from './sync/scheduler.js'
import { makeBeacon } from './sync/beacon.js'
import { DocSync, type ReplicaView } from './sync/doc-sync.js'
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
import { attachAccess, createPrivateDoc, loadAccess, redeemWhenReady } from './trust/engine-glue.js'
import { parseLink } from './trust/link.js'
import { authorHex } from './replica/version-vector.js'

const log = logger('weft:engine')

export { isValidDocId, newDocId }

/** `open(id, { doc })` on a document that is already open with another Y.Doc. */
export class DocAdoptionError extends Error {
  override name = 'DocAdoptionError'
  constructor (readonly docId: string) {
    super(`document ${docId} is already open with another Y.Doc: open it without { doc }, or close the other handles first`)
  }
}

interface DocEntry extends LoadedDoc {
  readonly leases: Set<Handle>
  unloading: boolean
}

/** What the sync policy needs of a replica. */
function replicaView (replica: Replica): ReplicaView {
  return {
    author: replica.author,
    hasGap: () => replica.hasGap(),
    isBehind: remote => replica.vv.isBehind(remote),
    isCoveredBy: remote => replica.vv.missingFrom(remote).length === 0,
    confirm: seq => { replica.confirm(seq) },
    vectorKey: () => JSON.stringify(replica.vv.toRecord())
  }
}

/**
 * Wires the subsystems together and owns their lifecycle. Each subsystem does
 * one job (store, replica, gossip, pull, discovery, presence); the sync policy
 * of each document lives in its DocSync. The engine keeps the loaded documents,
 * hands out leases on them, and routes network events by document id.
 */
export class Engine extends ObservableV2<WeftEvents> implements Weft {
  private readonly docs = new Map<string, DocEntry>()
  /** A load or unload in flight per document: the next open waits for it. */
  private readonly transitions = new Map<string, Promise<unknown>>()
  private readonly gossip: Gossip
  private readonly pull: PullProtocol
  private readonly scheduler: PullScheduler
  private readonly dialer: Dialer
  private readonly rendezvous: Rendezvous
  private readonly relays: PresenceRelays
  private readonly replicaContext: ReplicaContext
  private stopping: Promise<void> | undefined

  private constructor (
    readonly libp2p: WeftLibp2p,
    private readonly store: Store,
    private readonly signer: Signer,
    private readonly clock: HybridLogicalClock,
    readonly metrics: Metrics,
    private readonly options: WeftOptions,
    platform: Platform
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
        retainAfterCheckpoint: TUNING.retainAfterCheckpoint
      }
    }
    this.gossip = new Gossip(libp2p.services.pubsub, { verifier, metrics, maxEnvelopeBytes })
    this.pull = new PullProtocol(libp2p, {
      verifier,
      metrics,
      replicaFor: id => this.docs.get(id)?.replica,
      maxEnvelopeBytes,
      maxSyncResponseBytes: options.maxSyncResponseBytes ?? DEFAULTS.maxSyncResponseBytes,
      timeoutMs: TUNING.pullTimeoutMs,
      servedPerPeerPerSecond: TUNING.servedPerPeerPerSecond
    })
    this.scheduler = new PullScheduler(this.pull, {
      started: id => this.docs.get(id)?.sync.receive({ type: 'pull-started' }),
      finished: (id, peer, result) => this.docs.get(id)?.sync.receive({
        type: 'pull-finished',
        peer,
        ok: result !== undefined,
        applied: result !== undefined && (result.envelopes > 0 || result.checkpoint)
      })
    })
    this.dialer = new Dialer(libp2p, metrics)
    this.rendezvous = new Rendezvous(libp2p, this.dialer, metrics, {
      intervalMs: options.discoveryIntervalMs ?? DEFAULTS.discoveryIntervalMs,
      reprovideMs: TUNING.reprovideMs,
      peersFor: id => this.gossip.subscribers(id).length,
      targetPeers: TUNING.targetPeers
    })
    this.relays = new PresenceRelays(this.pubsub, this.peerId, metrics)
    metrics.gauge(METRIC.documentsOpen, () => this.docs.size)
    metrics.gauge(METRIC.peersConnected, () => this.libp2p.getPeers().length)
    metrics.gauge(METRIC.presenceRelays, () => this.relays.active)
  }

  static async create (options: WeftOptions, platform: Platform): Promise<Engine> {
    const metrics = new Metrics()
    const db = await platform.openLevel(options.dataDir)
    const store = new Store(db, () => metrics.inc(METRIC.storeErrors))
    try {
      const privateKey = await loadOrCreatePeerKey(store)
      const signer = new Signer(privateKey, platform.ed25519)
      const clock = new HybridLogicalClock({ maxDriftMs: options.maxClockDriftMs })
      const libp2p = await createNode(options, platform, privateKey)
      const engine = new Engine(libp2p, store, signer, clock, metrics, options, platform)
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
    const id = options.access === 'private' ? await createPrivateDoc(this.store, this.signer) : newDocId()
    return await this.open(id, options)
  }

  async join (link: string, options: OpenOptions & { signal?: AbortSignal } = {}): Promise<Handle> {
    const { docId, peers } = parseLink(link)
    if (peers.length > 0) await this.dial(peers, { signal: options.signal }).catch(() => false)
    const handle = await this.open(docId, options)
    const entry = this.docs.get(docId)
    if (entry !== undefined) await redeemWhenReady(entry.replica, link, options.signal ?? AbortSignal.timeout(30_000))
    return handle
  }

  async open (id: string, options: OpenOptions = {}): Promise<Handle> {
    if (!isValidDocId(id)) throw new TypeError(`invalid document id ${JSON.stringify(id)}: expected ${DOC_ID_SYNTAX}`)
    const adopted: AdoptedDoc | undefined = options.doc === undefined ? undefined : { doc: options.doc, origin: options.origin }
    for (;;) {
      if (this.stopping !== undefined) throw new Error('weft is stopped')
      const entry = this.docs.get(id)
      if (entry !== undefined && !entry.unloading) {
        if (adopted !== undefined && entry.replica.doc !== adopted.doc) throw new DocAdoptionError(id)
        // Attached in the same turn as the check above: no unload can slip in between.
        const lease = new Handle(entry, this.release)
        entry.leases.add(lease)
        return lease
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
    const replica = await Replica.load(id, this.replicaContext, adopted, await loadAccess(id, this.store, this.signer))
    attachAccess(replica, op => { void this.gossip.publishControl(id, op) })
    const sync = new DocSync({
      replica: replicaView(replica),
      subscribers: () => this.gossip.subscribers(id),
      isOnline: () => this.libp2p.getConnections().length > 0,
      pull: (peer, reason) => { this.scheduler.request(replica, peer as PeerId, reason) },
      isPulling: () => this.scheduler.isPulling(id),
      announce: () => { this.announce(replica) }
    }, {
      beaconIntervalMs: this.options.beaconIntervalMs ?? DEFAULTS.beaconIntervalMs,
      idleBeaconMs: TUNING.idleBeaconMs,
      minBeaconGapMs: TUNING.minBeaconGapMs,
      repairDelayMs: TUNING.repairDelayMs,
      repairFanout: TUNING.repairFanout
    })
    replica.on('sealed', (_bytes, envelope) => {
      void this.gossip.publishEnvelope(envelope)
      sync.receive({ type: 'sealed' })
    })
    replica.on('gap', () => { sync.receive({ type: 'gap' }) })
    this.gossip.join(id, {
      replica,
      onEnvelope: (from, result) => { sync.receive({ type: 'envelope', from, result }) },
      onBeacon: (beacon, from) => {
        // Private documents: a non-member's beacon neither confirms our edits nor steers repair.
        if (replica.access?.isMember(authorHex(beacon.signer)) === false) return
        sync.receive({ type: 'beacon', from: this.beaconSource(beacon, from), vector: vectorFromWire(beacon.vv) })
      }
    })
    this.docs.set(id, { replica, sync, leases: new Set(), unloading: false, addresses: () => this.multiaddrs })
    if (this.options.relayPresence ?? DEFAULTS.relayPresence) this.relays.documentLoaded(id)
    await this.rendezvous.join(id)
    sync.start()
    log('opened %s', id)
  }

  /** A lease was closed: the last one unloads the document. */
  private readonly release = async (lease: Handle): Promise<void> => {
    const entry = this.docs.get(lease.id)
    if (entry === undefined || !entry.leases.delete(lease)) return
    if (entry.leases.size > 0 || entry.unloading) return
    entry.unloading = true
    this.docs.delete(lease.id)
    const unloading = this.unload(lease.id, entry).finally(() => this.transitions.delete(lease.id))
    this.transitions.set(lease.id, unloading)
    await unloading
  }

  private async unload (id: string, entry: DocEntry): Promise<void> {
    entry.sync.stop()
    this.relays.documentUnloaded(id)
    this.gossip.leave(id)
    this.rendezvous.leave(id)
    await entry.replica.close()
    await this.store.flush()
    log('closed %s', id)
  }

  async forget (id: string): Promise<void> {
    if (!isValidDocId(id)) throw new TypeError(`invalid document id ${JSON.stringify(id)}: expected ${DOC_ID_SYNTAX}`)
    if (this.stopping !== undefined) throw new Error('weft is stopped')
    // Every lease goes, so nothing serves, provides or re-seals it; then the store forgets it.
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

  openDocuments (): string[] {
    return [...this.docs.keys()]
  }

  async storedDocuments (): Promise<string[]> {
    return await this.store.listDocuments()
  }

  docSnapshot (id: string): DocSnapshot | undefined {
    const entry = this.docs.get(id)
    if (entry === undefined) return undefined
    const { replica, sync } = entry
    return { id, status: sync.currentStatus, peers: sync.currentPeers, versionVector: replica.vv.toRecord(), unconfirmed: replica.unconfirmed }
  }

  connectedPeers (): PeerInfoSnapshot[] {
    return this.libp2p.getPeers().map(peer => ({
      id: peer.toString(),
      addresses: this.libp2p.getConnections(peer).map(c => c.remoteAddr.toString())
    }))
  }

  // ---- presence and dialling ---------------------------------------------

  presence (docId: string, awareness: Awareness, limits?: Partial<AwarenessLimits>): AwarenessChannel {
    if (!isValidDocId(docId)) throw new TypeError(`invalid document id ${JSON.stringify(docId)}: expected ${DOC_ID_SYNTAX}`)
    if (this.stopping !== undefined) throw new Error('weft is stopped')
    const channel = new AwarenessChannel(awareness, docId, { pubsub: this.pubsub, peerId: this.peerId, peerEvents: this.libp2p, limits })
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
      const signal = AbortSignal.any([AbortSignal.timeout(10_000), ...(options.signal === undefined ? [] : [options.signal])])
      attempts.push(this.libp2p.dial(ma, { signal }).then(() => true, err => {
        log('dial %s failed: %s', ma, err?.message ?? err)
        return false
      }))
    }
    const results = await Promise.all(attempts)
    return results.some(ok => ok)
  }

  // ---- network events ----------------------------------------------------

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

  private readonly onSubscriptionChange = (event: CustomEvent<{ peerId: PeerId, subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
    const { peerId, subscriptions } = event.detail
    for (const { topic, subscribe } of subscriptions) {
      if (topic.startsWith(PROTOCOL.docTopicPrefix)) {
        const entry = this.docs.get(topic.slice(PROTOCOL.docTopicPrefix.length))
        entry?.sync.receive(subscribe ? { type: 'peer-joined', peer: peerId } : { type: 'peer-left', peer: peerId })
      } else if (this.options.relayPresence ?? DEFAULTS.relayPresence) {
        this.relays.subscriptionChanged(topic)
      }
    }
  }

  private readonly onConnectionChange = (event: CustomEvent<PeerId>): void => {
    if (event.type === 'peer:connect') this.rendezvous.kick()
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
      for (const entry of [...this.docs.values()]) await Promise.all([...entry.leases].map(async lease => { await lease.close() }))
      await Promise.allSettled([...this.transitions.values()])
      this.relays.stop()
      this.scheduler.stop()
      this.rendezvous.stop()
      this.gossip.stop()
      this.libp2p.removeEventListener('peer:connect', this.onConnectionChange)
      this.libp2p.removeEventListener('peer:disconnect', this.onConnectionChange)
      this.lanDiscovery()?.removeEventListener('peer', this.onLanPeer)
      this.libp2p.services.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
      await this.pull.stop().catch(() => {})
      await this.libp2p.stop()
      await this.store.close()
      log('stopped')
    })()
    await this.stopping
  }
}

export async function createEngine (options: WeftOptions, platform: Platform): Promise<Weft> {
  return await Engine.create(options, platform)
}
