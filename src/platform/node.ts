import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { memory } from '@libp2p/memory'
import { mdns } from '@libp2p/mdns'
import { uPnPNAT } from '@libp2p/upnp-nat'
import { portMappingClient } from '../net/port-mapping.js'
import { MemoryLevel } from 'memory-level'
import { nodeEd25519 } from '../identity/ed25519-node.js'
import type { LevelDb, Platform } from './platform.js'
import { iceServers as toIceServers } from '../net/ice-servers.js'

/** Opening the store should take milliseconds; a data dir on a dead network mount must not hang the start. */
const OPEN_TIMEOUT_MS = 15_000

/** A data dir that cannot be used: the message names the directory and what is wrong with it. */
export class DataDirError extends Error {
  readonly code = 'WEFT_DATA_DIR'
  override name = 'DataDirError'
}

export const nodePlatform: Platform = {
  name: 'node',
  async openLevel (dataDir) {
    if (dataDir === undefined) {
      return new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as LevelDb
    }
    return await withTimeout(openClassicLevel(dataDir), OPEN_TIMEOUT_MS,
      `data dir ${dataDir}: the store did not open within ${OPEN_TIMEOUT_MS / 1000} s`)
  },
  async transports (listen, nat, tls) {
    // TCP is always there to dial bootstrap peers; the others only when asked for.
    const transports: Array<(components: any) => any> = [tcp()]
    if (listen.some(a => a.includes('/ws'))) {
      transports.push(webSockets(tls === undefined ? {} : { https: { cert: asPem(tls.cert), key: asPem(tls.key) } }))
    }
    if (listen.some(a => a.startsWith('/memory'))) transports.push(memory())
    const quicAddress = listen.find(a => a.includes('/quic-v1'))
    if (quicAddress !== undefined) transports.push(await loadQuic(quicAddress))
    if (listen.some(isWebRtcListen)) transports.push(await loadWebRtc(nat?.iceServers))
    return transports
  },
  mdns: () => mdns(),
  upnp: ({ trustRouterAddress }) => uPnPNAT({
    autoConfirmAddress: trustRouterAddress,
    portMappingClient: portMappingClient()
  }),
  ed25519: nodeEd25519
}

const asPem = (pem: string | Uint8Array): string | Buffer => typeof pem === 'string' ? pem : Buffer.from(pem)

/**
 * QUIC (TLS 1.3 and its own stream muxing: no Noise or yamux on these connections). Loaded only when
 * a listen address asks for it: the transport is a native module (prebuilt per platform), and a
 * platform without a build must not stop every other weft from starting.
 */
async function loadQuic (address: string): Promise<(components: any) => any> {
  try {
    const { quic } = await import('@chainsafe/libp2p-quic')
    return quic()
  } catch (err: any) {
    throw new TypeError(`createWeft: listen address ${address} needs QUIC, which is not available here ` +
      `(@chainsafe/libp2p-quic: ${String(err?.message ?? err).split('\n')[0]})`, { cause: err })
  }
}

/** `/webrtc`: reachable by WebRTC, signalled through the relays this peer holds a reservation on. */
const isWebRtcListen = (address: string): boolean => address === '/webrtc' || address.endsWith('/p2p-circuit/webrtc')

/**
 * WebRTC between peers (data channels over ICE: the NAT traversal of browsers, with STUN for the
 * public address and connectivity checks sent from the socket that will carry the data). Native in
 * Node (node-datachannel): loaded only when asked for, like QUIC.
 */
async function loadWebRtc (iceServers: string[] | undefined): Promise<(components: any) => any> {
  try {
    const { webRTC } = await import('@libp2p/webrtc')
    if (iceServers === undefined) return webRTC()
    return webRTC({ rtcConfiguration: { iceServers: toIceServers(iceServers) } })
  } catch (err: any) {
    throw new TypeError('createWeft: listen address /webrtc needs WebRTC, which is not available here ' +
      `(@libp2p/webrtc: ${String(err?.message ?? err).split('\n')[0]})`, { cause: err })
  }
}

async function openClassicLevel (dataDir: string): Promise<LevelDb> {
  const { join } = await import('node:path')
  const { ClassicLevel } = await import('classic-level')
  await ensureDirectory(dataDir)
  const db = new ClassicLevel<string, Uint8Array>(join(dataDir, 'store'),
    { keyEncoding: 'utf8', valueEncoding: 'view' })
  try {
    await db.open()
  } catch (err: any) {
    // classic-level reports a held lock as LEVEL_DATABASE_NOT_OPEN with the real reason as its cause.
    if (err?.cause?.code === 'LEVEL_LOCKED' || err?.code === 'LEVEL_LOCKED') {
      throw new DataDirError(`data dir ${dataDir} is in use by another process (another weft running on it?)`,
        { cause: err })
    }
    const reason = String(err?.cause?.message ?? err?.message)
    throw new DataDirError(`data dir ${dataDir}: cannot open the store (${reason})`,
      { cause: err })
  }
  return db as unknown as LevelDb
}

/** Creates a data dir (mode 0700) or checks the one there; a `DataDirError` names what is wrong, quickly. */
export async function ensureDirectory (dataDir: string): Promise<void> {
  await withTimeout(makeDirectory(dataDir, dataDir), OPEN_TIMEOUT_MS,
    `data dir ${dataDir}: could not be created within ${OPEN_TIMEOUT_MS / 1000} s`)
}

/**
 * `mkdir -p`, one level at a time: Node's `mkdir(dir, { recursive: true })` never returns on
 * `/proc/weft` (the kernel answers ENOENT although `/proc` exists, and libuv retries forever).
 */
async function makeDirectory (dir: string, dataDir: string): Promise<void> {
  const { mkdir, stat } = await import('node:fs/promises')
  const { dirname } = await import('node:path')
  const parent = dirname(dir)
  try {
    await mkdir(dir, { mode: 0o700 })
    return
  } catch (err: any) {
    if (err?.code === 'EEXIST') {
      if ((await stat(dir)).isDirectory()) return
      throw new DataDirError(`data dir ${dataDir}: ${dir} is a file, not a directory`, { cause: err })
    }
    if (err?.code !== 'ENOENT' || parent === dir || await isDirectory(parent)) {
      throw new DataDirError(`data dir ${dataDir} cannot be created (${String(err?.code ?? err?.message)})`,
        { cause: err })
    }
  }
  await makeDirectory(parent, dataDir)
  await makeDirectory(dir, dataDir)
}

async function isDirectory (path: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises')
  return await stat(path).then(s => s.isDirectory(), () => false)
}

async function withTimeout<T> (work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new DataDirError(message)) }, ms)
  })
  try {
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
  }
}
