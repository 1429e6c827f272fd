/**
 * In-process CPU profiling of one measurement window (node:inspector), so a profile shows what a
 * scenario's measured part spends time on, not the setup. Enabled by bench/profile.ts through
 * BENCH_PROFILE_DIR (where to write) and BENCH_PROFILE_SYSTEM (which system's windows to record).
 * With BENCH_THREADS=1 instead (Linux), the window's CPU is split by thread, without a profiler:
 * the main thread, the libuv pool, V8's helpers and the rest (LevelDB's own threads among them).
 */
import { Session } from 'node:inspector/promises'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { log } from './log.js'

const TICK_MS = 10

/** CPU ms so far of each thread of this process, by thread id and name (Linux /proc). */
function threadTimes (): Map<string, number> {
  const out = new Map<string, number>()
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const name = tid === String(process.pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(`${tid} ${name}`, (Number(fields[11]) + Number(fields[12])) * TICK_MS)
    } catch { /* the thread ended meanwhile */ }
  }
  return out
}

async function threadWindow<T> (label: string, fn: () => Promise<T>): Promise<T> {
  const before = threadTimes()
  const t0 = performance.now()
  try {
    return await fn()
  } finally {
    const wall = performance.now() - t0
    const byName = new Map<string, number>()
    for (const [key, ms] of threadTimes()) {
      const name = key.slice(key.indexOf(' ') + 1)
      byName.set(name, (byName.get(name) ?? 0) + ms - (before.get(key) ?? 0))
    }
    const parts = [...byName].filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1])
    log(`threads ${label} over ${(wall / 1000).toFixed(1)} s: ` +
      parts.map(([name, ms]) => `${name} ${(ms / wall * 100).toFixed(1)} %`).join(', '))
  }
}

export async function profileWindow<T> (system: string, label: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR
  const want = process.env.BENCH_PROFILE_SYSTEM ?? 'weft'
  if (process.env.BENCH_THREADS === '1' && process.platform === 'linux') {
    return await threadWindow(`${system} ${label}`, fn)
  }
  if (dir === undefined || dir === '' || system !== want) return await fn()
  const session = new Session()
  session.connect()
  mkdirSync(dir, { recursive: true })
  if (process.env.BENCH_ALLOC === '1') {
    return await allocationWindow(session, join(dir, fileName(label, 'heapprofile')), fn)
  }
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  try {
    return await fn()
  } finally {
    const { profile } = await session.post('Profiler.stop')
    session.disconnect()
    writeFileSync(join(dir, fileName(label, 'cpuprofile')), JSON.stringify(profile))
  }
}

function fileName (label: string, kind: string): string {
  return `${label.replace(/[^a-zA-Z0-9=.-]+/g, '_')}.window.${kind}`
}

/** With BENCH_ALLOC=1: what the window allocates, by call stack (sampled every 16 KiB, collected or not). */
async function allocationWindow<T> (session: Session, file: string, fn: () => Promise<T>): Promise<T> {
  await session.post('HeapProfiler.enable')
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16 * 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true
  })
  try {
    return await fn()
  } finally {
    const { profile } = await session.post('HeapProfiler.stopSampling')
    session.disconnect()
    writeFileSync(file, JSON.stringify(profile))
  }
}
