/** Scenario: propagation latency and CPU per delivered edit, every system, several N, one process. */
import { factories } from '../systems/index.js'
import type { SystemName, Transport } from '../systems/types.js'
import { warmUp } from '../lib/ready.js'
import { log, errMsg } from '../lib/log.js'
import { measureLatency, latencyStats, typicalWriter, type LatencyStats } from './latency-core.js'
import type { ScenarioContext, SkipNote } from './context.js'
import { profileWindow } from '../lib/profiler.js'
import { waitQuiet, waitLinksSettled, LINKS_HOLD_MS } from '../lib/quiet.js'
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
  /** The peer that wrote (see typicalWriter) and its links when measuring started (null: no per-peer links). */
  writer?: { index: number, links: number | null }
  /** Process CPU while the started cluster sat idle just before measuring, % of one core. */
  idleCpuPercent: number | null
  /** CPU per delivered edit minus the idle rate over the same wall time, ms. */
  netCpuPerDeliveryMs: number | null
}

export interface LatencyPlan { n: number, transport: Transport, edits: number }

export async function runLatency (
  ctx: ScenarioContext,
  plans: LatencyPlan[]
): Promise<{ rows: LatencyRow[], skipped: SkipNote[] }> {
  const rows: LatencyRow[] = []
  const skipped: SkipNote[] = []
  for (const plan of plans) {
    for (const name of ctx.systems) {
      const f = factories[name]
      // y-websocket has no in-memory transport: it runs over TCP loopback at every N
      const transport: Transport = f.name === 'y-websocket' ? 'tcp' : plan.transport
      const label = `latency ${name} N=${plan.n} ${transport}`
      const setupTimeout = 20_000 + plan.n * (plan.n > 50 ? 700 : 1500)
      let cluster
      const t0 = performance.now()
      try {
        log(`${label}: starting`)
        cluster = await f.createCluster({ n: plan.n, transport, timeoutMs: setupTimeout })
        await warmUp(cluster, 15_000 + plan.n * 200)
      } catch (err) {
        skipped.push({ scenario: 'latency', system: name, n: plan.n, reason: errMsg(err) })
        log(`${label}: could not start: ${errMsg(err)}`)
        await cluster?.stop().catch(() => {})
        continue
      }
      const setupMs = performance.now() - t0
      try {
        // let the links settle and start-up work (DHT queries, identify, first heartbeats) die down,
        // then sample the idle CPU rate
        const linked = await waitLinksSettled(() => cluster.peers.map(p => p.connections?.()), LINKS_HOLD_MS,
          ctx.quick ? 10_000 : 30_000)
        const q = await waitQuiet(ctx.quick ? 1_500 : 3_000, ctx.quick ? 10_000 : 30_000, 10 + plan.n / 2)
        const idleStart = process.cpuUsage()
        const idleT0 = performance.now()
        await sleep(ctx.quick ? 500 : 2000)
        const idleRate = cpuMs(idleStart) / (performance.now() - idleT0)
        const writer = typicalWriter(cluster.peers.map(p => p.connections?.()))
        const sample = await profileWindow(name, label, async () => await measureLatency(cluster, {
          edits: plan.edits,
          gapMs: 5,
          perEditTimeoutMs: 5000,
          budgetMs: ctx.quick ? 8_000 : 40_000,
          writer: writer.index
        }))
        const stats = latencyStats(sample)
        const conns = cluster.peers.map(p => p.connections?.()).filter((x): x is number => x !== undefined)
        const row: LatencyRow = {
          system: name,
          n: plan.n,
          transport,
          processes: 'single',
          group: `${plan.n}|${plan.transport}|single`,
          setupMs,
          topology: cluster.topology,
          avgConnections: conns.length > 0 ? conns.reduce((a, b) => a + b, 0) / conns.length : null,
          writer: { index: writer.index, links: writer.links ?? null },
          settleMs: linked.waitedMs + q.settleMs,
          quietReached: q.quiet && linked.settled,
          idleCpuPercent: idleRate * 100,
          netCpuPerDeliveryMs: sample.perDelivery.length > 0
            ? (sample.cpuMs - idleRate * sample.wallMs) / sample.perDelivery.length
            : null,
          ...stats
        }
        rows.push(row)
        const byProto = row.protocolBytesPerDelivery !== undefined
          ? `; B/delivery by protocol ${JSON.stringify(row.protocolBytesPerDelivery)}`
          : ''
        log(`${label}: ${row.edits} edits, p50 ${row.allPeers.p50.toFixed(2)} ms, ` +
          `p99 ${row.allPeers.p99.toFixed(2)} ms, cpu/delivery ${row.cpuPerDeliveryMs.toFixed(3)} ms ` +
          `(idle ${row.idleCpuPercent?.toFixed(1)} % after settling ${((row.settleMs ?? 0) / 1000).toFixed(1)} s), ` +
          `${Math.round(row.bytesPerDelivery)} B/delivery, avg conns ${row.avgConnections?.toFixed(1)}, ` +
          `writer peer ${writer.index} (${writer.links ?? 'n/a'} links), ` +
          `lost ${row.lostDeliveries}${byProto}`)
      } catch (err) {
        skipped.push({ scenario: 'latency', system: name, n: plan.n, reason: errMsg(err) })
        log(`${label}: failed: ${errMsg(err)}`)
      } finally {
        await cluster.stop().catch(err => { log(`${label}: stop failed: ${errMsg(err)}`) })
      }
    }
  }
  return { rows, skipped }
}
