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

export interface LinksSettled { waitedMs: number, settled: boolean, links: Array<number | undefined> }

/**
 * Longer than weft's connection budget round (3 s): with a 3 s hold the wait ended between two
 * rounds and the next one still closed start-up links in the window (N = 25: idle 11-12 % of a
 * core just before measuring, against 2-5 % once the links were closed).
 */
export const LINKS_HOLD_MS = 5_000

/**
 * Waits until no peer's link count changed for `holdMs` (sampled every `stepMs`), giving up after
 * `maxMs`. Measuring steady-state propagation while a cluster still trims its start-up links
 * measured the trimming: a weft writer chosen with 19 links (its DHT walks' start-up dials, closed
 * by its connection budget 10-15 s after start) flood-published to all of them, and the window saw
 * the links close. Systems whose links are unknown (undefined) are settled at once.
 */
export async function waitLinksSettled (
  read: () => Promise<Array<number | undefined>> | Array<number | undefined>,
  holdMs = LINKS_HOLD_MS,
  maxMs = 30_000,
  stepMs = 500
): Promise<LinksSettled> {
  const t0 = performance.now()
  let links = await read()
  if (links.some(l => l === undefined)) return { waitedMs: 0, settled: true, links }
  let heldSince = t0
  while (true) {
    await sleep(stepMs)
    const now = await read()
    const t = performance.now()
    if (now.some((l, i) => l !== links[i])) { links = now; heldSince = t }
    if (t - heldSince >= holdMs) return { waitedMs: t - t0, settled: true, links }
    if (t - t0 >= maxMs) return { waitedMs: t - t0, settled: false, links }
  }
}

export interface Meshed { waitedMs: number, meshed: boolean }

/**
 * Waits until every peer is in at least one gossip mesh (`read` gives each peer's mesh size;
 * systems that cannot tell, undefined, count as meshed at once), giving up after `maxMs`. A peer
 * whose neighbours' meshes were all full when it grafted is refused and backed off (gossipsub's
 * guard against mesh takeover, 60 s); until it grafts again it gets every message through
 * IHAVE/IWANT, a heartbeat late: a round that began with one such peer at 25 peers had a p99 of
 * 1.7 s. That is how long a mesh takes to form, not how fast an edit propagates once it has, so
 * the wait comes first, is reported, and is the same for every system.
 */
export async function waitMeshed (
  read: () => Array<number | undefined>,
  maxMs: number,
  stepMs = 500
): Promise<Meshed> {
  const t0 = performance.now()
  while (true) {
    const sizes = read()
    if (sizes.every(s => s === undefined || s > 0)) return { waitedMs: performance.now() - t0, meshed: true }
    if (performance.now() - t0 >= maxMs) return { waitedMs: performance.now() - t0, meshed: false }
    await sleep(stepMs)
  }
}
