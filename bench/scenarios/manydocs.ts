/**
 * Scenario: D documents open on one peer. The peer is this process; a partner peer runs in a child
 * process, so this process's heap and CPU are the measured peer's alone.
 * Phase "local": D documents opened (and edited once) on the measured peer, partner connected but
 *   not replicating them. Memory per document = heap growth after a forced GC / D.
 * Phase "replicated": the partner opens / subscribes to all D too (best effort within a bound;
 *   how many made it is reported). Memory and idle CPU are measured again.
 * Idle CPU = this process's CPU time over a quiet window (IDLE_WINDOW_MS), as % of one core.
 * - weft: one node, D documents (create + one edit each); the partner opens all D ids. Every
 *   create()/open() handle is one lease, released by its close() before the node stops.
 * - mesh: one libp2p node, D Y.Docs on D gossipsub topics; the partner subscribes to all D.
 * - y-websocket: D WebsocketProviders (one WebSocket each, as y-websocket works) to a server in a
 *   child process; "local" and "replicated" coincide (every document syncs with the server).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { ChildPeer } from '../lib/child-peer.js'
import { fullGc, heapUsed } from '../lib/gc.js'
import { sleep, waitFor, withTimeout } from '../lib/time.js'
import { uniqueName } from '../lib/random.js'
import { log, errMsg } from '../lib/log.js'
import { loadWeft, weftOptions, tempDataDir, removeDir, counterTotals, countersMoved } from '../systems/weft.js'
import { createMeshNode, meshPeersOf } from '../baselines/libp2p-node.js'
import { bindDoc, type MeshPeer } from '../baselines/gossip-mesh.js'
import { connectClient, whenClientSynced, type YwsClient } from '../baselines/ywebsocket.js'
import type { DocHandle, Weft } from '../../src/types.js'
import type { SystemName } from '../systems/types.js'
import { TEXT } from '../systems/types.js'
import type { ScenarioContext, SkipNote } from './context.js'
import { profileWindow } from '../lib/profiler.js'

export interface PhaseNumbers {
  heapPerDocBytes: number
  /** This process's CPU over the idle window, % of one core. */
  idleCpuPercent: number
  /** The partner process's CPU over the same window, % of one core. */
  partnerIdleCpuPercent: number
  /** Time to reach this phase, ms. */
  ms: number
  /** weft: engine counters that moved during the idle window. */
  activity?: Record<string, number>
}

export interface ManyDocsRow {
  system: SystemName
  docs: number
  idleWindowMs: number
  local: PhaseNumbers
  replicated: PhaseNumbers
  /** Documents replicated with the partner when phase 2 was measured. */
  replicatedDocs: number
  note: string
}

/** What each system must do for the two phases. */
interface Driver {
  openLocal: () => Promise<void>
  /** Returns how many documents are replicated. */
  replicate: (boundMs: number) => Promise<number>
  stop: () => Promise<void>
  /** The measured weft node (weft only), for its counters. */
  weft?: Weft
}

async function weftDriver (docs: number, partner: ChildPeer): Promise<Driver> {
  const createWeft = await loadWeft()
  const dir = tempDataDir()
  const w = await createWeft(weftOptions('tcp', { dataDir: dir }))
  await partner.call('weft-start', { bootstrap: [w.multiaddrs[0]] })
  await waitFor(() => w.connectedPeers().length > 0, 10_000, 'partner connected')
  const handles: DocHandle[] = []
  return {
    weft: w,
    openLocal: async () => {
      for (let i = 0; i < docs; i++) {
        const h = await w.create()
        h.doc.getText(TEXT).insert(0, 'hello')
        handles.push(h)
      }
      await Promise.all(handles.map(async h => { await h.flush() }))
    },
    replicate: async (boundMs) => {
      const r = await partner.call<{ synced: number }>(
        'weft-open',
        { ids: handles.map(h => h.id), sync: true, timeoutMs: boundMs },
        boundMs + 30_000
      )
      return r.synced
    },
    stop: async () => {
      await Promise.allSettled(handles.map(async h => { await h.close() }))
      await w.stop()
      removeDir(dir)
    }
  }
}

async function meshDriver (docs: number, partner: ChildPeer): Promise<Driver> {
  const node = await createMeshNode('tcp')
  const info = await partner.call<{ addrs: string[] }>('mesh-start')
  await node.dial(multiaddr(info.addrs[0]))
  const peers: MeshPeer[] = []
  const withMesh = (): number => peers.filter(p => meshPeersOf(node, p.topic).length > 0).length
  return {
    openLocal: async () => {
      for (let i = 0; i < docs; i++) {
        const p = bindDoc(node, uniqueName('/bench/many'))
        p.text.insert(0, 'hello')
        peers.push(p)
      }
    },
    replicate: async (boundMs) => {
      await partner.call('mesh-bind', { topics: peers.map(p => p.topic) }, 60_000)
      // stop early once the count has not moved for 5 s (gossipsub sometimes never learns a few subscriptions)
      let last = -1
      let since = performance.now()
      await waitFor(() => {
        const c = withMesh()
        if (c !== last) { last = c; since = performance.now() }
        return c === docs || performance.now() - since > 5000
      }, boundMs, 'mesh for every topic', 100).catch(() => {})
      return withMesh()
    },
    stop: async () => { for (const p of peers) p.detach(); await node.stop() }
  }
}

async function ywsDriver (docs: number, server: ChildPeer): Promise<Driver> {
  const url = await server.call<string>('yws-server')
  const clients: YwsClient[] = []
  return {
    openLocal: async () => {
      for (let i = 0; i < docs; i++) clients.push(connectClient(url, uniqueName('many')))
      await Promise.all(clients.map(async c => { await whenClientSynced(c, 60_000) }))
      for (const c of clients) c.text.insert(0, 'hello')
    },
    replicate: async () => clients.filter(c => c.provider.synced).length,
    stop: async () => { for (const c of clients) { c.provider.destroy(); c.doc.destroy() } }
  }
}

export interface IdleSample {
  /** This process's CPU, % of one core. */
  self: number
  partner: number
  wall: number
  /** weft: the engine counters that moved during the window (what kept it busy), by name. */
  activity?: Record<string, number>
}

/**
 * How long an idle window lasts in a full run: long enough to hold every periodic job of each
 * system compared at least once, so that none is measured between two of its own bursts. The
 * longest are weft's heads exchange with each neighbour (`headsIntervalMs`, 1 min) and, in
 * y-websocket, each document's awareness renewal (every 15 s) and connection check (30 s).
 * The 12 s window used before caught one slice of that: 10 s slices of a 40 s window (2026-12-05,
 * 1,000 documents) read y-websocket 0.24, 1.27, 3.49, 0.29 % (a 12 s window ended before its first
 * renewal) and weft 1.68, 0.64, 0.45, 1.93 %, and the ratio read 1.41x, then 2.71x, on one code.
 */
export const IDLE_WINDOW_MS = 60_000

/**
 * CPU of this process and of the partner over an idle window (after 1 s to let the last step
 * settle), % of one core; with a weft node, also which of its counters moved meanwhile.
 */
export async function idleCpu (partner: ChildPeer, windowMs: number, w?: Weft): Promise<IdleSample> {
  await sleep(1000)
  const k0 = w === undefined ? undefined : counterTotals(w)
  const p0 = await partner.call<number>('cpu')
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await sleep(windowMs)
  const c = process.cpuUsage(c0)
  const wall = performance.now() - t0
  const p1 = await partner.call<number>('cpu')
  const activity = w === undefined || k0 === undefined ? undefined : countersMoved(k0, counterTotals(w))
  return { self: (c.user + c.system) / 1000 / wall * 100, partner: (p1 - p0) / wall * 100, wall, activity }
}

function phase (heapGrowth: number, idle: IdleSample, ms: number, docs: number): PhaseNumbers {
  return {
    heapPerDocBytes: heapGrowth / docs,
    idleCpuPercent: idle.self,
    partnerIdleCpuPercent: idle.partner,
    ms,
    activity: idle.activity
  }
}

async function runOne (
  system: SystemName,
  docs: number,
  idleWindowMs: number,
  replicateBoundMs: number
): Promise<ManyDocsRow> {
  const partner = ChildPeer.spawn(`${system}-partner`)
  let d: Driver | undefined
  try {
    await withTimeout(partner.ready, 30_000, 'partner process')
    d = system === 'weft'
      ? await weftDriver(docs, partner)
      : system === 'mesh' ? await meshDriver(docs, partner) : await ywsDriver(docs, partner)
    await fullGc()
    const heap0 = heapUsed()
    let t0 = performance.now()
    await d.openLocal()
    const localMs = performance.now() - t0
    await sleep(500)
    await fullGc()
    const heapLocal = heapUsed()
    const weftLocal = d.weft
    const idleLocal = await profileWindow(system, `manydocs local ${docs}`,
      async () => await idleCpu(partner, idleWindowMs, weftLocal))
    t0 = performance.now()
    const replicatedDocs = await d.replicate(replicateBoundMs)
    const replMs = performance.now() - t0
    await sleep(500)
    await fullGc()
    const heapRepl = heapUsed()
    const weft = d.weft
    const idleRepl = await profileWindow(system, `manydocs idle ${docs}`,
      async () => await idleCpu(partner, idleWindowMs, weft))
    return {
      system,
      docs,
      idleWindowMs,
      local: phase(heapLocal - heap0, idleLocal, localMs, docs),
      replicated: phase(heapRepl - heap0, idleRepl, replMs, docs),
      replicatedDocs,
      note: system === 'y-websocket'
        ? 'one WebSocket per document; server in a child process'
        : 'partner peer in a child process'
    }
  } finally {
    await d?.stop().catch(() => {})
    await partner.stop()
  }
}

export async function runManyDocs (
  ctx: ScenarioContext,
  docs: number
): Promise<{ rows: ManyDocsRow[], skipped: SkipNote[] }> {
  const rows: ManyDocsRow[] = []
  const skipped: SkipNote[] = []
  const idleMs = ctx.quick ? 1500 : IDLE_WINDOW_MS
  const replicateBoundMs = ctx.quick ? 5_000 : 60_000
  for (const system of ctx.systems) {
    if (system === 'floor') {
      skipped.push({ scenario: 'many documents', system, reason: 'not run: floor is a latency-only diagnostic' })
      continue
    }
    try {
      log(`many documents ${system}: opening ${docs}`)
      const row = await withTimeout(runOne(system, docs, idleMs, replicateBoundMs), 240_000, `many documents ${system}`)
      rows.push(row)
      log(`many documents ${system}: ${(row.local.heapPerDocBytes / 1024).toFixed(1)} KiB heap/doc local, ` +
        `${(row.replicated.heapPerDocBytes / 1024).toFixed(1)} KiB replicated (${row.replicatedDocs}/${docs}); ` +
        `idle CPU ${row.local.idleCpuPercent.toFixed(2)} % / ${row.replicated.idleCpuPercent.toFixed(2)} %`)
    } catch (err) {
      skipped.push({ scenario: 'many documents', system, reason: errMsg(err) })
      log(`many documents ${system}: failed: ${errMsg(err)}`)
    }
  }
  return { rows, skipped }
}
