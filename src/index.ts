/**
 * weft: Yjs documents replicated peer-to-peer over libp2p.
 * This module is the public API for Node; `weft/browser` is its browser twin.
 */
import { createEngine } from './engine.js'
import { nodePlatform } from './platform/node.js'
import type { Weft, WeftOptions } from './types.js'

/** Starts a weft peer: opens the store, starts libp2p, and returns the handle to open documents with. */
export async function createWeft (options: WeftOptions = {}): Promise<Weft> {
  return await createEngine(options, nodePlatform)
}

export { isValidDocId, newDocId } from './engine.js'
export { HybridLogicalClock, ClockDriftError, compareHlc, packHlc, unpackHlc } from './clock/hlc.js'
export type { ClockSkewEvent, HlcStamp, HybridLogicalClockOptions } from './clock/hlc.js'
export { REMOTE_ORIGIN } from './replica/replica.js'
export { SYNC_PROTOCOL } from './sync/pull.js'
export { docTopic } from './sync/gossip.js'
export { DEFAULT_DHT_PROTOCOL } from './net/libp2p-node.js'
export { METRIC } from './metrics/metrics.js'
export type { WeftServices, WeftLibp2p } from './net/libp2p-node.js'
export type { DocHandle, DocSnapshot, HandleEvents, PeerInfoSnapshot, SyncStatus, Weft, WeftMetrics, WeftOptions } from './types.js'
export * from './provider/index.js'
