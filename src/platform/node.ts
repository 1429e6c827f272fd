import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { memory } from '@libp2p/memory'
import { mdns } from '@libp2p/mdns'
import { MemoryLevel } from 'memory-level'
import { nodeEd25519 } from '../identity/ed25519-node.js'
import type { LevelDb, Platform } from './platform.js'

export const nodePlatform: Platform = {
  name: 'node',
  async openLevel (dataDir) {
    if (dataDir === undefined) return new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as LevelDb
    const { mkdir } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const { ClassicLevel } = await import('classic-level')
    await mkdir(dataDir, { recursive: true })
    const db = new ClassicLevel<string, Uint8Array>(join(dataDir, 'store'), { keyEncoding: 'utf8', valueEncoding: 'view' })
    await db.open()
    return db as unknown as LevelDb
  },
  transports (listen) {
    // TCP is always there to dial bootstrap peers; the others only when asked for.
    const transports: Array<(components: any) => any> = [tcp()]
    if (listen.some(a => a.includes('/ws'))) transports.push(webSockets())
    if (listen.some(a => a.startsWith('/memory'))) transports.push(memory())
    return transports
  },
  mdns: () => mdns(),
  ed25519: nodeEd25519
}
