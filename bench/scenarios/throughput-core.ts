/**
 * Sustained edit rate on one cluster: a ladder of rates; at each step `writers` peers make
 * single-character edits (one transaction each) on a fixed schedule for `stepMs`, then every peer
 * must hold every edit within `drainMs`. The highest step that passes is the sustained rate. A failed
 * step is tried once more (other work on a shared machine can spoil one step).
 */
import type * as Y from 'yjs'
import type { Cluster } from '../systems/types.js'
import { sleep, waitFor } from '../lib/time.js'

export interface StepResult {
  targetRate: number
  achievedRate: number
  edits: number
  /** Time after the last edit until every peer had every edit, ms (null: not within drainMs). */
  drainMs: number | null
  cpuPerDeliveryMs: number
  pass: boolean
}

export interface ThroughputResult {
  writers: number
  sustainedRate: number
  steps: StepResult[]
  /** Why the ladder stopped. */
  stoppedBecause: string
}

export interface ThroughputOptions {
  writers: number
  startRate: number
  factor: number
  maxRate: number
  stepMs: number
  drainMs: number
  /** After the first failing step, try the geometric midpoint once. */
  refine: boolean
  budgetMs: number
}

const lengths = (c: Cluster): number[] => c.peers.map(p => p.text.length)

/**
 * Every RUN-th edit goes to the front of the text, the rest append. Yjs merges a client's
 * consecutive appends into one item, and encoding each later update copies that item's whole
 * string (ContentString.write slices it, and V8 flattens the concatenated string first): a cost
 * per edit that grows with the item. Plain appends made the writer's own cost grow with every edit
 * the system had already sustained (profiled: 84 % of a collapsed step inside Yjs's writeStructs,
 * with the run ~150,000 characters long), so the ladder penalised whichever system climbed
 * furthest. Moving the cursor now and then, as people do, caps a run at RUN characters.
 */
const RUN = 256

function typeOne (text: Y.Text, k: number): void {
  text.insert(k % RUN === 0 ? 0 : text.length, 'x')
}

/** Runs one step; leaves the cluster converged or reports that it is not. */
async function step (cluster: Cluster, writers: number, rate: number, o: ThroughputOptions): Promise<StepResult> {
  const ws = cluster.peers.slice(0, writers)
  const start = lengths(cluster)
  const base = Math.max(...start)
  let done = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  while (true) {
    const elapsed = performance.now() - t0
    if (elapsed >= o.stepMs) break
    const target = Math.floor(rate * elapsed / 1000)
    while (done < target) {
      const w = ws[done % writers]
      typeOne(w.text, done)
      done++
    }
    await sleep(1)
  }
  const tEnd = performance.now()
  const achievedRate = done / ((tEnd - t0) / 1000)
  const want = base + done
  let drainMs: number | null = null
  try {
    await waitFor(() => cluster.peers.every(p => p.text.length >= want), o.drainMs, 'drain', 2)
    drainMs = performance.now() - tEnd
  } catch {}
  const cpu = process.cpuUsage(cpu0)
  const deliveries = done * (cluster.peers.length - 1)
  const pass = drainMs !== null && achievedRate >= 0.9 * rate
  return {
    targetRate: rate,
    achievedRate,
    edits: done,
    drainMs,
    cpuPerDeliveryMs: (cpu.user + cpu.system) / 1000 / deliveries,
    pass
  }
}

/** Waits (bounded) for every peer to hold the same number of characters again. */
export async function settle (cluster: Cluster, ms: number): Promise<boolean> {
  try {
    await waitFor(() => { const l = lengths(cluster); return l.every(x => x === l[0]) }, ms, 'settle', 20)
    return true
  } catch {
    return false
  }
}

export async function measureThroughput (cluster: Cluster, o: ThroughputOptions): Promise<ThroughputResult> {
  const steps: StepResult[] = []
  const t0 = performance.now()
  let rate = o.startRate
  let lastPass = 0
  let stoppedBecause = `reached the ladder's top (${o.maxRate}/s)`
  while (rate <= o.maxRate) {
    if (performance.now() - t0 > o.budgetMs) { stoppedBecause = 'time budget'; break }
    let s = await step(cluster, o.writers, rate, o)
    steps.push(s)
    // the machine is shared: a step that failed gets one more try once the peers have settled
    if (!s.pass && (await settle(cluster, 5_000))) {
      s = await step(cluster, o.writers, rate, o)
      steps.push(s)
    }
    if (s.pass) {
      lastPass = rate
      rate = Math.round(rate * o.factor)
      await sleep(50)
      continue
    }
    stoppedBecause = s.achievedRate < 0.9 * rate
      ? `writer could not keep the schedule at ${rate}/s (${Math.round(s.achievedRate)}/s)`
      : `peers fell behind at ${rate}/s (not converged ${o.drainMs} ms after the last edit)`
    if (o.refine && lastPass > 0 && performance.now() - t0 < o.budgetMs && (await settle(cluster, 10_000))) {
      const mid = Math.round(Math.sqrt(lastPass * rate))
      if (mid > lastPass && mid < rate) {
        const m = await step(cluster, o.writers, mid, o)
        steps.push(m)
        if (m.pass) lastPass = mid
      }
    }
    break
  }
  return { writers: o.writers, sustainedRate: lastPass, steps, stoppedBecause }
}
