/** Scenario: propagation latency and CPU per delivered edit, every system, several N, one process. */
import { factories } from '../systems/index.js'
import type { Cluster, SystemName, Transport } from '../systems/types.js'
import { warmUp } from '../lib/ready.js'
import { log, errMsg } from '../lib/log.js'
import {
  inRounds, measureLatency, latencyStats, poolSamples, roundFigures, typicalWriter,
  type LatencyRound, type LatencySample, type LatencyStats, type MeshlessCount
} from './latency-core.js'
import { mean } from '../lib/stats.js'
import type { ScenarioContext, SkipNote } from './context.js'
import { profileWindow } from '../lib/profiler.js'
import { waitQuiet, waitLinksSettled, waitMeshed, LINKS_HOLD_MS, type Meshed } from '../lib/quiet.js'
import { sleep, cpuMs } from '../lib/time.js'

export interface LatencyRow extends LatencyStats {
  system: SystemName
  n: number
  transport: Transport
  processes: 'single' | 'multi'
  /** Rows with the same group are compared with each other (y-websocket joins in-memory groups over TCP). */
  group: string
  setupMs: number
  topology: string
  avgConnections: number | null
  /** Wait after setup until start-up work died down (CPU low or no longer falling), ms; quietReached false: gave up. */
  settleMs: number | null
  quietReached: boolean | null
  /** The peer that wrote (see typicalWriter; the first round's) and its links when measuring started (null: none). */
  writer?: { index: number, links: number | null }
  /** Process CPU while the started cluster sat idle just before measuring, % of one core. */
  idleCpuPercent: number | null
  /** CPU per delivered edit minus the idle rate over the same wall time, ms. */
  netCpuPerDeliveryMs: number | null
  /** One-process runs of a full bench: each round's own figures (the row pools their edits). */
  rounds?: LatencyRound[]
}

export interface LatencyPlan { n: number, transport: Transport, edits: number }

/** One system's part of one round: its own cluster, started, settled and measured. */
interface RoundResult {
  sample: LatencySample
  setupMs: number
  topology: string
  avgConnections: number | null
  settleMs: number
  quietReached: boolean
  writer: { index: number, links: number | null }
  idleRate: number
  /** Peers with no gossipsub mesh peer for the document when the window opened and when it closed. */
  meshless: MeshlessCount | null
}

/**
 * Rounds per N in a full run (see inRounds). Each system starts a fresh cluster per round and writes
 * its share of the edits. Measured
 * before (one cluster each): the same code's N=25 p50 ratio was 1.31x, 1.83x and 1.78x in three runs.
 */
export const LATENCY_ROUNDS = 2
const WARM_UP_EDITS = 100

export async function runLatency (
  ctx: ScenarioContext,
  plans: LatencyPlan[]
): Promise<{ rows: LatencyRow[], skipped: SkipNote[] }> {
  const rows: LatencyRow[] = []
  const skipped: SkipNote[] = []
  const rounds = ctx.quick ? 1 : LATENCY_ROUNDS
  if (!ctx.quick) {
    // The process's first cluster pays for compiling the code it runs (JIT): measured, weft's first
    // N=2 round had p50 2.78 ms and its second 2.15 ms. A small unmeasured round per system first.
    for (const name of ctx.systems) {
      const warmUp = { n: 2, transport: 'tcp' as const, edits: WARM_UP_EDITS }
      await runRound(ctx, warmUp, name, WARM_UP_EDITS, ' (warm-up, not measured)')
    }
  }
  for (const plan of plans) {
    const edits = Math.ceil(plan.edits / rounds)
    const results = await inRounds(ctx.systems, rounds,
      async (name, round) => await runRound(ctx, plan, name, edits, rounds > 1 ? ` round ${round + 1}/${rounds}` : ''),
      (name, reason) => { skipped.push({ scenario: 'latency', system: name, n: plan.n, reason }) })
    for (const name of ctx.systems) {
      const rs = results.get(name)
      if (rs === undefined) continue
      const row = mergeRounds(name, plan, rs)
      rows.push(row)
      const byProto = row.protocolBytesPerDelivery !== undefined
        ? `; B/delivery by protocol ${JSON.stringify(row.protocolBytesPerDelivery)}`
        : ''
      const perRound = rs.length > 1
        ? `; p50 by round ${(row.rounds ?? []).map(r => r.p50.toFixed(1)).join(' / ')} ms`
        : ''
      log(`latency ${name} N=${plan.n} ${row.transport}: ${row.edits} edits, p50 ${row.allPeers.p50.toFixed(2)} ms, ` +
        `p99 ${row.allPeers.p99.toFixed(2)} ms, cpu/delivery ${row.cpuPerDeliveryMs.toFixed(3)} ms ` +
        `(idle ${row.idleCpuPercent?.toFixed(1)} % after settling ${((row.settleMs ?? 0) / 1000).toFixed(1)} s), ` +
        `${Math.round(row.bytesPerDelivery)} B/delivery, avg conns ${row.avgConnections?.toFixed(1)}, ` +
        `writer links ${rs.map(r => r.writer.links ?? 'n/a').join(' / ')}, ` +
        `lost ${row.lostDeliveries}${byProto}${perRound}`)
    }
  }
  return { rows, skipped }
}

/** Starts `name`'s cluster, lets it settle, measures `edits` edits and stops it; a string says why it failed. */
async function runRound (
  ctx: ScenarioContext, plan: LatencyPlan, name: SystemName, edits: number, roundLabel: string
): Promise<RoundResult | string> {
  const f = factories[name]
  // y-websocket has no in-memory transport: it runs over TCP loopback at every N
  const transport: Transport = f.name === 'y-websocket' ? 'tcp' : plan.transport
  const label = `latency ${name} N=${plan.n} ${transport}${roundLabel}`
  const setupTimeout = 20_000 + plan.n * (plan.n > 50 ? 700 : 1500)
  let cluster
  const t0 = performance.now()
  try {
    log(`${label}: starting`)
    cluster = await f.createCluster({ n: plan.n, transport, timeoutMs: setupTimeout })
    await warmUp(cluster, 15_000 + plan.n * 200)
  } catch (err) {
    log(`${label}: could not start: ${errMsg(err)}`)
    await cluster?.stop().catch(() => {})
    return errMsg(err)
  }
  const setupMs = performance.now() - t0
  try {
    // let the links settle and start-up work (DHT queries, identify, first heartbeats) die down,
    // then sample the idle CPU rate
    const linked = await waitLinksSettled(() => cluster.peers.map(p => p.connections?.()), LINKS_HOLD_MS,
      ctx.quick ? 10_000 : 30_000)
    // A backed-off graft is retried after gossipsub's prune backoff (60 s): the bound lets one pass.
    const meshed = await waitMeshed(() => cluster.peers.map(p => p.meshPeers?.()), ctx.quick ? 10_000 : 65_000)
    const q = await waitQuiet(ctx.quick ? 1_500 : 3_000, ctx.quick ? 10_000 : 30_000, 10 + plan.n / 2)
    const idleStart = process.cpuUsage()
    const idleT0 = performance.now()
    await sleep(ctx.quick ? 500 : 2000)
    const idleRate = cpuMs(idleStart) / (performance.now() - idleT0)
    const writer = typicalWriter(cluster.peers.map(p => p.connections?.()))
    const meshlessAtStart = countMeshless(cluster)
    const sample = await profileWindow(name, label.replace(roundLabel, ''), async () => await measureLatency(cluster, {
      edits,
      gapMs: 5,
      perEditTimeoutMs: 5000,
      budgetMs: ctx.quick ? 8_000 : 40_000,
      writer: writer.index
    }))
    const conns = cluster.peers.map(p => p.connections?.()).filter((x): x is number => x !== undefined)
    const meshlessAtEnd = countMeshless(cluster)
    const meshless = meshlessAtStart === null || meshlessAtEnd === null
      ? null
      : { start: meshlessAtStart, end: meshlessAtEnd }
    log(`${label}: p50 ${latencyStats(sample).allPeers.p50.toFixed(2)} ms over ${sample.allPeers.length} edits` +
      meshWait(meshed) +
      (meshless === null || meshless.start + meshless.end === 0
        ? ''
        : `; peers out of every gossip mesh: ${meshless.start} when it began, ${meshless.end} when it ended`))
    return {
      sample,
      setupMs,
      topology: cluster.topology,
      avgConnections: conns.length > 0 ? conns.reduce((a, b) => a + b, 0) / conns.length : null,
      settleMs: linked.waitedMs + meshed.waitedMs + q.settleMs,
      quietReached: q.quiet && linked.settled && meshed.meshed,
      writer: { index: writer.index, links: writer.links ?? null },
      idleRate,
      meshless
    }
  } catch (err) {
    log(`${label}: failed: ${errMsg(err)}`)
    return errMsg(err)
  } finally {
    await cluster.stop().catch(err => { log(`${label}: stop failed: ${errMsg(err)}`) })
  }
}

/** What the wait for gossip meshes adds to a round's log line: nothing when there was none to speak of. */
function meshWait (m: Meshed): string {
  if (m.waitedMs < 1000) return ''
  return `; waited ${(m.waitedMs / 1000).toFixed(1)} s for every peer to be in a gossip mesh` +
    (m.meshed ? '' : ' (some were not)')
}

/** Peers of a cluster whose gossipsub mesh for the document is empty (null: not a gossipsub system). */
function countMeshless (cluster: Cluster): number | null {
  const sizes = cluster.peers.map(p => p.meshPeers?.())
  return sizes.some(s => s === undefined) ? null : sizes.filter(s => s === 0).length
}

/** One row from a system's rounds: every edit of every round pooled, the set-up figures averaged. */
function mergeRounds (name: SystemName, plan: LatencyPlan, rs: RoundResult[]): LatencyRow {
  const sample = poolSamples(rs.map(r => r.sample))
  const conns = rs.map(r => r.avgConnections)
  const idleCpuMs = rs.reduce((a, r) => a + r.idleRate * r.sample.wallMs, 0)
  return {
    system: name,
    n: plan.n,
    transport: factories[name].name === 'y-websocket' ? 'tcp' : plan.transport,
    processes: 'single',
    group: `${plan.n}|${plan.transport}|single`,
    setupMs: mean(rs.map(r => r.setupMs)),
    topology: rs[0].topology,
    avgConnections: conns.some(c => c === null) ? null : mean(conns as number[]),
    writer: rs[0].writer,
    settleMs: mean(rs.map(r => r.settleMs)),
    quietReached: rs.every(r => r.quietReached),
    idleCpuPercent: mean(rs.map(r => r.idleRate)) * 100,
    netCpuPerDeliveryMs: sample.perDelivery.length > 0
      ? (sample.cpuMs - idleCpuMs) / sample.perDelivery.length
      : null,
    rounds: rs.map(r => ({ ...roundFigures(r.sample, r.writer.links), meshless: r.meshless })),
    ...latencyStats(sample)
  }
}
