/**
 * weft: Yjs documents replicated peer-to-peer over libp2p.
 * This module is the public API for Node; `weft-sync/browser` is its browser twin.
 */
import { createEngine } from './engine.js'
import { nodePlatform } from './platform/node.js'
import type { Weft, WeftOptions } from './types.js'

/** Starts a weft peer: opens the store, starts libp2p, and returns the handle to open documents with. */
export async function createWeft (options: WeftOptions = {}): Promise<Weft> {
  return await createEngine(options, nodePlatform)
}

export * from './api.js'
