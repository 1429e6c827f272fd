/**
 * Every default and protocol name in one place. `src/types.ts` documents the
 * options, the README's option table cites these values, and a test checks that
 * both agree with this file.
 */

const second = 1_000
const minute = 60 * second
const MiB = 1024 * 1024

/** Wire names. Peers with a different DHT protocol id never see each other. */
export const PROTOCOL = {
  dht: '/weft/kad/1.0.0',
  sync: '/weft/sync/1.0.0',
  heads: '/weft/heads/1.0.0',
  ack: '/weft/ack/1.0.0',
  docTopicPrefix: '/weft/doc/1/',
  presenceTopicPrefix: '/weft/awareness/1/'
} as const

/** Defaults of the public options (`WeftOptions`). */
export const DEFAULTS = {
  listen: ['/ip4/0.0.0.0/tcp/0'] as readonly string[],
  mdns: true,
  dhtMode: 'server' as 'server' | 'client',
  dhtNetwork: 'private' as 'private' | 'public',
  maxClockDriftMs: minute,
  batchWindowMs: 0,
  minSealIntervalMs: 5,
  beaconIntervalMs: 10 * second,
  discoveryIntervalMs: 30 * second,
  maxEnvelopeBytes: MiB,
  maxSyncResponseBytes: 64 * MiB,
  maxEnvelopesPerSync: 64,
  checkpointEvery: 1000,
  /** Checkpoints keep the envelope log, so `handle.history()` and `versionAt()` reach back to the start. */
  history: 'full' as 'full' | 'none',
  relayPresence: true,
  /** A served document nobody holds open is unloaded after this long without activity. */
  unloadIdleAfterMs: minute,
  inboundConnectionThreshold: 5,
  maxConnections: 300,
  gossipHeartbeatMs: 1000,
  floodPublish: true,
  pingIntervalMs: 30 * second,
  /** Serve as a circuit relay. */
  relay: false,
  relayMaxReservations: 64,
  relayDataLimitBytes: 4 * MiB,
  relayDurationLimitMs: 10 * minute,
  holePunching: true,
  autonat: false,
  upnp: false,
  /** How often each neighbour is asked whether it holds what we hold of every shared document. */
  headsIntervalMs: minute
} as const

/** Engine tunables that are not options: each number says why next to where it is used. */
export const TUNING = {
  /** Least gap between two beacons of one document. */
  minBeaconGapMs: second,
  /** How long a gap or a beacon difference may last before a pull repairs it. */
  repairDelayMs: 300,
  /**
   * A document that has synced before gives a peer joining its topic this long (to 5/3 of it) to
   * send its own sync request before pulling from it: the request shows whether it holds more.
   */
  joinGraceMs: 300,
  /** Peers asked per repair: enough to route around one that fails, not all of them. */
  repairFanout: 2,
  /** Envelopes kept per author behind a checkpoint, so small gaps still travel as envelopes. */
  retainAfterCheckpoint: 256,
  pullTimeoutMs: 30 * second,
  servedPerPeerPerSecond: 200,
  /** Holders to connect to per document: gossipsub needs a handful of mesh peers, not all holders. */
  targetPeers: 8,
  /**
   * A connection the budget may close (src/net/connection-budget.ts) is at least this old, so a
   * peer that just connected has time to join our documents' meshes. Links with a sync, heads or
   * DHT stream open are never closed, whatever their age.
   */
  connectionGraceMs: 10 * second,
  connectionBudgetIntervalMs: 3 * second,
  /** Offences (rejected frames, undecodable sync or heads requests) within the window that get a peer banned. */
  banThreshold: 10,
  banWindowMs: 60 * second,
  /** How long a banned peer is refused, inbound and outbound. */
  banMs: 10 * 60 * second,
  /**
   * A sync or heads request must arrive this soon after its stream opens. Generous: an honest peer
   * on a loaded machine can take seconds, and a failed pull waits for the next repair round.
   */
  requestReadTimeoutMs: 15 * second,
  /** Frames on a document topic may exceed the largest envelope by this much (the frame's own fields). */
  frameOverheadBytes: 1024
} as const
