/**
 * The targets, evaluated from the measured rows. Reported as pass / miss / not measured,
 * never asserted: a miss is a finding, not a failed run.
 */
import type { BenchResults } from './results.js'
import type { LatencyRow } from '../scenarios/latency.js'

export interface TargetResult {
  target: string
  weft: number | null
  reference: number | null
  /** weft / reference (or the quantity the limit applies to). */
  ratio: number | null
  /** The ratio must be <= limit (or >= limit when `atLeast`). */
  limit: number
  atLeast?: boolean
  pass: boolean | null
  unit: string
  note?: string
}

function judge (t: Omit<TargetResult, 'ratio' | 'pass'>): TargetResult {
  if (t.weft === null || t.reference === null || !Number.isFinite(t.reference) || t.reference <= 0) {
    return { ...t, ratio: null, pass: null, note: t.note ?? 'not measured' }
  }
  const ratio = t.weft / t.reference
  const pass = Number.isFinite(ratio) && (t.atLeast === true ? ratio >= t.limit : ratio <= t.limit)
  return { ...t, ratio, pass }
}

const findLat = (rows: LatencyRow[], system: string, n: number): LatencyRow | undefined =>
  rows.find(r => r.system === system && r.n === n && r.processes === 'single' && r.transport === 'tcp')

export function evaluateTargets (r: Omit<BenchResults, 'targets'>): TargetResult[] {
  const out: TargetResult[] = []
  const ns = [...new Set(r.latency.filter(x => x.processes === 'single' && x.transport === 'tcp').map(x => x.n))].filter(n => [2, 10, 25].includes(n)).sort((a, b) => a - b)
  for (const n of ns) {
    const w = findLat(r.latency, 'weft', n)
    const m = findLat(r.latency, 'mesh', n)
    for (const q of ['p50', 'p99'] as const) {
      out.push(judge({ target: `propagation ${q} N=${n} <= 1.25x bare mesh`, weft: w?.allPeers[q] ?? null, reference: m?.allPeers[q] ?? null, limit: 1.25, unit: 'ms' }))
    }
    out.push(judge({ target: `CPU per delivered edit N=${n} <= 1.25x bare mesh`, weft: w?.cpuPerDeliveryMs ?? null, reference: m?.cpuPerDeliveryMs ?? null, limit: 1.25, unit: 'ms' }))
  }
  const mp = (s: string): LatencyRow | undefined => r.latency.find(x => x.system === s && x.processes === 'multi')
  if (mp('weft') !== undefined || mp('mesh') !== undefined) {
    const n = (mp('weft') ?? mp('mesh'))?.n
    out.push(judge({ target: `propagation p50 N=${n} separate processes <= 1.25x bare mesh`, weft: mp('weft')?.allPeers.p50 ?? null, reference: mp('mesh')?.allPeers.p50 ?? null, limit: 1.25, unit: 'ms' }))
    out.push(judge({ target: `propagation p99 N=${n} separate processes <= 1.25x bare mesh`, weft: mp('weft')?.allPeers.p99 ?? null, reference: mp('mesh')?.allPeers.p99 ?? null, limit: 1.25, unit: 'ms' }))
    out.push(judge({ target: `CPU per delivered edit N=${n} separate processes <= 1.25x bare mesh`, weft: mp('weft')?.cpuPerDeliveryMs ?? null, reference: mp('mesh')?.cpuPerDeliveryMs ?? null, limit: 1.25, unit: 'ms' }))
  }
  out.push(judge({ target: 'propagation p50 N=2 <= 1.5x y-websocket', weft: findLat(r.latency, 'weft', 2)?.allPeers.p50 ?? null, reference: findLat(r.latency, 'y-websocket', 2)?.allPeers.p50 ?? null, limit: 1.5, unit: 'ms' }))
  const tp = (s: string): number | null => r.throughput.find(x => x.system === s && x.n === 10 && x.writers === 1)?.sustainedRate ?? null
  out.push(judge({ target: 'sustained single-writer rate N=10 >= y-websocket', weft: tp('weft'), reference: tp('y-websocket'), limit: 1, atLeast: true, unit: 'edits/s' }))
  const cw = r.catchup.find(x => x.system === 'weft')
  const cy = r.catchup.find(x => x.system === 'y-websocket')
  out.push(judge({ target: 'catch-up bytes <= 1.3x ideal', weft: cw?.bytes ?? null, reference: cw?.idealBytes ?? null, limit: 1.3, unit: 'B' }))
  out.push(judge({ target: 'catch-up time <= 2x y-websocket reconnect sync', weft: cw?.convergeMs ?? null, reference: cy?.convergeMs ?? null, limit: 2, unit: 'ms', note: 'weft timed from node restart (createWeft) to converged' }))
  out.push(judge({ target: 'cold start <= 2x Y.applyUpdate floor', weft: r.coldStart?.openMs ?? null, reference: r.coldStart?.floorMs ?? null, limit: 2, unit: 'ms' }))
  return out
}
