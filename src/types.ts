import type * as Y from 'yjs'
import type { ObservableV2 } from 'lib0/observable'
import type { ConnectionGater, Libp2p } from '@libp2p/interface'
import type { Awareness } from 'y-protocols/awareness'
import type { WeftServices } from './net/libp2p-node.js'
import type { AwarenessChannel } from './presence/channel.js'
import type { AwarenessLimits } from './presence/gate.js'
import type { HistoryEntry } from './replica/history.js'

export type { HistoryEntry } from './replica/history.js'

/** Where a document stands with the network. */
export type SyncStatus = 'offline' | 'connecting' | 'syncing' | 'synced'

/** Low-level networking knobs (`network` as an object). */
export interface NetworkKnobs {
  /** Inbound connections accepted per second from one host. libp2p default 5. */
  inboundConnectionThreshold?: number
  /** Gossipsub IP co-location score weight (<= 0). 0 disables the penalty. Default: gossipsub's. */
  ipColocationFactorWeight?: number
  /** Connection manager ceiling. Default 300. */
  maxConnections?: number
  /** Gossipsub heartbeat interval in ms. Default 1000 (gossipsub's own). */
  gossipHeartbeatMs?: number
  /**
   * Gossipsub flood publishing: this peer's own messages go to every connected peer on the topic
   * (gossipsub's default: one hop to all, but a send per neighbour) instead of its mesh peers only.
   */
  floodPublish?: boolean
  /**
   * How often libp2p's connection monitor pings each connection to measure its round trip and to
   * close it when the other end has silently gone. Default 30 000 ms (libp2p's own: 10 000).
   */
  pingIntervalMs?: number
  /** Let the connection gater dial private/loopback addresses (a browser peer reaching a Node peer on 127.0.0.1). */
  allowPrivateDials?: boolean
  /** A libp2p connection gater: allow or deny peers and addresses (deny lists, private networks, partition tests). */
  connectionGater?: ConnectionGater
}

/** A PEM certificate (chain) and its private key, as strings or bytes. */
export interface TlsOptions { cert: string | Uint8Array, key: string | Uint8Array }

export interface WeftOptions {
  /** LevelDB directory for envelopes, version vectors and the peer identity. Omitted: in memory, nothing persisted. */
  dataDir?: string
  /**
   * Multiaddrs to listen on. Default `['/ip4/0.0.0.0/tcp/0']`.
   * `/ws` and `/memory/<name>` addresses enable those transports, `/udp/<port>/quic-v1` QUIC (Node only),
   * `/webrtc` WebRTC signalled through a relay (with `/p2p-circuit`; Node only for now).
   */
  listen?: string[]
  /** Addresses to announce instead of the listen addresses (a public IP behind a port forward). */
  announce?: string[]
  /**
   * Secure WebSockets (Node only): the PEM certificate (chain) and private key served on `/tls/ws`
   * listen addresses, e.g. `/ip4/0.0.0.0/tcp/443/tls/ws`. A page served over https can only dial
   * `wss://`, so this is how browsers reach a daemon without a TLS proxy in front of it.
   */
  tls?: TlsOptions
  /** Multiaddrs (with `/p2p/<id>`) dialled at start and kept as DHT entry points. */
  bootstrap?: string[]
  /** LAN discovery over multicast DNS. Default true. */
  mdns?: boolean
  dht?: {
    /**
     * 'private' (default): weft's own DHT, for a LAN or a closed group around your bootstrap peers.
     * 'public': the public libp2p DHT (IPFS Amino, `/ipfs/kad/1.0.0`, its bootstrap peers, private
     * addresses filtered out), so no bootstrap server of your own is needed. See the README.
     */
    network?: 'private' | 'public'
    /** Kademlia protocol id; peers with different ids never see each other. Default `/weft/kad/1.0.0`. */
    protocol?: string
    /**
     * 'server' answers DHT queries (needed on loopback/LAN and for always-on peers); 'client' only asks.
     * Default 'server' (public network: kad-dht's own choice, client until a public address is confirmed).
     */
    mode?: 'server' | 'client'
  }
  /** Remote HLC stamps further ahead than this are merged but move our clock only this far ahead. Default 60 000 ms. */
  maxClockDriftMs?: number
  /**
   * Called for each remote stamp more than `maxClockDriftMs` ahead or (beacons) behind ours.
   * Also counted (`weft_clock_skew_total`) and warned once per direction on the console.
   */
  onClockSkew?: (event: import('./clock/hlc.js').ClockSkewEvent) => void
  /** Extra wait before a batch of local edits is sealed; 0 seals on the next tick. Default 0. */
  batchWindowMs?: number
  /**
   * Least time between two envelopes of one document from this peer; edits in between are merged into the next.
   * Default 5 ms.
   */
  minSealIntervalMs?: number
  /** How often an open document whose version vector changed announces it (heads beacon). Default 10 000 ms. */
  beaconIntervalMs?: number
  /**
   * How often each neighbour is asked whether it holds what we hold of every document we share
   * (one digest per neighbour; per-document pulls only where it differs). Default 60 000 ms.
   */
  headsIntervalMs?: number
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
  /**
   * 'full' (default): checkpoints keep every envelope, so `handle.history()` and `handle.versionAt()`
   * reach back to the first edit this peer holds. 'none': checkpoints drop all but the last 256
   * envelopes per author (smaller store); history then covers only those.
   */
  history?: 'full' | 'none'
  /**
   * Forward presence (awareness) of open documents for other peers, even with no editor here.
   * A relay joins a document's presence topic only while a neighbour uses presence on it. Default true.
   */
  relayPresence?: boolean
  /**
   * A served document (`weft.serve(id)`) that no handle holds is unloaded from memory after this
   * long without activity; it keeps answering sync from the store and wakes on new data.
   * `Infinity` keeps served documents loaded. Default 60 000 ms.
   */
  unloadIdleAfterMs?: number
  /**
   * `'public'` or `'private'`: which DHT finds document holders, the same as `dht.network` (see there).
   * Or low-level knobs for crowded hosts (tests and benchmarks run many peers on one IP).
   */
  network?: 'private' | 'public' | NetworkKnobs
  /**
   * Serve as a circuit relay (v2) for peers behind NAT: they reserve a slot here and are reached
   * through it until hole punching gives a direct connection. Each relayed connection is cut at the
   * data or time limit; the peers then reconnect. Default false.
   */
  relay?: boolean | {
    /** Peers that may hold a reservation at once. Default 64. */
    maxReservations?: number
    /** Bytes each relayed connection may carry (each direction) before the relay resets it. Default 4 MiB. */
    dataLimitBytes?: number
    /** How long each relayed connection may stay open. Default 600 000 ms (10 min). */
    durationLimitMs?: number
  }
  /**
   * Getting through NAT. To be reachable through relays, add `'/p2p-circuit'` to `listen`: the
   * peer then reserves a slot on a relay it is connected to (or finds one through the DHT).
   */
  nat?: {
    /** DCUtR: over a relayed connection, both peers dial each other at once to open a direct one. Default true. */
    holePunching?: boolean
    /** AutoNAT: ask peers to dial back, to learn which public addresses are reachable. Default false (see README). */
    autonat?: boolean
    /** Ask the router to forward a port to this peer, over UPnP IGD or NAT-PMP (Node only). Default false. */
    upnp?: boolean
    /**
     * STUN/TURN server URLs for WebRTC connections (a `/webrtc` listen address), e.g.
     * `['stun:stun.example.org:3478']`. Default: @libp2p/webrtc's public STUN servers.
     */
    iceServers?: string[]
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
  /** Private documents: the members or this peer's role changed (the new role). */
  access: (role: AccessRole) => void
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
  /** True once this handle was closed (by `close()`, `weft.forget()` or `weft.stop()`). */
  readonly closed: boolean
  /** This peer's role ('writer' for open documents). */
  readonly access: AccessRole
  /** Members of a private document (empty for open documents). */
  members (): DocMember[]
  /** A `weft://` link granting `role` in a private document (admins only); the secret is in its fragment. */
  invite (options: { role: 'reader' | 'writer' | 'pinner' }): string
  /** Ends a member's access (admins only); its envelopes after the last one this peer holds are rejected everywhere. */
  revoke (member: string): void
  /** This peer's author key (hex): how `history()` and `versionVector` name this peer's edits. */
  readonly author: string
  /**
   * The document's envelopes this peer holds (its own and every other author's), oldest first in
   * HLC order. Pending local edits are sealed first. See `HistoryEntry`.
   */
  history (): Promise<HistoryEntry[]>
  /**
   * A new Y.Doc (not replicated; destroy it when done) holding the document as it was at `time`
   * (ms since the epoch): every held envelope stamped at or before it, applied in HLC order.
   * Private documents: what this peer holds keys for.
   */
  versionAt (time: number | Date): Promise<Y.Doc>
  /** Resolves once caught up with at least one peer holding the document. */
  whenSynced (options?: { signal?: AbortSignal }): Promise<void>
  /** Seals pending local edits and resolves once they are durable in the local store (acknowledged). */
  flush (): Promise<void>
  /**
   * Releases this handle (a lease): other handles on the same document keep working, and the
   * document unloads (after flushing) when the last one is closed. Idempotent.
   */
  close (): Promise<void>
}

export interface OpenOptions {
  /**
   * Adopt this Y.Doc instead of creating one: the stored state is merged into it, and what it
   * already holds is sealed as a local edit, so the app and the engine share one copy. A document
   * already open with another Y.Doc rejects with `DocAdoptionError`.
   */
  doc?: Y.Doc
  /** Origin of the remote updates applied to an adopted doc (default: `REMOTE_ORIGIN`). */
  origin?: unknown
}

export interface CreateOptions extends OpenOptions {
  /**
   * 'open' (default): a 26-character id; whoever knows it may read and write. 'private': a
   * document key pair, a 52-character id, and write access held in the document as signed
   * control ops; share it with `handle.invite()`.
   */
  access?: 'open' | 'private'
}

/** A member of a private document: its key (hex, the peer's author key) and role. */
export interface DocMember { key: string, role: AccessRole }

/** This peer's standing in a document. Open documents: always 'writer'. */
export type AccessRole = 'root' | 'admin' | 'writer' | 'reader' | 'pinner' | 'none'

export interface WeftEvents {
  /** The set of connected peers changed. */
  connections: (peers: PeerInfoSnapshot[]) => void
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
  /** False for a served document unloaded while idle (answering sync from the store). */
  loaded: boolean
}

export interface Weft extends ObservableV2<WeftEvents> {
  readonly peerId: string
  /** Listen addresses with `/p2p/<peerId>`. */
  readonly multiaddrs: string[]
  /** The libp2p node, for advanced use. */
  readonly libp2p: Libp2p<WeftServices>
  readonly metrics: WeftMetrics
  /** A new document with a fresh id. */
  create (options?: CreateOptions): Promise<DocHandle>
  /** Opens the document of a `weft://` link, dials the peers it names, and redeems its invite. */
  join (link: string, options?: OpenOptions & { signal?: AbortSignal }): Promise<DocHandle>
  /**
   * Opens a document by id: from the local store, from the network, or both. Each call returns
   * its own handle (a lease) on the one copy in memory; close each handle you open.
   */
  open (id: string, options?: OpenOptions): Promise<DocHandle>
  /**
   * Presence (Yjs awareness) for a document, on its own gossipsub topic: never persisted,
   * size- and rate-limited. Started; `destroy()` it when done.
   */
  presence (docId: string, awareness: Awareness, limits?: Partial<AwarenessLimits>): AwarenessChannel
  /**
   * Connects to peers by multiaddr (with or without `/p2p/<id>`). Resolves true when at least one
   * connection stands; rejects with a TypeError for an address that does not parse.
   */
  dial (addresses: string | string[], options?: { signal?: AbortSignal }): Promise<boolean>
  /**
   * Keeps replicating a document whether or not any handle holds it open (what a daemon's pin
   * does): subscribed, provided in the DHT, answering sync. While nobody holds it and nothing
   * happens, it is unloaded from memory (see `unloadIdleAfterMs`) and served from the store.
   */
  serve (id: string): Promise<void>
  /** Stops serving a document (handles still open keep it replicated until they close). */
  unserve (id: string): Promise<void>
  /** Ids of served documents. */
  servedDocuments (): string[]
  /**
   * Removes a document from this peer: closes every handle on it, stops serving and providing
   * it, and deletes its envelopes, checkpoint and vector from the store. Reopening starts empty
   * (and fetches it again from any peer that still holds it).
   */
  forget (id: string): Promise<void>
  /** Ids of documents that are open now. */
  openDocuments (): string[]
  /** Ids of every document in the local store. */
  storedDocuments (): Promise<string[]>
  /** Peers with an open connection. */
  connectedPeers (): PeerInfoSnapshot[]
  /** Where a known peer listens (as it announced itself), each with `/p2p/<id>`: what to dial it by later. */
  peerAddresses (peerId: string): Promise<string[]>
  /** Closes the connections to one peer, or to every peer (they may reconnect; a connection gater decides). */
  disconnect (peerId?: string): Promise<void>
  docSnapshot (id: string): DocSnapshot | undefined
  stop (): Promise<void>
}

/** Counters kept by the engine; the daemon exports them as Prometheus metrics. */
export interface WeftMetrics {
  /** Monotonic counters keyed by name, then by label value ('' for none). */
  counters (): Record<string, Record<string, number>>
  gauges (): Record<string, number>
}
