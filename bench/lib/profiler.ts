/**
 * In-process CPU profiling of one measurement window (node:inspector), so a profile shows what a
 * scenario's measured part spends time on, not the setup. Enabled by bench/profile.ts through
 * BENCH_PROFILE_DIR (where to write) and BENCH_PROFILE_SYSTEM (which system's windows to record).
 */
import { Session } from 'node:inspector/promises'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export async function profileWindow<T> (system: string, label: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR
  const want = process.env.BENCH_PROFILE_SYSTEM ?? 'weft'
  if (dir === undefined || dir === '' || system !== want) return await fn()
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  try {
    return await fn()
  } finally {
    const { profile } = await session.post('Profiler.stop')
    session.disconnect()
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `${label.replace(/[^a-zA-Z0-9=.-]+/g, '_')}.window.cpuprofile`), JSON.stringify(profile))
  }
}
