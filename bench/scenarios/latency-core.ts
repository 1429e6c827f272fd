/**
 * Propagation latency on one cluster: single-character edits on one writer, one at a time; for each edit
 * the time (shared performance.now() clock) until each other peer's `update` event shows it.
 */
import type { Cluster } from '../systems/types.js'
import { summarize, cdf, type Summary } from '../lib/stats.js'
import { mulberry32 } from '../lib/random.js'
import { sleep } from '../lib/time.js'

export interface LatencySample {
  /** Per edit: time until visible on every other peer (ms); Infinity when some peer never saw it. */
  allPeers: number[]
  /** Per (edit, receiver): time until visible on that receiver (ms). */
  perDelivery: number[]
  lost: number
  cpuMs: number
  wallMs: number
  bytes: number
  /** Bytes received per protocol over the window (libp2p systems). */
  protocolBytes?: Record<string, number>
}

export interface LatencyStats {
  edits: number
  lostDeliveries: number
  allPeers: Summary
  perDelivery: Summary
  /** Process CPU (all peers, writer included) per delivered edit, ms. */
  cpuPerDeliveryMs: number
  /** Bytes received by all peers per delivered edit (see Cluster.bytesReceived). */
  bytesPerDelivery: number
  /** Stream payload bytes received per delivered edit, by libp2p protocol. */
  protocolBytesPerDelivery?: Record<string, number>
  cdf: Array<[number, number]>
}

export interface LatencyRunOptions {
  edits: number
  /** Pause between edits is uniform in [gapMs, 2*gapMs]. */
  gapMs: number
  perEditTimeoutMs: number
  /** Whole-run bound; stops early (and says so through `edits`) when reached. */
  budgetMs: number
  /** Index of the writing peer (default 0); see `typicalWriter`. */
  writer?: number
}

/**
 * The writer a latency run uses: the peer with the median number of links (ties: the lower index).
 * Peer 0 is every cluster's bootstrap: in the mesh baselines every peer dials it, so it holds a link
 * to all N-1 others, and with gossipsub's flood publishing its edits reach every peer in one hop: a
 * star, not a mesh (measured, mesh N = 100 in memory: p50 20 ms from peer 0 with 99 links, 43 ms
 * from a median peer with 6). A typical peer of each system's own topology writes instead. For
 * y-websocket every client has the same one link, to the server, so any client is typical; where
 * links are unknown (undefined), peer 0 writes.
 */
export function typicalWriter (links: Array<number | undefined>): { index: number, links: number | undefined } {
  if (links.some(l => l === undefined)) return { index: 0, links: links[0] }
  const order = links.map((l, i) => [l as number, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const [count, index] = order[Math.floor(order.length / 2)]
  return { index, links: count }
}

export async function measureLatency (cluster: Cluster, o: LatencyRunOptions): Promise<LatencySample> {
  const w = o.writer ?? 0
  const writer = cluster.peers[w]
  const receivers = cluster.peers.filter((_, i) => i !== w)
  const seen = new Float64Array(receivers.length)
  let expected = Number.POSITIVE_INFINITY
  let pending = 0
  let done: (() => void) | undefined
  const listeners = receivers.map((p, i) => {
    const fn = (): void => {
      if (seen[i] === 0 && p.text.length >= expected) {
        seen[i] = performance.now()
        if (--pending === 0) done?.()
      }
    }
    p.doc.on('update', fn)
    return fn
  })
  const rnd = mulberry32(42)
  const allPeers: number[] = []
  const perDelivery: number[] = []
  let lost = 0
  const cpu0 = process.cpuUsage()
  const bytes0 = cluster.bytesReceived()
  const proto0 = cluster.bytesByProtocol?.()
  const wall0 = performance.now()
  try {
    for (let k = 0; k < o.edits; k++) {
      if (performance.now() - wall0 > o.budgetMs) break
      seen.fill(0)
      pending = receivers.length
      const finished = new Promise<void>(resolve => { done = resolve })
      expected = writer.text.length + 1
      const t0 = performance.now()
      writer.text.insert(writer.text.length, 'x')
      let timer: NodeJS.Timeout | undefined
      await Promise.race([finished, new Promise<void>(resolve => { timer = setTimeout(resolve, o.perEditTimeoutMs) })])
      clearTimeout(timer)
      let worst = 0
      for (let i = 0; i < receivers.length; i++) {
        if (seen[i] === 0) { lost++; worst = Number.POSITIVE_INFINITY; continue }
        const d = seen[i] - t0
        perDelivery.push(d)
        worst = Math.max(worst, d)
      }
      allPeers.push(worst)
      await sleep(o.gapMs * (1 + rnd()))
    }
  } finally {
    expected = Number.POSITIVE_INFINITY
    receivers.forEach((p, i) => { p.doc.off('update', listeners[i]) })
  }
  const wallMs = performance.now() - wall0
  const cpuUsage = process.cpuUsage(cpu0)
  return {
    allPeers,
    perDelivery,
    lost,
    cpuMs: (cpuUsage.user + cpuUsage.system) / 1000,
    wallMs,
    bytes: cluster.bytesReceived() - bytes0,
    protocolBytes: diff(cluster.bytesByProtocol?.(), proto0)
  }
}

function diff (
  now: Record<string, number> | undefined,
  before: Record<string, number> | undefined
): Record<string, number> | undefined {
  if (now === undefined) return undefined
  return Object.fromEntries(Object.entries(now)
    .map(([k, v]) => [k, v - (before?.[k] ?? 0)])
    .filter(([, v]) => (v as number) > 0))
}

/** Every edit of several rounds in one sample; protocol bytes only when every round counted them. */
export function poolSamples (rs: LatencySample[]): LatencySample {
  const sum = (f: (r: LatencySample) => number): number => rs.reduce((a, r) => a + f(r), 0)
  return {
    allPeers: rs.flatMap(r => r.allPeers),
    perDelivery: rs.flatMap(r => r.perDelivery),
    lost: sum(r => r.lost),
    cpuMs: sum(r => r.cpuMs),
    wallMs: sum(r => r.wallMs),
    bytes: sum(r => r.bytes),
    protocolBytes: rs.some(r => r.protocolBytes === undefined)
      ? undefined
      : rs.reduce<Record<string, number>>((acc, r) => {
        for (const [k, v] of Object.entries(r.protocolBytes ?? {})) acc[k] = (acc[k] ?? 0) + v
        return acc
      }, {})
  }
}

/** Each round's own figures, kept beside a pooled row. */
export function roundFigures (sample: LatencySample, writerLinks: number | null): LatencyRound {
  const st = latencyStats(sample)
  return { p50: st.allPeers.p50, p99: st.allPeers.p99, cpuPerDeliveryMs: st.cpuPerDeliveryMs, writerLinks }
}

export interface LatencyRound {
  p50: number
  p99: number
  cpuPerDeliveryMs: number
  writerLinks: number | null
  /** Separate processes only: each process's own figures (bench/scenarios/multiprocess.ts). */
  peers?: PeerFigures[]
  /** One process, gossipsub systems: peers with no mesh peer for the document as the window began / ended. */
  meshless?: MeshlessCount | null
}

export interface MeshlessCount { start: number, end: number }

/** One process of a round: its CPU, how late the writer's edits reached it, and weft's counters that moved. */
export interface PeerFigures {
  index: number
  cpuMs: number
  /** null for the writer. */
  p50: number | null
  counters?: Record<string, number>
  /** weft: peers in its gossipsub mesh for the document when the window closed. */
  meshPeers?: number | null
}

/**
 * Runs `one` for every system in `rounds` rounds, the systems taking turns and the order reversed
 * every other round (A B B A), so load that drifts over the run and the luck of one start's topology
 * fall on every system alike. A round that fails (returns a string) ends its system's rounds and is
 * reported to `failed`: a row from the rounds that worked would hide it.
 */
export async function inRounds<S extends string, T> (
  systems: readonly S[], rounds: number,
  one: (system: S, round: number) => Promise<T | string>,
  failed: (system: S, reason: string) => void
): Promise<Map<S, T[]>> {
  const results = new Map<S, T[]>()
  const gone = new Set<S>()
  for (let round = 0; round < rounds; round++) {
    for (const system of round % 2 === 0 ? systems : [...systems].reverse()) {
      if (gone.has(system)) continue
      const r = await one(system, round)
      if (typeof r === 'string') {
        gone.add(system)
        results.delete(system)
        failed(system, r)
        continue
      }
      results.set(system, [...(results.get(system) ?? []), r])
    }
  }
  return results
}

export function latencyStats (s: LatencySample): LatencyStats {
  return {
    edits: s.allPeers.length,
    lostDeliveries: s.lost,
    allPeers: summarize(s.allPeers),
    perDelivery: summarize(s.perDelivery),
    cpuPerDeliveryMs: s.perDelivery.length > 0 ? s.cpuMs / s.perDelivery.length : Number.NaN,
    bytesPerDelivery: s.perDelivery.length > 0 ? s.bytes / s.perDelivery.length : Number.NaN,
    protocolBytesPerDelivery: s.protocolBytes === undefined || s.perDelivery.length === 0
      ? undefined
      : Object.fromEntries(Object.entries(s.protocolBytes).map(([k, v]) => [k, Math.round(v / s.perDelivery.length)])),
    cdf: cdf(s.allPeers.filter(Number.isFinite), 120)
  }
}
