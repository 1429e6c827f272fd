/** Scenario: highest sustained edit rate at N peers, with 1 writer and with 5 concurrent writers. */
import { factories } from '../systems/index.js'
import type { SystemName, Transport } from '../systems/types.js'
import { warmUp } from '../lib/ready.js'
import { log, errMsg } from '../lib/log.js'
import { measureThroughput, settle, type ThroughputResult } from './throughput-core.js'
import type { ScenarioContext, SkipNote } from './context.js'
import { waitQuiet } from '../lib/quiet.js'

export interface ThroughputRow extends ThroughputResult {
  system: SystemName
  n: number
  transport: Transport
  stepMs: number
  drainMs: number
}

export async function runThroughput (
  ctx: ScenarioContext,
  n: number,
  writerCounts: number[]
): Promise<{ rows: ThroughputRow[], skipped: SkipNote[] }> {
  const rows: ThroughputRow[] = []
  const skipped: SkipNote[] = []
  const transport: Transport = 'tcp'
  const opts = {
    startRate: ctx.quick ? 200 : 50,
    factor: ctx.quick ? 2 : 1.5,
    maxRate: ctx.quick ? 25_600 : 102_400,
    stepMs: ctx.quick ? 500 : 2000,
    drainMs: 500,
    refine: !ctx.quick,
    budgetMs: ctx.quick ? 6_000 : 45_000
  }
  for (const name of ctx.systems) {
    if (name === 'floor') {
      skipped.push({ scenario: 'throughput', system: name, n, reason: 'not run: floor is a latency-only diagnostic' })
      continue
    }
    const label = `throughput ${name} N=${n}`
    let cluster
    try {
      log(`${label}: starting`)
      cluster = await factories[name].createCluster({ n, transport, timeoutMs: 20_000 + n * 1500 })
      await warmUp(cluster, 15_000)
      const q = await waitQuiet(ctx.quick ? 1_500 : 3_000, ctx.quick ? 10_000 : 30_000, 10 + n / 2)
      log(`${label}: settled in ${(q.settleMs / 1000).toFixed(1)} s ` +
        `(idle ${q.idleCpuPercent.toFixed(1)} %${q.quiet ? '' : ', not quiet'})`)
    } catch (err) {
      skipped.push({ scenario: 'throughput', system: name, n, reason: errMsg(err) })
      log(`${label}: could not start: ${errMsg(err)}`)
      await cluster?.stop().catch(() => {})
      continue
    }
    try {
      for (const writers of writerCounts) {
        if (!(await settle(cluster, 15_000))) {
          skipped.push({
            scenario: 'throughput',
            system: name,
            n,
            reason: `${writers} writers: previous backlog did not drain within 15 s`
          })
          break
        }
        const r = await measureThroughput(cluster, { ...opts, writers })
        rows.push({ system: name, n, transport, stepMs: opts.stepMs, drainMs: opts.drainMs, ...r })
        log(`${label} writers=${writers}: sustained ${r.sustainedRate}/s (${r.stoppedBecause})`)
      }
    } catch (err) {
      skipped.push({ scenario: 'throughput', system: name, n, reason: errMsg(err) })
      log(`${label}: failed: ${errMsg(err)}`)
    } finally {
      await cluster.stop().catch(() => {})
    }
  }
  return { rows, skipped }
}
