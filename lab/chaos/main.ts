/**
 * npm run chaos -- --runs N --seed S [--peers 5-10] [--replay S:r] [--sabotage]
 * Seeded fault schedules against real peer processes in lab namespaces; the last
 * line is `chaos: R runs, D divergent, L acknowledged edits lost, C crashes`.
 */
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { preflight } from '../net/preflight.js'
import { Cluster, destroyAllClusters } from '../cluster.js'
import { makeSchedule, planCluster, describeFault } from './schedule.js'
import { runOnce } from './runner.js'
import { installTeardown } from '../teardown.js'

const argv = await yargs(hideBin(process.argv))
  .scriptName('chaos')
  .option('runs', { type: 'number', default: 10, describe: 'number of seeded runs' })
  .option('seed', { type: 'string', default: String(Date.now()), describe: 'seed for the cluster and every schedule' })
  .option('peers', { type: 'string', default: '5-10', describe: 'peer count or range (picked from the seed)' })
  .option('replay', { type: 'string', describe: 'replay one run: <seed>:<run> as printed by a failing run' })
  .option('converge-ms', { type: 'number', default: 30_000, describe: 'bound for convergence after the faults heal' })
  .option('sabotage', {
    type: 'boolean',
    default: false,
    describe: 'checker self-test: acknowledge one edit per run that never leaves its writer'
  })
  .option('verbose', { type: 'boolean', default: false })
  .strict()
  .parseAsync()

let seed = argv.seed
let runs = Array.from({ length: argv.runs }, (_, i) => i)
if (argv.replay !== undefined) {
  const at = argv.replay.lastIndexOf(':')
  seed = argv.replay.slice(0, at)
  runs = [Number(argv.replay.slice(at + 1))]
}
const [minPeers, maxPeers] = argv.peers.includes('-')
  ? argv.peers.split('-').map(Number)
  : [Number(argv.peers), Number(argv.peers)]

const teardown = installTeardown('chaos')

await preflight()
const plan = planCluster(seed, minPeers, maxPeers)
const t0 = Date.now()
console.log(`chaos: seed ${seed}, ${plan.peers} peers, clock skews (s) [${plan.skews.join(', ')}]`)
let divergent = 0
let lost = 0
let crashes = 0
let done = 0
let runTime = 0
let cluster: Cluster | undefined
try {
  cluster = await Cluster.start({
    name: `chaos${process.pid}`,
    peers: plan.skews.map(skewSeconds => ({ skewSeconds })),
    onStderr: argv.verbose
      ? (i, line) => { if (!line.includes('ExperimentalWarning')) console.error(`[h${i}] ${line}`) }
      : undefined
  })
  console.log(`chaos: cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  for (const run of runs) {
    const schedule = makeSchedule(seed, run, plan.peers)
    const result = await runOnce(cluster, schedule, { convergeMs: argv['converge-ms'], sabotage: argv.sabotage })
    done++
    runTime += result.totalMs
    const bad = !result.verdict.converged || result.verdict.lost.length > 0 || result.crashes.length > 0
    if (!result.verdict.converged) divergent++
    lost += result.verdict.lost.length
    crashes += result.crashes.length
    const line = `run ${run} (${seed}:${run}): ${result.acks} acked edits by h${schedule.writers.join(',h')}, ` +
      `${schedule.faults.length} faults, ` +
      `converged ${result.verdict.converged ? `${result.convergeMs} ms after heal` : 'NO'}, ` +
      `${(result.totalMs / 1000).toFixed(1)} s` + (argv.verbose ? ` [phases ms: ${result.phases.join(' ')}]` : '')
    console.log(line)
    if (bad) {
      console.log(`  FAILED: replay with: npm run chaos -- --replay ${seed}:${run} --peers ${argv.peers}`)
      console.log(`  schedule: ${schedule.faults.map(describeFault).join('; ') || 'no faults'}; ` +
        `edit gap ${schedule.editGapMs} ms, heal at ${schedule.durationMs} ms`)
      for (const d of result.verdict.details) console.log(`  ${d}`)
      for (const c of result.crashes) console.log(`  crash: ${c}`)
    }
    if (teardown.interrupted()) break
  }
} catch (err: any) {
  console.error(`chaos: lab failure: ${err?.stack ?? err}`)
  crashes += cluster?.crashes().length ?? 0
  divergent += runs.length - done
} finally {
  await destroyAllClusters()
}
const total = (Date.now() - t0) / 1000
const perRun = done > 0 ? (runTime / done / 1000).toFixed(1) : '-'
console.log(`chaos: ${done} runs in ${total.toFixed(1)} s (${perRun} s per run, cluster start included in the total)`)
console.log(`chaos: ${done} runs, ${divergent} divergent, ${lost} acknowledged edits lost, ${crashes} crashes`)
process.exit(divergent === 0 && lost === 0 && crashes === 0 && done === runs.length ? 0 : 1)
