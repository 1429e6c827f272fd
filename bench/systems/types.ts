/**
 * The seam every system under test implements: a cluster of N peers sharing one Yjs document.
 * Scenarios only see this interface, so weft and the two baselines run the same workload.
 */
import type * as Y from 'yjs'

export type SystemName = 'weft' | 'mesh' | 'y-websocket' | 'floor'
/** What runs by default. */
export const SYSTEMS: SystemName[] = ['weft', 'mesh', 'y-websocket']
/**
 * Diagnostic systems run only when named in --systems: `floor` is the mesh plus ed25519 signatures and
 * LevelDB writes (bench/baselines/floor-mesh.ts), latency scenarios only.
 */
export const OPT_IN_SYSTEMS: SystemName[] = ['floor']

export type Transport = 'tcp' | 'memory'

/** Name of the Y.Text every scenario edits. */
export const TEXT = 'bench'

export interface BenchPeer {
  readonly doc: Y.Doc
  readonly text: Y.Text
  /** Open connections of this peer (for the topology note); undefined when not meaningful. */
  connections?: () => number
  /**
   * Peers in this peer's gossipsub mesh for the measured document (libp2p systems): a peer with none
   * gets each message only through IHAVE/IWANT gossip, a heartbeat late.
   */
  meshPeers?: () => number
}

export interface Cluster {
  readonly system: SystemName
  readonly transport: Transport
  readonly peers: BenchPeer[]
  /** Free-form description of how peers are wired (printed in the report). */
  readonly topology: string
  /**
   * Bytes received so far by all peers together: libp2p systems count the raw connections (noise and
   * yamux framing included); y-websocket counts message payloads in and out of every client.
   */
  bytesReceived: () => number
  /** Bytes received so far by all peers, per libp2p protocol (stream payloads); absent for y-websocket. */
  bytesByProtocol?: () => Record<string, number>
  stop: () => Promise<void>
}

export interface ClusterOptions {
  n: number
  transport: Transport
  /** Bound on the whole setup, ms. */
  timeoutMs: number
}

export interface SystemFactory {
  readonly name: SystemName
  /** Transports this system can use; y-websocket has no in-memory transport and runs over loopback TCP. */
  supports: (t: Transport) => boolean
  createCluster: (opts: ClusterOptions) => Promise<Cluster>
}
