import { webSockets } from '@libp2p/websockets'
import { nobleEd25519 } from '../identity/ed25519-noble.js'
import { BrowserLevel } from 'browser-level'
import { MemoryLevel } from 'memory-level'
import type { LevelDb, Platform } from './platform.js'
import { iceServers as toIceServers } from '../net/ice-servers.js'

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
  ed25519: nobleEd25519
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
