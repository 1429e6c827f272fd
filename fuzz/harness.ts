/**
 * Runs one target over inputs [start, start + count) and checks its contract on
 * each: a verdict (taken, or refused with a reason), within a time bound, with
 * an allocation in proportion to the input, and the same verdict when the input
 * sits inside a larger buffer. Anything else is a failure, reported with the
 * seed and index that rebuild the input and the input itself as hex.
 */
import v8 from 'node:v8'
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Rng } from './rng.js'
import type { Target, Verdict } from './target.js'

export interface HarnessOptions {
  seed: number
  start: number
  count: number
  /** Inputs taking longer than this (plus 1 ms per KiB) fail: a hang that ends; endless ones are the watchdog's. */
  inputMs: number
  /** Called before each input: the watchdog's heartbeat. */
  onInput?: (index: number) => void
  onFailure?: (failure: Failure) => void
  /** Stop early once this much CPU time (seconds) went by: a budget for slow targets. */
  maxCpuSeconds?: number
  /** The same in wall-clock seconds, for a machine shared with other work. */
  maxSeconds?: number
}

export interface Failure {
  target: string
  seed: number
  index: number
  kind: 'exception' | 'slow' | 'allocation' | 'view-mismatch' | 'hang'
  message: string
  input: Uint8Array
}

export interface Stats {
  target: string
  inputs: number
  accepted: number
  refused: Record<string, number>
  failures: number
  ms: number
  cpuMs: number
  peakHeapBytes: number
}

export function emptyStats (target: string): Stats {
  return { target, inputs: 0, accepted: 0, refused: {}, failures: 0, ms: 0, cpuMs: 0, peakHeapBytes: 0 }
}

/** Heap plus ArrayBuffer memory: a length field claiming 2^31 bytes shows up in either. */
function allocated (): number {
  const h = v8.getHeapStatistics()
  return h.used_heap_size + h.external_memory
}

const ALLOWED_BYTES = 32 * 1024 * 1024
const ALLOWED_PER_INPUT_BYTE = 64

export function inputFor (target: Target, seed: number, index: number): Uint8Array {
  return target.generate(Rng.for(seed, target.name, index))
}

/** The input inside a larger buffer whose other bytes look like more message. */
function embedded (input: Uint8Array): Uint8Array {
  const big = new Uint8Array(input.length + 64).fill(0x0a)
  big.set(input, 32)
  return big.subarray(32, 32 + input.length)
}

function same (a: Verdict, b: Verdict): boolean {
  return a.ok === b.ok && (a.ok || (b as { reason: string }).reason === a.reason)
}

export async function runTarget (target: Target, o: HarnessOptions): Promise<Stats> {
  const stats = emptyStats(target.name)
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const cpuMs = (): number => { const u = process.cpuUsage(cpu0); return (u.user + u.system) / 1000 }
  const fail = (index: number, kind: Failure['kind'], message: string, input: Uint8Array): void => {
    stats.failures++
    o.onFailure?.({ target: target.name, seed: o.seed, index, kind, message, input })
  }
  for (let index = o.start; index < o.start + o.count; index++) {
    o.onInput?.(index)
    const input = inputFor(target, o.seed, index)
    const before = allocated()
    const started = performance.now()
    let verdict: Verdict
    try {
      verdict = await target.run(input)
    } catch (err: any) {
      fail(index, 'exception', String(err?.stack ?? err), input)
      continue
    } finally {
      stats.inputs++
    }
    const ms = performance.now() - started
    const grew = allocated() - before
    // Big inputs may take longer (a sync reply of 2,000 envelopes needs 2,000 signature checks).
    const bound = o.inputMs + input.length / 1024
    if (ms > bound) fail(index, 'slow', `took ${ms.toFixed(0)} ms (bound ${bound.toFixed(0)} ms)`, input)
    if (grew > ALLOWED_BYTES + ALLOWED_PER_INPUT_BYTE * input.length) {
      fail(index, 'allocation', `${(grew / 2 ** 20).toFixed(1)} MiB allocated for a ${input.length}-byte input`, input)
    }
    if (verdict.ok) stats.accepted++
    else stats.refused[verdict.reason] = (stats.refused[verdict.reason] ?? 0) + 1
    if (target.viewCheck === true && index % 32 === 5) {
      try {
        const again = await target.run(embedded(input))
        const why = `${JSON.stringify(verdict)} alone, ${JSON.stringify(again)} inside a larger buffer`
        if (!same(verdict, again)) fail(index, 'view-mismatch', why, input)
      } catch (err: any) {
        fail(index, 'view-mismatch', `throws only inside a larger buffer: ${String(err?.stack ?? err)}`, input)
      }
    }
    if (index % 4096 === 0) stats.peakHeapBytes = Math.max(stats.peakHeapBytes, allocated())
    if (index % 256 === 0) {
      if (o.maxCpuSeconds !== undefined && cpuMs() > o.maxCpuSeconds * 1000) break
      if (o.maxSeconds !== undefined && performance.now() - t0 > o.maxSeconds * 1000) break
    }
  }
  stats.cpuMs = cpuMs()
  stats.ms = performance.now() - t0
  stats.peakHeapBytes = Math.max(stats.peakHeapBytes, allocated())
  return stats
}

/** The failure as printed: enough to replay it, and the bytes themselves (in a file when they are many). */
export function formatFailure (f: Failure): string {
  const hex = Buffer.from(f.input).toString('hex')
  let shown = hex
  if (f.input.length > 1024) {
    const dir = join(tmpdir(), 'weft-fuzz')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${f.target}-${f.seed}-${f.index}.hex`)
    writeFileSync(file, hex + '\n')
    shown = `${hex.slice(0, 256)}... (all of it in ${file})`
  }
  return [
    `FAIL ${f.target} #${f.index} (${f.kind}): ${f.message.split('\n').slice(0, 6).join('\n    ')}`,
    `  replay: npm run fuzz -- --only ${f.target} --seed ${f.seed} --index ${f.index}`,
    `  input (${f.input.length} bytes): ${shown}`
  ].join('\n')
}

export function formatStats (s: Stats): string {
  const refused = Object.values(s.refused).reduce((a, b) => a + b, 0)
  const top = Object.entries(s.refused).sort((a, b) => b[1] - a[1]).slice(0, 6)
    .map(([reason, n]) => `${reason} ${n}`).join(', ')
  const rate = s.ms > 0 ? Math.round(s.inputs / (s.ms / 1000)) : 0
  const seconds = (ms: number): string => (ms / 1000).toFixed(1)
  return `${s.target}: ${s.inputs} inputs, ${s.accepted} accepted, ${refused} refused (${top}), ` +
    `${s.failures} failures, ` +
    `${seconds(s.ms)} s (${rate}/s, cpu ${seconds(s.cpuMs)} s), heap peak ${Math.round(s.peakHeapBytes / 2 ** 20)} MiB`
}
