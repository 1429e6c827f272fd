import { webSockets } from '@libp2p/websockets'
import { ed25519 } from '@noble/curves/ed25519.js'
import { BrowserLevel } from 'browser-level'
import { MemoryLevel } from 'memory-level'
import type { Ed25519, LevelDb, Platform } from './platform.js'

/**
 * ed25519 in pure JS (@noble/curves): WebCrypto's Ed25519 is asynchronous and
 * not in every browser, while the engine signs and verifies synchronously.
 */
export const browserEd25519: Ed25519 = {
  sign (seed, _publicKey, data) {
    return ed25519.sign(data, seed)
  },
  verify (publicKey, data, signature) {
    if (publicKey.byteLength !== 32 || signature.byteLength !== 64) return false
    try {
      return ed25519.verify(signature, data, publicKey)
    } catch {
      return false
    }
  }
}

/**
 * The browser platform:
 * - storage: IndexedDB through `browser-level` when `dataDir` is given (it is
 *   the IndexedDB database name), else in memory;
 * - transport: WebSockets only (a browser cannot listen; it dials Node peers or
 *   the daemon on `/ws` or `/wss` addresses);
 * - no mDNS.
 */
export const browserPlatform: Platform = {
  name: 'browser',
  async openLevel (dataDir) {
    const db = dataDir === undefined
      ? new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' })
      : new BrowserLevel<string, Uint8Array>(dataDir, { keyEncoding: 'utf8', valueEncoding: 'view' })
    await db.open()
    return db as unknown as LevelDb
  },
  transports (_listen) {
    return [webSockets()]
  },
  ed25519: browserEd25519
}
