/** Reads a V8 .cpuprofile: self time per frame, inclusive time per function, time per package. */
interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, hitCount?: number, children?: number[] }
export interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface FrameTime { frame: string, ms: number, pct: number }
export interface ProfileSummary { totalMs: number, self: FrameTime[], inclusiveSrc: FrameTime[], packages: FrameTime[] }

const where = (cf: CallFrame): string => {
  const u = cf.url.replace(/^file:\/\//, '')
  const i = u.indexOf('/node_modules/')
  const short = i >= 0 ? u.slice(i + 14) : u.replace(/^.*\/work\/main\//, '')
  return short === '' ? '(native)' : `${short}:${cf.lineNumber + 1}`
}

function pkgOf (url: string): string {
  const u = url.replace(/^file:\/\//, '')
  const i = u.lastIndexOf('/node_modules/')
  if (i >= 0) {
    const rest = u.slice(i + 14).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (u.includes('/work/main/src/')) return 'weft src/' + (u.split('/work/main/src/')[1].split('/')[0] ?? '')
  if (u.includes('/work/main/bench/')) return 'bench harness'
  if (u.startsWith('node:')) return 'node core'
  return u === '' ? '(native/gc/idle)' : u
}

export function analyzeProfile (p: CpuProfile): ProfileSummary {
  const byId = new Map(p.nodes.map(n => [n.id, n]))
  const selfUs = new Map<number, number>()
  for (let i = 0; i < p.samples.length; i++) {
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
  }
  const totalUs = p.endTime - p.startTime
  const busyKey = (n: ProfileNode): boolean =>
    n.callFrame.functionName !== '(idle)' && n.callFrame.functionName !== '(program)'
  const self = new Map<string, number>()
  const pkgs = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const n = byId.get(id)
    if (n === undefined) continue
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame)}`
    self.set(key, (self.get(key) ?? 0) + us)
    const pk = busyKey(n) ? pkgOf(n.callFrame.url) : n.callFrame.functionName
    pkgs.set(pk, (pkgs.get(pk) ?? 0) + us)
  }
  // inclusive time for weft src/ functions (each function counted once per stack)
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const incl = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)
      if (n === undefined) break
      if (!n.callFrame.url.includes('/work/main/src/')) continue
      const key = `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame)}`
      if (seen.has(key)) continue
      seen.add(key)
      incl.set(key, (incl.get(key) ?? 0) + us)
    }
  }
  const top = (m: Map<string, number>, k: number): FrameTime[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, k)
    .map(([frame, us]) => ({ frame, ms: us / 1000, pct: us / totalUs * 100 }))
  return { totalMs: totalUs / 1000, self: top(self, 25), inclusiveSrc: top(incl, 25), packages: top(pkgs, 15) }
}

export function renderProfile (s: ProfileSummary, file: string): string {
  const row = (f: FrameTime): string =>
    `  ${f.pct.toFixed(1).padStart(5)} %  ${f.ms.toFixed(0).padStart(7)} ms  ${f.frame}`
  const lines = [`profile ${file}: ${s.totalMs.toFixed(0)} ms`, '', 'time by package / area:']
  for (const f of s.packages) lines.push(row(f))
  lines.push('', 'top frames by self time:')
  for (const f of s.self) lines.push(row(f))
  lines.push('', 'weft src/ functions by inclusive time:')
  for (const f of s.inclusiveSrc) lines.push(row(f))
  return lines.join('\n')
}
