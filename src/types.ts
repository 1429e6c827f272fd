import type * as Y from 'yjs'
import type { ObservableV2 } from 'lib0/observable'
import type { ConnectionGater, Libp2p } from '@libp2p/interface'
import type { WeftServices } from './net/libp2p-node.js'

/** Where a document stands with the network. */
export type SyncStatus = 'offline' | 'connecting' | 'syncing' | 'synced'

export interface WeftOptions {
  /** LevelDB directory for envelopes, version vectors and the peer identity. Omitted: in memory, nothing persisted. */
  dataDir?: string
  /** Multiaddrs to listen on. Default `['/ip4/0.0.0.0/tcp/0']`. `/ws` and `/memory/<name>` addresses enable those transports. */
  listen?: string[]
  /** Addresses to announce instead of the listen addresses (a public IP behind a port forward). */
  announce?: string[]
  /** Multiaddrs (with `/p2p/<id>`) dialled at start and kept as DHT entry points. */
  bootstrap?: string[]
  /** LAN discovery over multicast DNS. Default true. */
  mdns?: boolean
  dht?: {
    /** Kademlia protocol id; peers with different ids never see each other. Default `/weft/kad/1.0.0`. */
    protocol?: string
    /** 'server' answers DHT queries (needed on loopback/LAN and for always-on peers); 'client' only asks. Default 'server'. */
    mode?: 'server' | 'client'
  }
  /** Remote HLC stamps further ahead than this are merged but move our clock only this far ahead. Default 60 000 ms. */
  maxClockDriftMs?: number
  /** Called for each remote stamp more than `maxClockDriftMs` ahead or (beacons) behind ours. Also counted (`weft_clock_skew_total`) and warned once per direction on the console. */
  onClockSkew?: (event: import('./clock/hlc.js').ClockSkewEvent) => void
  /** Extra wait before a batch of local edits is sealed; 0 seals on the next tick. Default 0. */
  batchWindowMs?: number
  /** Least time between two envelopes of one document from this peer; edits in between are merged into the next. Default 5 ms. */
  minSealIntervalMs?: number
  /** How often each open document announces its version vector (heads beacon / heartbeat). Default 10 000 ms. */
  beaconIntervalMs?: number
  /** How often each open document looks for more providers in the DHT. Default 30 000 ms. */
  discoveryIntervalMs?: number
  /** Largest envelope accepted or produced, in bytes. Default 1 MiB. */
  maxEnvelopeBytes?: number
  /** Largest sync reply accepted, in bytes. Default 64 MiB. */
  maxSyncResponseBytes?: number
  /** A gap of at most this many envelopes travels as envelopes; a larger one as one merged update. Default 64. */
  maxEnvelopesPerSync?: number
  /** Fold the log into a checkpoint after this many new envelopes. Default 1000. */
  checkpointEvery?: number
  /** Forward presence (awareness) of open documents for other peers, even with no editor here. Default true. */
  relayPresence?: boolean
  /** Low-level knobs for crowded hosts (tests and benchmarks run many peers on one IP). */
  network?: {
    /** Inbound connections accepted per second from one host. libp2p default 5. */
    inboundConnectionThreshold?: number
    /** Gossipsub IP co-location score weight (<= 0). 0 disables the penalty. Default: gossipsub's. */
    ipColocationFactorWeight?: number
    /** Connection manager ceiling. Default 300. */
    maxConnections?: number
    /** Gossipsub heartbeat interval in ms. Default 700. */
    gossipHeartbeatMs?: number
    /** Let the connection gater dial private/loopback addresses (a browser peer reaching a Node peer on 127.0.0.1). */
    allowPrivateDials?: boolean
    /** A libp2p connection gater: allow or deny peers and addresses (deny lists, private networks, partition tests). */
    connectionGater?: ConnectionGater
  }
  /** libp2p metrics implementation (for example `prometheusMetrics()` from `@libp2p/prometheus-metrics`). */
  libp2pMetrics?: (components: any) => any
}

export interface HandleEvents {
  status: (status: SyncStatus) => void
  /** A sync round with a peer finished. */
  synced: (peerId: string) => void
  /** The set of peers replicating this document changed. */
  peers: (peers: string[]) => void
  /** Local changes not yet seen in any other peer's version vector changed (see `unconfirmed`). */
  delivery: (unconfirmed: number) => void
}

export interface DocHandle extends ObservableV2<HandleEvents> {
  /** URL-safe document id. */
  readonly id: string
  /** The replicated Yjs document: edit it like any Y.Doc. */
  readonly doc: Y.Doc
  readonly status: SyncStatus
  /** Peer ids currently replicating this document (subscribed to its topic and connected). */
  readonly peers: string[]
  /** Version vector: author (hex public key) -> highest contiguous sequence number. */
  readonly versionVector: Record<string, number>
  /** Local envelopes not yet known (through beacons or sync) to have reached any other peer. */
  readonly unconfirmed: number
  /** Resolves once caught up with at least one peer holding the document. */
  whenSynced (options?: { signal?: AbortSignal }): Promise<void>
  /** Seals pending local edits and resolves once they are durable in the local store (acknowledged). */
  flush (): Promise<void>
  close (): Promise<void>
}

export interface PeerInfoSnapshot {
  id: string
  addresses: string[]
}

export interface DocSnapshot {
  id: string
  status: SyncStatus
  peers: string[]
  versionVector: Record<string, number>
  unconfirmed: number
}

export interface Weft {
  readonly peerId: string
  /** Listen addresses with `/p2p/<peerId>`. */
  readonly multiaddrs: string[]
  /** The libp2p node, for advanced use. */
  readonly libp2p: Libp2p<WeftServices>
  readonly metrics: WeftMetrics
  /** A new document with a fresh id. */
  create (): Promise<DocHandle>
  /** Opens a document by id: from the local store, from the network, or both. Opening twice returns the same handle. */
  open (id: string): Promise<DocHandle>
  /** Ids of documents that are open now. */
  openDocuments (): string[]
  /** Ids of every document in the local store. */
  storedDocuments (): Promise<string[]>
  /** Peers with an open connection. */
  connectedPeers (): PeerInfoSnapshot[]
  docSnapshot (id: string): DocSnapshot | undefined
  stop (): Promise<void>
}

/** Counters kept by the engine; the daemon exports them as Prometheus metrics. */
export interface WeftMetrics {
  /** Monotonic counters keyed by name, then by label value ('' for none). */
  counters (): Record<string, Record<string, number>>
  gauges (): Record<string, number>
}
