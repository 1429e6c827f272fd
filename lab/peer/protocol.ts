/**
 * The controller talks to each peer's driver over the driver's stdin/stdout, one
 * JSON object a line: requests carry an `id`, the answer repeats it; events have none.
 */

export interface DriverConfig {
  dataDir: string
  listen: string[]
  bootstrap: string[]
  mdns: boolean
  /** Engine timing knobs the lab shortens so runs stay short (beacons, DHT lookups). */
  beaconIntervalMs: number
  discoveryIntervalMs: number
  /** Serve as a circuit relay (the NAT scenarios' public peer). */
  relay?: boolean
  /** NAT traversal options (`WeftOptions.nat`). */
  nat?: { holePunching?: boolean, autonat?: boolean, upnp?: boolean, iceServers?: string[] }
}

/** One open libp2p connection of a peer, as the NAT scenarios look at it. */
export interface ConnectionInfo {
  peer: string
  remoteAddr: string
  /** Through a relay, with the relay's limits. */
  limited: boolean
  direction: 'inbound' | 'outbound'
}

export type Request =
  | { id: number, cmd: 'open', doc: string }
  | { id: number, cmd: 'close', doc: string }
  /** Makes one edit and answers once `flush()` resolved (the edit is acknowledged). */
  | { id: number, cmd: 'edit', doc: string, kind: 'text' | 'map', token: string, atStart: boolean, sabotage?: boolean }
  | { id: number, cmd: 'state', doc: string }
  | { id: number, cmd: 'stats' }
  | { id: number, cmd: 'connections' }
  /** This peer's own addresses as libp2p now announces them (listen, observed, relayed). */
  | { id: number, cmd: 'addresses' }
  | { id: number, cmd: 'stop' }

/** What an acknowledged edit looked like on its writer: the Yjs id range it ends at. */
export interface Ack {
  client: number
  /** Yjs clock after the edit: every replica holding it has state[client] >= clock. */
  clock: number
}

export interface DocState {
  /** Yjs state vector, clientID -> clock. */
  sv: Record<string, number>
  text: string
  map: Record<string, unknown>
  /** weft's version vector, author -> seq. */
  vv: Record<string, number>
  unconfirmed: number
}

export interface Stats {
  rssMB: number
  heapMB: number
  fds: number
  /** Active handles and requests (sockets, timers, ...). */
  resources: number
  connections: number
  openDocs: number
  counters: Record<string, Record<string, number>>
}

export type Response = { id: number, ok: true, result?: unknown } | { id: number, ok: false, error: string }

export type DriverEvent =
  | { event: 'ready', peerId: string, multiaddrs: string[] }
  | { event: 'skew', direction: 'ahead' | 'behind', offsetMs: number }
  | { event: 'fatal', error: string }
