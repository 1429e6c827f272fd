/**
 * Scenario: what a private document costs against an open one, in one run on one machine.
 * - Latency: single-character edits on peer 0 of an N-peer cluster (as in latency-core), on an open
 *   document and on a private one (every other peer joined with a writer link), both clusters up at
 *   once and their edits interleaved one by one: edit latency p50/p99 and CPU per delivered edit;
 *   in a full run two such rounds, each a fresh pair of clusters, pooled.
 * - Catch-up: a member offline during E edits comes back; the sync stream's bytes against the ideal
 *   diff (Y.encodeStateAsUpdate of the writer's doc against the member's state vector).
 */
import * as Y from 'yjs'
import {
  loadWeft, weftOptions, weftPeer, tempDataDir, removeDir, weftSyncProtocol, type WeftPeer
} from '../systems/weft.js'
import type { Weft, DocHandle } from '../../src/types.js'
import type { Cluster } from '../systems/types.js'
import { TEXT } from '../systems/types.js'
import { ByteMeter } from '../lib/byte-meter.js'
import { tick, waitFor, withTimeout, sleep, cpuMs } from '../lib/time.js'
import { waitQuiet } from '../lib/quiet.js'
import { warmUp } from '../lib/ready.js'
import { log, errMsg } from '../lib/log.js'
import { profileWindow } from '../lib/profiler.js'
import {
  latencyStats, poolSamples, roundFigures, type LatencyRound, type LatencySample, type LatencyStats
} from './latency-core.js'
import { mean } from '../lib/stats.js'
import { mulberry32 } from '../lib/random.js'
import type { ScenarioContext, SkipNote } from './context.js'

export type Access = 'open' | 'private'

export interface TrustLatencyRow extends LatencyStats {
  access: Access
  n: number
  settleMs: number
  idleCpuPercent: number
  /** CPU per delivered edit minus the idle rate over the same wall time, ms. */
  netCpuPerDeliveryMs: number | null
  /** Each round's own figures (a fresh pair of clusters each); the row pools them. */
  rounds: LatencyRound[]
}

export interface TrustCatchupRow {
  access: Access
  edits: number
  idealBytes: number
  /** Sync stream payloads, rx + tx, of the returning member. */
  bytes: number
  convergeMs: number
}

export interface TrustRows { latency: TrustLatencyRow[], catchup: TrustCatchupRow[] }

export interface TrustPlan { latency: Array<{ n: number, edits: number }>, catchupEdits: number }

/** N peers on one document over TCP: peer 0 creates it; the others open it (open) or join with a writer link. */
export async function startCluster (n: number, access: Access, timeoutMs: number): Promise<Cluster> {
  const createWeft = await loadWeft()
  const meter = new ByteMeter()
  const wefts: Weft[] = []
  const peers: WeftPeer[] = []
  const dirs: string[] = []
  const options = (extra: Record<string, unknown> = {}): ReturnType<typeof weftOptions> => {
    const dataDir = tempDataDir()
    dirs.push(dataDir)
    return weftOptions('tcp', { libp2pMetrics: meter.factory, dataDir, ...extra })
  }
  const stop = async (): Promise<void> => {
    await Promise.allSettled(peers.map(async p => { await p.handle.close() }))
    await Promise.allSettled(wefts.map(async w => { await w.stop() }))
    for (const d of dirs) removeDir(d)
  }
  try {
    await withTimeout((async () => {
      const first = await createWeft(options())
      wefts.push(first)
      const h0 = await first.create({ access })
      peers.push(weftPeer(first, h0))
      const bootstrap = [first.multiaddrs[0]]
      for (let i = 1; i < n; i++) {
        const w = await createWeft(options({ bootstrap }))
        wefts.push(w)
        const h = access === 'open'
          ? await w.open(h0.id)
          : await w.join(h0.invite({ role: 'writer' }), { signal: AbortSignal.timeout(timeoutMs) })
        peers.push(weftPeer(w, h))
      }
      if (access === 'private') {
        // Every writer holds the newest epoch key before measuring: rotations on each join settle first.
        await waitFor(() => peers.every(p => p.handle.members().length === n), timeoutMs, 'members known everywhere')
      }
      await Promise.all(peers.slice(1).map(async p => {
        await p.handle.whenSynced({ signal: AbortSignal.timeout(timeoutMs) })
      }))
    })(), timeoutMs, `weft ${access}: ${n} peers starting`)
  } catch (err) {
    await stop()
    throw err
  }
  return {
    system: 'weft',
    transport: 'tcp',
    peers,
    topology: `every peer bootstraps from peer 0; ${access} document`,
    bytesReceived: () => meter.wire.rx,
    bytesByProtocol: () => Object.fromEntries([...meter.byProtocol].map(([k, v]) => [k, v.rx])),
    stop
  }
}

/**
 * Edits of the two clusters interleaved one by one, each pair in a random (seeded) order, so that
 * load that drifts during the run (a shared CI box, a GC, the other cluster's timers) weighs on both
 * alike down to the single edit, and neither kind always goes first after a pause. Each edit's slot
 * runs from the edit to the end of the pause after it: the CPU of that slot is charged to the kind
 * that edited (work an edit leaves behind, such as store writes and forwarding, lands in its own
 * slot; periodic work of either cluster lands in either kind's slots at random). Bytes come from each
 * cluster's own meter, so they are exact per kind.
 */
async function measureInterleaved (
  clusters: Record<Access, Cluster>, o: { edits: number, gapMs: number, perEditTimeoutMs: number, budgetMs: number }
): Promise<Record<Access, LatencySample>> {
  const kinds = ['open', 'private'] as const
  const state = Object.fromEntries(kinds.map(access => {
    const [writer, ...receivers] = clusters[access].peers
    const seen = new Float64Array(receivers.length)
    const s = {
      writer,
      receivers,
      seen,
      expected: Number.POSITIVE_INFINITY,
      pending: 0,
      done: undefined as (() => void) | undefined,
      listeners: [] as Array<() => void>,
      sample: { allPeers: [], perDelivery: [], lost: 0, cpuMs: 0, wallMs: 0, bytes: 0 } as LatencySample,
      bytes0: clusters[access].bytesReceived()
    }
    s.listeners = receivers.map((p, i) => {
      const fn = (): void => {
        if (s.seen[i] === 0 && p.text.length >= s.expected) {
          s.seen[i] = performance.now()
          if (--s.pending === 0) s.done?.()
        }
      }
      p.doc.on('update', fn)
      return fn
    })
    return [access, s]
  })) as Record<Access, {
    writer: Cluster['peers'][number]
    receivers: Cluster['peers']
    seen: Float64Array
    expected: number
    pending: number
    done: (() => void) | undefined
    listeners: Array<() => void>
    sample: LatencySample
    bytes0: number
  }>
  const order = mulberry32(7)
  const gaps = mulberry32(42)
  const wall0 = performance.now()
  try {
    for (let k = 0; k < o.edits && performance.now() - wall0 <= o.budgetMs; k++) {
      const pair = order() < 0.5 ? kinds : [...kinds].reverse()
      for (const access of pair) {
        const s = state[access]
        const cpu0 = process.cpuUsage()
        const t0 = performance.now()
        s.seen.fill(0)
        s.pending = s.receivers.length
        const finished = new Promise<void>(resolve => { s.done = resolve })
        s.expected = s.writer.text.length + 1
        s.writer.text.insert(s.writer.text.length, 'x')
        let timer: NodeJS.Timeout | undefined
        const timeout = new Promise<void>(resolve => { timer = setTimeout(resolve, o.perEditTimeoutMs) })
        await Promise.race([finished, timeout])
        clearTimeout(timer)
        s.expected = Number.POSITIVE_INFINITY
        let worst = 0
        for (let i = 0; i < s.receivers.length; i++) {
          if (s.seen[i] === 0) { s.sample.lost++; worst = Number.POSITIVE_INFINITY; continue }
          const d = s.seen[i] - t0
          s.sample.perDelivery.push(d)
          worst = Math.max(worst, d)
        }
        s.sample.allPeers.push(worst)
        await sleep(o.gapMs * (1 + gaps()))
        s.sample.cpuMs += cpuMs(cpu0)
        s.sample.wallMs += performance.now() - t0
      }
    }
  } finally {
    for (const access of kinds) {
      const s = state[access]
      s.receivers.forEach((p, i) => { p.doc.off('update', s.listeners[i]) })
      s.sample.bytes = clusters[access].bytesReceived() - s.bytes0
    }
  }
  return { open: state.open.sample, private: state.private.sample }
}

/**
 * Both clusters run side by side, started and warmed up alike, and their edits are interleaved one
 * by one (measureInterleaved); the ratio between them is what is reported. In a full run this is two
 * rounds, each a fresh pair of clusters with half the edits, pooled: one start's topology (the
 * writer's links, the hops to the farthest peer) had decided the N = 10 ratio, whose p50 read
 * between 0.89x and 1.64x in seven full runs of two days' code.
 */
async function latencyPair (ctx: ScenarioContext, n: number, edits: number): Promise<TrustLatencyRow[]> {
  const label = `trust latency N=${n}`
  const rounds = ctx.quick ? 1 : 2
  const kinds = ['open', 'private'] as const
  const done: Array<{ samples: Record<Access, LatencySample>, settleMs: number, idleRate: number }> = []
  for (let round = 0; round < rounds; round++) {
    done.push(await latencyRound(ctx, `${label}${rounds > 1 ? ` round ${round + 1}/${rounds}` : ''}`, n,
      Math.ceil(edits / rounds), round % 2 === 0 ? kinds : [...kinds].reverse()))
  }
  const idleRate = mean(done.map(d => d.idleRate))
  return kinds.map(access => {
    const sample = poolSamples(done.map(d => d.samples[access]))
    const row: TrustLatencyRow = {
      access,
      n,
      settleMs: mean(done.map(d => d.settleMs)),
      idleCpuPercent: idleRate * 100,
      netCpuPerDeliveryMs: sample.perDelivery.length > 0
        ? (sample.cpuMs - idleRate * sample.wallMs) / sample.perDelivery.length
        : null,
      rounds: done.map(d => roundFigures(d.samples[access], null)),
      ...latencyStats(sample)
    }
    log(`${label} ${access}: ${row.edits} edits, p50 ${row.allPeers.p50.toFixed(2)} ms, ` +
      `p99 ${row.allPeers.p99.toFixed(2)} ms, cpu/delivery ${row.cpuPerDeliveryMs.toFixed(3)} ms ` +
      `(net ${row.netCpuPerDeliveryMs?.toFixed(3)}), ${Math.round(row.bytesPerDelivery)} B/delivery, ` +
      `lost ${row.lostDeliveries}; p50 by round ${row.rounds.map(r => r.p50.toFixed(1)).join(' / ')} ms`)
    return row
  })
}

/** One pair of fresh clusters, started in `order`, measured with their edits interleaved, then stopped. */
async function latencyRound (
  ctx: ScenarioContext, label: string, n: number, edits: number, order: readonly Access[]
): Promise<{ samples: Record<Access, LatencySample>, settleMs: number, idleRate: number }> {
  log(`${label}: starting an open and a private cluster`)
  const clusters: Partial<Record<Access, Cluster>> = {}
  try {
    for (const access of order) clusters[access] = await startCluster(n, access, 30_000 + n * 6000)
    // Warmed up only once both are up: whatever the first cluster's start-up leaves running meets both.
    for (const access of order) await warmUp(clusters[access]!, 15_000 + n * 200)
    const q = await waitQuiet(ctx.quick ? 1_500 : 3_000, ctx.quick ? 10_000 : 30_000, 10 + n)
    const idleStart = process.cpuUsage()
    const idleT0 = performance.now()
    await sleep(ctx.quick ? 500 : 2000)
    const idleRate = cpuMs(idleStart) / (performance.now() - idleT0)
    const samples = await profileWindow('weft', `${label} interleaved`, async () =>
      await measureInterleaved(clusters as Record<Access, Cluster>, {
        edits, gapMs: 5, perEditTimeoutMs: 5000, budgetMs: ctx.quick ? 16_000 : 240_000
      }))
    return { samples, settleMs: q.settleMs, idleRate }
  } finally {
    for (const cluster of Object.values(clusters)) {
      await cluster.stop().catch(err => { log(`${label}: stop failed: ${errMsg(err)}`) })
    }
  }
}

/** A member (B) misses `edits` single-character edits by A, comes back from its data dir, and catches up. */
async function catchupRow (edits: number, access: Access, timeoutMs: number): Promise<TrustCatchupRow> {
  const createWeft = await loadWeft()
  const syncProtocol = await weftSyncProtocol()
  const dirA = tempDataDir()
  const dirB = tempDataDir()
  const live: Weft[] = []
  try {
    const a = await createWeft(weftOptions('tcp', { dataDir: dirA }))
    live.push(a)
    const ha = await a.create({ access })
    const textA = ha.doc.getText(TEXT)
    const bootstrap = [a.multiaddrs[0]]
    const b1 = await createWeft(weftOptions('tcp', { dataDir: dirB, bootstrap }))
    live.push(b1)
    const hb1 = access === 'open'
      ? await b1.open(ha.id)
      : await b1.join(ha.invite({ role: 'reader' }), { signal: AbortSignal.timeout(15_000) })
    textA.insert(0, 'start ')
    await waitFor(() => hb1.doc.getText(TEXT).length === textA.length, 15_000, 'initial sync')
    await hb1.flush()
    const sv = Y.encodeStateVector(hb1.doc)
    await hb1.close()
    await b1.stop()
    live.splice(live.indexOf(b1), 1)

    for (let i = 0; i < edits; i++) {
      textA.insert(textA.length, String.fromCharCode(97 + (i % 26)))
      await tick()
    }
    await ha.flush()
    const ideal = Y.encodeStateAsUpdate(ha.doc, sv).byteLength
    const meter = new ByteMeter()
    const t0 = performance.now()
    const b2 = await createWeft(weftOptions('tcp', { dataDir: dirB, bootstrap, libp2pMetrics: meter.factory }))
    live.push(b2)
    const hb2: DocHandle = await b2.open(ha.id)
    await waitFor(() => hb2.doc.getText(TEXT).length === textA.length, timeoutMs, `${access} catch-up`, 1)
    const convergeMs = performance.now() - t0
    if (hb2.doc.getText(TEXT).toString() !== textA.toString()) throw new Error(`${access} catch-up: texts differ`)
    const sync = meter.snapshot().protocols[syncProtocol] ?? { rx: 0, tx: 0 }
    return { access, edits, idealBytes: ideal, bytes: sync.rx + sync.tx, convergeMs }
  } finally {
    await Promise.allSettled(live.map(async w => { await w.stop() }))
    removeDir(dirA)
    removeDir(dirB)
  }
}

export async function runTrust (
  ctx: ScenarioContext, plan: TrustPlan
): Promise<{ rows: TrustRows, skipped: SkipNote[] }> {
  const rows: TrustRows = { latency: [], catchup: [] }
  const skipped: SkipNote[] = []
  for (const { n, edits } of plan.latency) {
    try {
      rows.latency.push(...await latencyPair(ctx, n, edits))
    } catch (err) {
      skipped.push({ scenario: 'trust', system: 'weft', n, reason: errMsg(err) })
      log(`trust latency N=${n}: failed: ${errMsg(err)}`)
    }
  }
  const timeoutMs = ctx.quick ? 20_000 : 60_000
  for (const access of ['open', 'private'] as const) {
    try {
      const row = await withTimeout(catchupRow(plan.catchupEdits, access, timeoutMs), timeoutMs * 3,
        `trust catch-up ${access}`)
      rows.catchup.push(row)
      log(`trust catch-up ${access}: ${row.edits} edits, ${row.bytes} B (ideal ${row.idealBytes} B, ` +
        `${(row.bytes / row.idealBytes).toFixed(2)}x), ${row.convergeMs.toFixed(0)} ms`)
    } catch (err) {
      skipped.push({ scenario: 'trust', system: `weft ${access}`, reason: `catch-up: ${errMsg(err)}` })
      log(`trust catch-up ${access}: failed: ${errMsg(err)}`)
    }
  }
  return { rows, skipped }
}
