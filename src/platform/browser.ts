import { webSockets } from '@libp2p/websockets'
import { ed25519 } from '@noble/curves/ed25519.js'
import { BrowserLevel } from 'browser-level'
import { MemoryLevel } from 'memory-level'
import type { Ed25519, LevelDb, Platform } from './platform.js'
import { iceServers as toIceServers } from '../net/ice-servers.js'

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
 * - transport: WebSockets to dial Node peers or the daemon on `/ws` or `/wss`
 *   addresses; with `/webrtc` in `listen` (beside `/p2p-circuit`) also WebRTC,
 *   so that two browsers reach each other directly, signalled through a relay;
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
  async transports (listen, nat) {
    const transports: Array<(components: any) => any> = [webSockets()]
    if (listen.some(isWebRtcListen)) transports.push(await loadWebRtc(nat?.iceServers))
    return transports
  },
  ed25519: browserEd25519
}

/** `/webrtc`: reachable by WebRTC, signalled through the relays this peer holds a reservation on. */
const isWebRtcListen = (address: string): boolean => address === '/webrtc' || address.endsWith('/p2p-circuit/webrtc')

/**
 * The browser's own RTCPeerConnection. Imported on demand so that a page that never listens on
 * `/webrtc` does not run its module code (the bundler still includes it).
 */
async function loadWebRtc (iceServers: string[] | undefined): Promise<(components: any) => any> {
  const { webRTC } = await import('@libp2p/webrtc')
  if (iceServers === undefined) return webRTC()
  return webRTC({ rtcConfiguration: { iceServers: toIceServers(iceServers) } })
}
