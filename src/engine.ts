import { logger } from '@libp2p/logger'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { base32 } from 'multiformats/bases/base32'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId, PeerInfo } from '@libp2p/interface'
import { HybridLogicalClock } from './clock/hlc.js'
import { skewReporter } from './clock/skew-report.js'
import { Store } from './store/store.js'
import { Signer, loadOrCreatePeerKey } from './identity/peer-key.js'
import { Replica, type ReplicaContext } from './replica/replica.js'
import { vectorFromWire } from './replica/version-vector.js'
import { createNode, type WeftLibp2p } from './net/libp2p-node.js'
import { Dialer } from './discovery/dialer.js'
import { Rendezvous } from './discovery/rendezvous.js'
import { Gossip, docTopic } from './sync/gossip.js'
import { PullProtocol } from './sync/pull.js'
import { PullScheduler } from './sync/scheduler.js'
import { BeaconTimer, makeBeacon } from './sync/beacon.js'
import { Handle } from './handle.js'
import { AwarenessRelay } from './provider/awareness-channel.js'
import type { PubSubLike } from './provider/awareness-gate.js'
import { METRIC, Metrics } from './metrics/metrics.js'
import type { Platform } from './platform/platform.js'
import type { DocSnapshot, PeerInfoSnapshot, Weft, WeftOptions } from './types.js'
import type { Beacon } from './wire/codec.js'

const log = logger('weft:engine')

const DOC_ID = /^[a-z2-7]{26}$/
const TOPIC_PREFIX = docTopic('')

/** Document ids are 128 random bits in lowercase base32: URL-safe and unguessable. */
export function isValidDocId (id: unknown): id is string {
  return typeof id === 'string' && DOC_ID.test(id)
}

export function newDocId (): string {
  return base32.baseEncode(globalThis.crypto.getRandomValues(new Uint8Array(16)))
}

interface OpenDoc {
  handle: Handle
  beacons: BeaconTimer
  presence?: AwarenessRelay
  /** One timer for both repair triggers: pulls wait a moment, since gossip usually fills the hole itself. */
  repairTimer?: ReturnType<typeof setTimeout>
  /** Peers that delivered envelopes above a gap: they hold what is missing. */
  gapSources: Map<string, PeerId>
  /** Peers whose beacon showed more than we hold, with what they showed. */
  aheadPeers: Map<string, { peer: PeerId, vector: Map<string, number> }>
}

/** What this peer last announced for a document, and when. */
interface LastBeacon { vector: string, at: number }

/** An unchanged version vector is re-announced at most this often. */
const IDLE_BEACON_MS = 60_000

/** How long a gap or a beacon difference may last before a pull repairs it. */
const REPAIR_DELAY_MS = 300
/** Peers asked per repair: enough to route around one that fails, not all of them. */
const REPAIR_FANOUT = 2

/**
 * Wires the subsystems together and owns their lifecycle. Each subsystem does
 * one job (store, replica, gossip, pull, discovery); the engine routes events
 * between them and keeps the list of open documents.
 */
export class Engine implements Weft {
  private readonly docs = new Map<string, OpenDoc>()
  private readonly opening = new Map<string, Promise<Handle>>()
  private readonly closing = new Map<string, Promise<void>>()
  private readonly gossip: Gossip
  private readonly pull: PullProtocol
  private readonly scheduler: PullScheduler
  private readonly dialer: Dialer
  private readonly rendezvous: Rendezvous
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
    const verifier = { ed25519: platform.ed25519, clock }
    const maxEnvelopeBytes = options.maxEnvelopeBytes ?? 1024 * 1024
    this.replicaContext = {
      store,
      signer,
      clock,
      metrics,
      options: {
        batchWindowMs: options.batchWindowMs ?? 0,
        minSealIntervalMs: options.minSealIntervalMs ?? 5,
        maxEnvelopesPerSync: options.maxEnvelopesPerSync ?? 64,
        checkpointEvery: options.checkpointEvery ?? 1000,
        retainAfterCheckpoint: 256
      }
    }
    this.gossip = new Gossip(libp2p.services.pubsub, { verifier, metrics, maxEnvelopeBytes })
    this.pull = new PullProtocol(libp2p, {
      verifier,
      metrics,
      replicaFor: id => this.docs.get(id)?.handle.replica,
      maxEnvelopeBytes,
      maxSyncResponseBytes: options.maxSyncResponseBytes ?? 64 * 1024 * 1024,
      timeoutMs: 30_000,
      servedPerPeerPerSecond: 200
    })
    this.scheduler = new PullScheduler(this.pull, {
      started: id => this.docs.get(id)?.handle.refresh(),
      finished: (id, peer, result) => this.docs.get(id)?.handle.pullFinished(peer, result !== undefined)
    })
    this.dialer = new Dialer(libp2p, metrics)
    this.rendezvous = new Rendezvous(libp2p, this.dialer, metrics, {
      intervalMs: options.discoveryIntervalMs ?? 30_000,
      reprovideMs: 6 * 60 * 60 * 1000,
      peersFor: id => this.docs.get(id)?.handle.peers.length ?? 0,
      targetPeers: 8
    })
    metrics.gauge(METRIC.documentsOpen, () => this.docs.size)
    metrics.gauge(METRIC.peersConnected, () => this.libp2p.getPeers().length)
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
      const libp2p = await createNode(options, platform, privateKey)
      const engine = new Engine(libp2p, store, signer, clock, metrics, options, platform)
      await engine.start()
      return engine
    } catch (err) {
      await store.close()
      throw err
    }
  }

  private async start (): Promise<void> {
    this.libp2p.addEventListener('peer:connect', this.onConnectionChange)
    this.libp2p.addEventListener('peer:disconnect', this.onConnectionChange)
    this.lanDiscovery()?.addEventListener('peer', this.onLanPeer)
    this.libp2p.services.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    await this.pull.start()
    // @libp2p/bootstrap refuses in-process (/memory) addresses: dial those here.
    for (const address of this.options.bootstrap ?? []) {
      if (address.startsWith('/memory/')) void this.libp2p.dial(multiaddr(address)).catch(err => { log('bootstrap %s failed: %s', address, err?.message ?? err) })
    }
    log('started %p on %s', this.libp2p.peerId, this.multiaddrs.join(', '))
  }

  get peerId (): string {
    return this.libp2p.peerId.toString()
  }

  get multiaddrs (): string[] {
    return this.libp2p.getMultiaddrs().map(ma => ma.toString())
  }

  // ---- documents ---------------------------------------------------------

  async create (): Promise<Handle> {
    return await this.open(newDocId())
  }

  async open (id: string): Promise<Handle> {
    if (!isValidDocId(id)) throw new TypeError(`invalid document id ${JSON.stringify(id)}: expected 26 characters of lowercase base32`)
    if (this.stopping !== undefined) throw new Error('weft is stopped')
    const open = this.docs.get(id)
    if (open !== undefined) return open.handle
    let opening = this.opening.get(id)
    if (opening === undefined) {
      // A close still running must finish first, or two replicas would share one store.
      const closing = this.closing.get(id) ?? Promise.resolve()
      opening = closing.then(async () => this.docs.get(id)?.handle ?? await this.load(id)).finally(() => this.opening.delete(id))
      this.opening.set(id, opening)
    }
    return await opening
  }

  private async load (id: string): Promise<Handle> {
    const replica = await Replica.load(id, this.replicaContext)
    const topic = docTopic(id)
    const handle = new Handle(replica, {
      isOnline: () => this.libp2p.getConnections().length > 0,
      replicatingPeers: () => this.gossip.subscribers(id).map(p => p.toString()).sort(),
      isPulling: () => this.scheduler.isPulling(id),
      close: async () => { await this.closeDoc(id) }
    })
    const lastBeacon: LastBeacon = { vector: '', at: 0 }
    const beacons = new BeaconTimer(() => { this.sendBeacon(replica, lastBeacon) }, this.options.beaconIntervalMs ?? 10_000, 1_000)
    const entry: OpenDoc = { handle, beacons, gapSources: new Map(), aheadPeers: new Map() }
    if (this.options.relayPresence ?? true) {
      // gossipsub forwards only topics a node subscribes to: without this, two browsers
      // that both reach only this peer would never see each other's cursors.
      entry.presence = new AwarenessRelay(id, { pubsub: this.libp2p.services.pubsub as unknown as PubSubLike, peerId: this.peerId })
      entry.presence.start()
    }
    this.docs.set(id, entry)

    replica.on('sealed', (_bytes, envelope) => { void this.gossip.publishEnvelope(envelope) })
    replica.on('gap', () => { this.scheduleRepair(entry) })
    this.gossip.join(id, {
      replica,
      onEnvelope: (from, result) => {
        if (result === 'applied') beacons.nudge()
        else if (result === 'held') entry.gapSources.set(from.toString(), from)
      },
      onBeacon: (beacon, from) => { this.onBeacon(entry, beacon, from) }
    })
    await this.rendezvous.join(id)
    // Peers already on the topic will not announce themselves again: ask them now.
    for (const peer of this.gossip.subscribers(id)) this.scheduler.request(replica, peer, 'opened')
    handle.refresh()
    log('opened %s (topic %s)', id, topic)
    return handle
  }

  private async closeDoc (id: string): Promise<void> {
    const entry = this.docs.get(id)
    if (entry === undefined) return
    this.docs.delete(id)
    const closing = this.finishClose(id, entry).finally(() => this.closing.delete(id))
    this.closing.set(id, closing)
    await closing
  }

  private async finishClose (id: string, entry: OpenDoc): Promise<void> {
    entry.presence?.stop()
    entry.beacons.stop()
    clearTimeout(entry.repairTimer)
    this.gossip.leave(id)
    this.rendezvous.leave(id)
    await entry.handle.replica.close()
    await this.store.flush()
  }

  openDocuments (): string[] {
    return [...this.docs.keys()]
  }

  async storedDocuments (): Promise<string[]> {
    return await this.store.listDocuments()
  }

  docSnapshot (id: string): DocSnapshot | undefined {
    const handle = this.docs.get(id)?.handle
    if (handle === undefined) return undefined
    return { id, status: handle.status, peers: handle.peers, versionVector: handle.versionVector, unconfirmed: handle.unconfirmed }
  }

  connectedPeers (): PeerInfoSnapshot[] {
    return this.libp2p.getPeers().map(peer => ({
      id: peer.toString(),
      addresses: this.libp2p.getConnections(peer).map(c => c.remoteAddr.toString())
    }))
  }

  // ---- network events ----------------------------------------------------

  private sendBeacon (replica: Replica, last: LastBeacon): void {
    if (this.gossip.subscribers(replica.docId).length === 0) return
    // An unchanged vector is re-announced only now and then: with a thousand idle documents,
    // a beacon each per interval would be most of the traffic and CPU.
    const vector = JSON.stringify(replica.vv.toRecord())
    const now = Date.now()
    if (vector === last.vector && now - last.at < IDLE_BEACON_MS) return
    last.vector = vector
    last.at = now
    // A beacon tells authors their edits arrived: it may only claim what is on disk here.
    this.store.flush().then(() => {
      if (this.docs.has(replica.docId)) void this.gossip.publishBeacon(makeBeacon(replica, this.signer, this.clock))
    }, err => { log.error('not beaconing %s: store failed: %e', replica.docId, err) })
  }

  private onBeacon (entry: OpenDoc, beacon: Beacon, from: PeerId): void {
    const replica = entry.handle.replica
    const remote = vectorFromWire(beacon.vv)
    replica.confirm(remote.get(replica.author) ?? 0)
    if (replica.vv.missingFrom(remote).length === 0) entry.beacons.suppress()
    if (!replica.vv.isBehind(remote)) return
    // Pull from the peer that signed the beacon: it holds what it announced.
    let signer: PeerId = from
    try {
      signer = peerIdFromPublicKey(publicKeyFromRaw(beacon.signer))
    } catch {}
    const peer = this.libp2p.getConnections(signer).length > 0 ? signer : from
    entry.aheadPeers.set(peer.toString(), { peer, vector: remote })
    this.scheduleRepair(entry)
  }

  /**
   * While edits flow, beacons routinely announce envelopes still in flight to us, and
   * gossip routinely delivers out of order: pulling on every such sign would cost a
   * stream per beacon per peer. Wait a moment, then pull only what is still missing,
   * from a couple of the peers known to hold it.
   */
  private scheduleRepair (entry: OpenDoc): void {
    if (entry.repairTimer !== undefined) return
    entry.repairTimer = setTimeout(() => {
      entry.repairTimer = undefined
      const replica = entry.handle.replica
      if (!this.docs.has(replica.docId)) return
      const targets = new Map<string, PeerId>()
      if (replica.hasGap()) {
        for (const [key, peer] of entry.gapSources) targets.set(key, peer)
        if (targets.size === 0) for (const peer of this.gossip.subscribers(replica.docId)) targets.set(peer.toString(), peer)
      }
      for (const [key, { peer, vector }] of entry.aheadPeers) if (replica.vv.isBehind(vector)) targets.set(key, peer)
      entry.gapSources.clear()
      entry.aheadPeers.clear()
      for (const peer of [...targets.values()].slice(0, REPAIR_FANOUT)) this.scheduler.request(replica, peer, 'gap or beacon difference persisted')
    }, REPAIR_DELAY_MS)
  }

  private readonly onSubscriptionChange = (event: CustomEvent<{ peerId: PeerId, subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
    const { peerId, subscriptions } = event.detail
    for (const { topic, subscribe } of subscriptions) {
      if (!topic.startsWith(TOPIC_PREFIX)) continue
      const entry = this.docs.get(topic.slice(TOPIC_PREFIX.length))
      if (entry === undefined) continue
      if (subscribe) this.scheduler.request(entry.handle.replica, peerId, 'peer joined the topic')
      entry.handle.refresh()
    }
  }

  private readonly onConnectionChange = (event: CustomEvent<PeerId>): void => {
    if (event.type === 'peer:connect') this.rendezvous.kick()
    for (const { handle } of this.docs.values()) handle.refresh()
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
      await Promise.allSettled([...this.opening.values()])
      for (const { handle } of [...this.docs.values()]) await handle.close()
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
