/**
 * Waits until a freshly started cluster stops doing start-up work (DHT queries, identify, first
 * heartbeats). CPU is sampled in 500 ms windows; after `minMs`, the cluster counts as quiet once
 * three windows in a row were below `lowPercent` (of one core). Gives up after `maxMs` (reported as
 * not quiet). Returns the wait and the last window's rate.
 */
import { sleep } from './time.js'

export interface Quiet { settleMs: number, idleCpuPercent: number, quiet: boolean }

export async function waitQuiet (minMs: number, maxMs: number, lowPercent: number, windowMs = 500): Promise<Quiet> {
  const t0 = performance.now()
  let lowRun = 0
  while (true) {
    const c0 = process.cpuUsage()
    const w0 = performance.now()
    await sleep(windowMs)
    const c = process.cpuUsage(c0)
    const rate = (c.user + c.system) / 1000 / (performance.now() - w0) * 100
    lowRun = rate < lowPercent ? lowRun + 1 : 0
    const elapsed = performance.now() - t0
    if (elapsed >= minMs && lowRun >= 3) return { settleMs: elapsed, idleCpuPercent: rate, quiet: true }
    if (elapsed > maxMs) return { settleMs: elapsed, idleCpuPercent: rate, quiet: false }
  }
}
