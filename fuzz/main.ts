/**
 * npm run fuzz -- [--per-decoder N] [--seed S] [--only a,b] [--index I | --hex H] [--input-ms MS] [--hang-ms MS]
 *                  [--max-cpu-s S] [--max-s S]
 *
 * --max-cpu-s / --max-s end a target early after that much CPU / wall time: its line then
 * shows how many inputs it reached.
 *
 * One worker thread per target, one target at a time (the machine is shared). Prints
 * one line per target and a last line `fuzz: T targets, I inputs, F failures`; exits 0
 * only when F is 0. `--index` (or `--hex`) replays one input of one target in-process.
 */
import { Worker } from 'node:worker_threads'
import { parseArgs } from 'node:util'
import { TARGET_NAMES, makeTargets } from './targets.js'
import { emptyStats, formatFailure, formatStats, inputFor, type Failure, type Stats } from './harness.js'
import type { Target } from './target.js'

const { values } = parseArgs({
  options: {
    'per-decoder': { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    index: { type: 'string' },
    hex: { type: 'string' },
    'input-ms': { type: 'string', default: '2000' },
    'hang-ms': { type: 'string', default: '30000' },
    show: { type: 'string', default: '5' },
    'max-cpu-s': { type: 'string' },
    'max-s': { type: 'string' }
  }
})
const perDecoder = Number(values['per-decoder'])
const seed = Number(values.seed)
const inputMs = Number(values['input-ms'])
const hangMs = Number(values['hang-ms'])
const show = Number(values.show)
const maxCpuSeconds = values['max-cpu-s'] === undefined ? undefined : Number(values['max-cpu-s'])
const maxSeconds = values['max-s'] === undefined ? undefined : Number(values['max-s'])
const only = values.only?.split(',') ?? TARGET_NAMES
for (const name of only) {
  if (!TARGET_NAMES.includes(name)) throw new Error(`unknown target ${name} (targets: ${TARGET_NAMES.join(', ')})`)
}

let targets: Target[] | undefined
const targetNamed = async (name: string): Promise<Target> =>
  (targets ??= await makeTargets()).find(t => t.name === name) as Target

if (values.index !== undefined || values.hex !== undefined) {
  // Replay one input in this thread, with its full stack trace.
  const target = await targetNamed(only[0])
  const input = values.hex !== undefined
    ? Uint8Array.from(Buffer.from(values.hex, 'hex'))
    : inputFor(target, seed, Number(values.index))
  console.log(`${target.name} input (${input.length} bytes): ${Buffer.from(input).toString('hex').slice(0, 8192)}`)
  console.log('verdict:', await target.run(input))
  process.exit(0)
}

type Outcome = { type: 'done', stats: Stats } | { type: 'stuck', index: number, why: string }

/** Runs inputs [start, start + count) of one target in a worker; ends it if its heartbeat stops. */
async function runWorker (
  name: string, start: number, count: number, onFailure: (f: Failure) => void
): Promise<Outcome> {
  const heartbeat = new SharedArrayBuffer(8)
  const beat = new Int32Array(heartbeat)
  Atomics.store(beat, 0, start)
  const worker = new Worker(new URL('./worker.ts', import.meta.url), {
    workerData: { target: name, seed, start, count, inputMs, heartbeat, maxCpuSeconds, maxSeconds }
  })
  return await new Promise<Outcome>(resolve => {
    let seen = -1
    let since = Date.now()
    const finish = (outcome: Outcome): void => {
      clearInterval(watchdog)
      worker.removeAllListeners()
      void worker.terminate()
      resolve(outcome)
    }
    const stuck = (why: string): void => { finish({ type: 'stuck', index: Atomics.load(beat, 0), why }) }
    const watchdog = setInterval(() => {
      const beats = Atomics.load(beat, 1)
      if (beats !== seen) { seen = beats; since = Date.now(); return }
      if (Date.now() - since > hangMs) stuck(`no progress for ${hangMs} ms`)
    }, 250)
    worker.on('message', (m: { type: 'failure', failure: Failure } | { type: 'done', stats: Stats }) => {
      if (m.type === 'failure') onFailure(m.failure)
      else finish(m)
    })
    // An exception that escaped every handler (an unhandled rejection, a crash of the thread).
    worker.on('error', err => { stuck(`worker died: ${err.stack ?? String(err)}`) })
    worker.on('exit', code => { stuck(`worker exited with code ${code}`) })
  })
}

let totalInputs = 0
let totalFailures = 0
for (const name of only) {
  const stats = emptyStats(name)
  let printed = 0
  const report = (f: Failure): void => {
    if (printed++ < show) console.log(formatFailure(f))
  }
  let start = 0
  while (start < perDecoder) {
    const outcome = await runWorker(name, start, perDecoder - start, report)
    if (outcome.type === 'done') {
      const s = outcome.stats
      stats.inputs += s.inputs
      stats.accepted += s.accepted
      stats.failures += s.failures
      stats.cpuMs += s.cpuMs
      stats.ms += s.ms
      stats.peakHeapBytes = Math.max(stats.peakHeapBytes, s.peakHeapBytes)
      for (const [reason, n] of Object.entries(s.refused)) stats.refused[reason] = (stats.refused[reason] ?? 0) + n
      break
    }
    // The worker hung or died on one input: report it, then go on after it in a new worker.
    // (Verdicts of the inputs that worker had finished are lost; their count is not.)
    stats.inputs += outcome.index - start + 1
    stats.failures++
    const kind: Failure['kind'] = outcome.why.startsWith('no progress') ? 'hang' : 'exception'
    const input = inputFor(await targetNamed(name), seed, outcome.index)
    report({ target: name, seed, index: outcome.index, kind, message: outcome.why, input })
    start = outcome.index + 1
  }
  console.log(formatStats(stats))
  totalInputs += stats.inputs
  totalFailures += stats.failures
}
console.log(`fuzz: ${only.length} targets, ${totalInputs} inputs, ${totalFailures} failures`)
process.exit(totalFailures === 0 ? 0 : 1)
