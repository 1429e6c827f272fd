/**
 * weft as a system under test, used only through its public API (contract in src/types.ts), as
 * built: dist/src/index.js, the code an app installing weft-sync runs. Not src/ through tsx: tsx
 * compiles with esbuild's keepNames, which gives every function an own `name` property (measured:
 * ~7 KiB more heap per open document, about 29 closures each holding a 256-byte property store),
 * a cost no app pays and the baselines (plain JavaScript from node_modules) do not carry.
 * Loaded lazily so the baselines still run while weft does not build or does not work.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DocHandle, Weft, WeftOptions } from '../../src/types.js'
import { meshPeersOf, type MeshNode } from '../baselines/libp2p-node.js'
import type { BenchPeer, Cluster, ClusterOptions, SystemFactory, Transport } from './types.js'
import { TEXT } from './types.js'
import { uniqueName } from '../lib/random.js'
import { ByteMeter } from '../lib/byte-meter.js'
import { withTimeout } from '../lib/time.js'

type CreateWeft = (opts: WeftOptions) => Promise<Weft>
interface WeftModule { createWeft?: CreateWeft, PROTOCOL?: { sync: string } }

let cached: Promise<WeftModule> | undefined
/** The built engine's document-to-topic mapping (src/sync/gossip.ts), once loaded: for peers' mesh sizes. */
let docTopic: ((docId: string) => string) | undefined

/** Throws when dist/ is missing or older than some file of src/: the bench would measure old code. */
function checkBuilt (): void {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const built = join(root, 'dist/src/index.js')
  let builtAt: number
  try {
    builtAt = statSync(built).mtimeMs
  } catch {
    throw new Error('dist/src/index.js is missing: run `npm run build` first (the bench measures the built package)')
  }
  const newest = (dir: string): number => Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map(e => {
    const path = join(dir, e.name)
    return e.isDirectory() ? newest(path) : statSync(path).mtimeMs
  }))
  if (newest(join(root, 'src')) > builtAt) {
    throw new Error('src/ changed after the last build: run `npm run build` first (the bench measures dist/)')
  }
}

async function loadModule (): Promise<WeftModule> {
  // a variable specifier keeps tsc from resolving the build output while it is being written
  const path = '../../dist/src/index.js'
  const gossipPath = '../../dist/src/sync/gossip.js'
  cached ??= (async () => {
    checkBuilt()
    const mod = await (import(path) as Promise<WeftModule>)
    docTopic = (await (import(gossipPath) as Promise<{ docTopic: (docId: string) => string }>)).docTopic
    return mod
  })()
  return await cached
}

/** Imports `createWeft` from the build; rejects with the reason when it is missing, stale or broken. */
export async function loadWeft (): Promise<CreateWeft> {
  const mod = await loadModule()
  if (typeof mod.createWeft !== 'function') throw new Error('dist/src/index.js does not export createWeft')
  return mod.createWeft
}

/** The pull protocol id weft exports (falls back to the documented one). */
export async function weftSyncProtocol (): Promise<string> {
  return (await loadModule()).PROTOCOL?.sync ?? '/weft/sync/1.0.0'
}

/**
 * Network knobs for an experiment, from `BENCH_WEFT_NETWORK` (JSON, e.g. '{"floodPublish":false}'):
 * every weft peer of the run gets them. Runs that set it say so in their machine line.
 */
export const experimentKnobs: Record<string, unknown> = JSON.parse(process.env.BENCH_WEFT_NETWORK ?? '{}')

/** Options every benchmark peer uses: loopback-friendly network knobs, no mDNS. */
export function weftOptions (transport: Transport, extra: Partial<WeftOptions> = {}): WeftOptions {
  return {
    listen: [transport === 'tcp' ? '/ip4/127.0.0.1/tcp/0' : `/memory/${uniqueName('weft')}`],
    mdns: false,
    ...extra,
    network: {
      inboundConnectionThreshold: 100_000,
      ipColocationFactorWeight: 0,
      ...experimentKnobs,
      ...(typeof extra.network === 'object' ? extra.network : {})
    }
  }
}

/** A fresh LevelDB directory under the OS temp dir; weft peers persist like they would in an app. */
export function tempDataDir (): string {
  return mkdtempSync(join(tmpdir(), 'weft-bench-'))
}

/** The engine's counters, each summed over its labels. */
export function counterTotals (w: Weft): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(w.metrics.counters())) out[k] = Object.values(v).reduce((a, b) => a + b, 0)
  return out
}

/** The counters that moved between two `counterTotals` readings, by how much. */
export function countersMoved (before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const moved: Record<string, number> = {}
  for (const [k, v] of Object.entries(after)) if (v !== (before[k] ?? 0)) moved[k] = v - (before[k] ?? 0)
  return moved
}

export function removeDir (dir: string): void {
  try { rmSync(dir, { recursive: true, force: true }) } catch {}
}

export interface WeftPeer extends BenchPeer {
  weft: Weft
  handle: DocHandle
}

export function weftPeer (weft: Weft, handle: DocHandle): WeftPeer {
  const topic = docTopic?.(handle.id)
  return {
    weft,
    handle,
    doc: handle.doc,
    text: handle.doc.getText(TEXT),
    connections: () => weft.connectedPeers().length,
    ...(topic === undefined ? {} : { meshPeers: () => meshPeersOf(weft.libp2p as unknown as MeshNode, topic).length })
  }
}

/**
 * Starts n weft peers: peer 0 creates the document, every other peer bootstraps from peer 0 and opens it.
 * Each peer persists to its own temporary LevelDB (`persist: false` keeps them in memory).
 */
export async function startWeftCluster (
  n: number,
  transport: Transport,
  timeoutMs: number,
  extra: Partial<WeftOptions> = {},
  persist = true
): Promise<{ peers: WeftPeer[], stop: () => Promise<void>, meter: ByteMeter }> {
  const createWeft = await loadWeft()
  const meter = new ByteMeter()
  extra = { libp2pMetrics: meter.factory, ...extra }
  const wefts: Weft[] = []
  const peers: WeftPeer[] = []
  const dirs: string[] = []
  const dataDir = (): Partial<WeftOptions> => {
    if (!persist) return {}
    const d = tempDataDir()
    dirs.push(d)
    return { dataDir: d }
  }
  const stop = async (): Promise<void> => {
    await Promise.allSettled(peers.map(async p => { await p.handle.close() }))
    await Promise.allSettled(wefts.map(async w => { await w.stop() }))
    for (const d of dirs) removeDir(d)
  }
  try {
    await withTimeout((async () => {
      const first = await createWeft(weftOptions(transport, { ...extra, ...dataDir() }))
      wefts.push(first)
      const h0 = await first.create()
      peers.push(weftPeer(first, h0))
      const bootstrap = [first.multiaddrs[0]]
      // start in small parallel batches: enough to be quick, few enough not to starve the event loop
      const batch = 5
      for (let i = 1; i < n; i += batch) {
        const size = Math.min(batch, n - i)
        const started = await Promise.all(Array.from({ length: size }, async () => {
          const w = await createWeft(weftOptions(transport, { ...extra, ...dataDir(), bootstrap }))
          wefts.push(w)
          // The engine dials /memory bootstrap addresses itself (@libp2p/bootstrap refuses them);
          // wait for that connection so the batch starts connected.
          if (transport === 'memory') await w.dial(bootstrap)
          const h = await w.open(h0.id)
          return weftPeer(w, h)
        }))
        peers.push(...started)
      }
      await Promise.all(peers.slice(1).map(async p => {
        await p.handle.whenSynced({ signal: AbortSignal.timeout(timeoutMs) })
      }))
    })(), timeoutMs, `weft: ${n} peers starting`)
  } catch (err) {
    // say how far it got: handle statuses and connection counts
    const statuses: Record<string, number> = {}
    for (const p of peers) statuses[p.handle.status] = (statuses[p.handle.status] ?? 0) + 1
    const conns = wefts.map(w => w.connectedPeers().length)
    const avgConns = conns.reduce((a, b) => a + b, 0) / Math.max(1, conns.length)
    const detail = `${wefts.length}/${n} peers started, ${peers.length} opened the document; ` +
      `statuses ${JSON.stringify(statuses)}; ` +
      `connections per peer min ${Math.min(...conns)} avg ${avgConns.toFixed(1)} max ${Math.max(...conns)}`
    await stop()
    throw new Error(`${err instanceof Error ? err.message : String(err)} (${detail})`)
  }
  return { peers, stop, meter }
}

export const weftSystem: SystemFactory = {
  name: 'weft',
  supports: () => true,
  async createCluster (opts: ClusterOptions): Promise<Cluster> {
    const { peers, stop, meter } = await startWeftCluster(opts.n, opts.transport, opts.timeoutMs)
    return {
      system: 'weft',
      transport: opts.transport,
      peers,
      topology: 'every peer bootstraps from peer 0' +
        (opts.transport === 'memory' ? ' (dialled explicitly: @libp2p/bootstrap rejects /memory addresses)' : '') +
        '; weft discovery (DHT providers) does the rest; LevelDB per peer',
      bytesReceived: () => meter.wire.rx,
      bytesByProtocol: () => Object.fromEntries([...meter.byProtocol].map(([k, v]) => [k, v.rx])),
      stop
    }
  }
}
