/**
 * Hand-written SVG: one panel per latency run group (N, transport, processes), each with the
 * empirical CDF of "visible on every peer" latency for every system on a log time axis, and the
 * p50 / p99 of each system printed beside it.
 */
import type { LatencyRow } from '../scenarios/latency.js'
import type { MachineInfo } from '../lib/machine.js'

const COLORS: Record<string, string> = {
  weft: '#d62728', mesh: '#1f77b4', 'y-websocket': '#2ca02c', floor: '#9467bd'
}
const PANEL_W = 390
const PANEL_H = 250
const M = { l: 46, r: 12, t: 30, b: 58 }

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const fmt = (x: number): string => (x < 1 ? x.toFixed(2) : x < 10 ? x.toFixed(1) : x.toFixed(0))

function panel (rows: LatencyRow[], title: string, x0: number, y0: number): string {
  const w = PANEL_W - M.l - M.r
  const h = PANEL_H - M.t - M.b
  const all = rows.flatMap(r => r.cdf.map(p => p[0])).filter(v => v > 0)
  if (all.length === 0) return ''
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all))))
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all))))
  const sx = (v: number): number =>
    M.l + (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * w
  // percentile axis: equal room for 0-p50, p50-p90, p90-p99, p99-max, so the tail is visible
  const TOP = 3
  const tail = (f: number): number => Math.min(TOP, -Math.log10(Math.max(1 - f, 10 ** -TOP)))
  const sy = (f: number): number => M.t + (1 - tail(f) / TOP) * h
  const g: string[] = [`<g transform="translate(${x0},${y0})">`]
  g.push(`<text x="${M.l}" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`)
  g.push(`<rect x="${M.l}" y="${M.t}" width="${w}" height="${h}" fill="none" stroke="#999"/>`)
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const x = sx(d)
    g.push(`<line x1="${x}" y1="${M.t}" x2="${x}" y2="${M.t + h}" stroke="#e5e5e5"/>`)
    const tick = d >= 1000 ? `${d / 1000}s` : d
    g.push(`<text x="${x}" y="${M.t + h + 14}" font-size="10" text-anchor="middle">${tick}</text>`)
  }
  const ticks: Array<[number, string]> = [[0, '0'], [0.5, 'p50'], [0.9, 'p90'], [0.99, 'p99'], [1, 'max']]
  for (const [f, label] of ticks) {
    const y = sy(f)
    g.push(`<line x1="${M.l}" y1="${y}" x2="${M.l + w}" y2="${y}" stroke="#e5e5e5"/>`)
    g.push(`<text x="${M.l - 4}" y="${y + 3}" font-size="10" text-anchor="end">${label}</text>`)
  }
  g.push(`<text x="${M.l + w / 2}" y="${M.t + h + 28}" font-size="10" text-anchor="middle">` +
    'ms until visible on every peer (log); y: percentile</text>')
  rows.forEach((r, i) => {
    const color = COLORS[r.system] ?? '#555'
    const pts = r.cdf.map(([v, f]) => `${sx(v).toFixed(1)},${sy(f).toFixed(1)}`)
    if (pts.length > 0) {
      const first = r.cdf[0]
      const start = `${sx(first[0]).toFixed(1)},${sy(0).toFixed(1)}`
      g.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${start} ${pts.join(' ')}"/>`)
    }
    const lost = r.lostDeliveries > 0 ? `, ${r.lostDeliveries} lost` : ''
    const p99 = Number.isFinite(r.allPeers.p99) ? fmt(r.allPeers.p99) : 'lost'
    g.push(`<text x="${M.l + (i % 2) * (w / 2)}" y="${M.t + h + 42 + Math.floor(i / 2) * 12}" ` +
      `font-size="10" fill="${color}">${esc(r.system)}: p50 ${fmt(r.allPeers.p50)} · p99 ${p99}${lost}</text>`)
  })
  g.push('</g>')
  return g.join('\n')
}

export function renderLatencySvg (rows: LatencyRow[], machine: MachineInfo, mode: string): string {
  const key = (g: string): string => {
    const [n, t, p] = g.split('|')
    return `${p === 'single' ? 0 : 1}|${n.padStart(4, '0')}|${t}`
  }
  const groups = [...new Set(rows.map(r => r.group))].sort((a, b) => key(a).localeCompare(key(b)))
  const cols = Math.min(3, Math.max(1, groups.length))
  const nrows = Math.ceil(groups.length / cols)
  const W = cols * PANEL_W
  const H = nrows * PANEL_H + 50
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      'font-family="Helvetica, Arial, sans-serif">',
    `<rect width="${W}" height="${H}" fill="white"/>`,
    '<text x="10" y="20" font-size="15" font-weight="bold">' +
      'Edit propagation latency, CDF (weft vs bare gossipsub mesh vs y-websocket)</text>',
    '<text x="10" y="38" font-size="11" fill="#555">' +
      `${esc(`${mode} run · ${machine.cpuModel}, ${machine.cores} cores · Node ${machine.node}`)}</text>`
  ]
  groups.forEach((gk, i) => {
    const [n, transport, processes] = gk.split('|')
    const rs = rows.filter(r => r.group === gk).sort((a, b) => a.system.localeCompare(b.system))
    const where = transport === 'memory' ? 'in-memory (y-websocket: TCP)' : 'TCP'
    const title = `N=${n} · ${where} · ${processes === 'multi' ? 'separate processes' : 'one process'}`
    parts.push(panel(rs, title, (i % cols) * PANEL_W, 50 + Math.floor(i / cols) * PANEL_H))
  })
  parts.push('</svg>')
  return parts.join('\n')
}
