/**
 * Benchmark runner: weft side by side with y-websocket and a bare gossipsub mesh.
 *   npm run bench                 full run (~10-15 min)
 *   npm run bench -- --quick      reduced sizes, < 2 min
 * Options: --only=latency,multiprocess,throughput,catchup,coldstart,manydocs,dht,flood,history,trust,notes
 *          --systems=weft,mesh,y-websocket   --no-write (print only)
 *          (opt-in, latency and multiprocess only: floor = the mesh + ed25519 signatures + LevelDB writes)
 *          --n=10,25 (latency sizes to run, from the mode's plan or added with the mode's edit count)
 *          --dht-peers=50,100 (DHT network sizes, one run each; default: the mode's plan)
 *          --render=results/<file>.json (re-render latest.md and latency.svg from a saved run, measure nothing)
 * Markdown goes to stdout (progress to stderr); JSON, markdown and the SVG chart to bench/results/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { machineInfo } from './lib/machine.js'
import { log, errMsg } from './lib/log.js'
import { withTimeout } from './lib/time.js'
import { OPT_IN_SYSTEMS, SYSTEMS, type SystemName } from './systems/types.js'
import { runLatency, type LatencyPlan } from './scenarios/latency.js'
import { runMultiprocess } from './scenarios/multiprocess.js'
import { runThroughput } from './scenarios/throughput.js'
import { runCatchup } from './scenarios/catchup.js'
import { runColdStart } from './scenarios/coldstart.js'
import { runManyDocs } from './scenarios/manydocs.js'
import { runStoredDocs, type StoredDocsPlan } from './scenarios/stored-docs.js'
import { runDht } from './scenarios/dht.js'
import { runFlood, type FloodPlan } from './scenarios/flood.js'
import { runHistory } from './scenarios/history.js'
import { runTrust, type TrustPlan } from './scenarios/trust.js'
import { runNotesNotebook } from './scenarios/notes-notebook.js'
import { experimentKnobs } from './systems/weft.js'
import type { ScenarioContext } from './scenarios/context.js'
import { evaluateTargets } from './report/targets.js'
import { renderMarkdown } from './report/table.js'
import { renderLatencySvg } from './report/chart.js'
import { normalizeResults, type BenchResults } from './report/results.js'
import { MESH_SIGNATURE_POLICY } from './baselines/libp2p-node.js'
import { EXTRA_DIALS } from './baselines/gossip-mesh.js'

const SCENARIOS = [
  'latency', 'multiprocess', 'throughput', 'catchup', 'coldstart', 'manydocs', 'dht', 'flood', 'history', 'trust',
  'notes'
] as const
type Scenario = typeof SCENARIOS[number]

interface Args {
  quick: boolean
  only: Scenario[]
  systems: SystemName[]
  write: boolean
  ns?: number[]
  dhtPeers?: number[]
}

function parseArgs (argv: string[]): Args {
  const get = (name: string): string | undefined => argv.find(a => a.startsWith(`--${name}=`))?.split('=')[1]
  const only = (get('only')?.split(',') ?? [...SCENARIOS]) as Scenario[]
  const systems = (get('systems')?.split(',') ?? [...SYSTEMS]) as SystemName[]
  for (const o of only) {
    if (!SCENARIOS.includes(o)) throw new Error(`unknown scenario ${o}; known: ${SCENARIOS.join(', ')}`)
  }
  for (const s of systems) {
    if (!SYSTEMS.includes(s) && !OPT_IN_SYSTEMS.includes(s)) {
      throw new Error(`unknown system ${s}; known: ${[...SYSTEMS, ...OPT_IN_SYSTEMS].join(', ')}`)
    }
  }
  const ns = get('n')?.split(',').map(Number)
  const dhtPeers = get('dht-peers')?.split(',').map(Number)
  if (dhtPeers?.some(p => !Number.isInteger(p) || p < 3) === true) throw new Error('--dht-peers takes integers >= 3')
  return { quick: argv.includes('--quick'), only, systems, write: !argv.includes('--no-write'), ns, dhtPeers }
}

/** Sizes per mode. Quick mode trims sizes so the whole run stays under two minutes on 2 cores. */
function sizes (quick: boolean) {
  return quick
    ? {
        latency: [{ n: 2, transport: 'tcp', edits: 100 }, { n: 10, transport: 'tcp', edits: 60 }] as LatencyPlan[],
        multiprocess: { n: 5, edits: 30 },
        throughput: { n: 10, writers: [1, 5] },
        catchupEdits: 10_000,
        coldStartOps: 20_000,
        historyEdits: 1000,
        notesNotebook: { notes: 500, idleMs: 5_000 },
        manyDocs: 100,
        storedDocs: { stored: 1000, opened: 100, served: 100, unloadIdleAfterMs: 2000 } satisfies StoredDocsPlan,
        dht: [{ peers: 10, trials: 2 }],
        flood: { honest: 4, edits: 60, floodRate: 10_000, floodMs: 10_000, syncStreams: 200 } satisfies FloodPlan,
        trust: { latency: [{ n: 2, edits: 100 }, { n: 10, edits: 60 }], catchupEdits: 2000 } satisfies TrustPlan
      }
    : {
        latency: [
          { n: 2, transport: 'tcp', edits: 300 },
          { n: 10, transport: 'tcp', edits: 300 },
          { n: 25, transport: 'tcp', edits: 200 },
          { n: 100, transport: 'memory', edits: 100 }
        ] as LatencyPlan[],
        multiprocess: { n: 10, edits: 200 },
        throughput: { n: 10, writers: [1, 5] },
        catchupEdits: 10_000,
        coldStartOps: 100_000,
        historyEdits: 5000,
        notesNotebook: { notes: 500, idleMs: 20_000 },
        manyDocs: 1000,
        storedDocs: { stored: 10_000, opened: 1000, served: 1000, unloadIdleAfterMs: 5000 } satisfies StoredDocsPlan,
        dht: [{ peers: 50, trials: 5 }, { peers: 100, trials: 5 }],
        flood: { honest: 4, edits: 300, floodRate: 10_000, floodMs: 30_000, syncStreams: 200 } satisfies FloodPlan,
        // 1,000 edits per kind: a p99 over 300 is the third-worst sample, and swung from 0.57x to 1.23x
        // between runs of unchanged code.
        trust: { latency: [{ n: 2, edits: 1000 }, { n: 10, edits: 1000 }], catchupEdits: 10_000 } satisfies TrustPlan
      }
}

/** Rewrites latest.{json,md} and latency.svg from a saved results file. */
function render (file: string): void {
  const saved = normalizeResults(JSON.parse(readFileSync(file, 'utf8')))
  // targets are judged again with the current list (older files hold older target lists)
  const full: BenchResults = { ...saved, targets: evaluateTargets(saved) }
  const dir = fileURLToPath(new URL('./results/', import.meta.url))
  const md = renderMarkdown(full)
  process.stdout.write(md + '\n')
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(full, null, 2))
  writeFileSync(join(dir, 'latest.md'), md)
  if (full.latency.length > 0) {
    writeFileSync(join(dir, 'latency.svg'), renderLatencySvg(full.latency, full.meta.machine, full.meta.mode))
  }
}

async function main (): Promise<void> {
  const renderFrom = process.argv.find(a => a.startsWith('--render='))?.split('=')[1]
  if (renderFrom !== undefined) { render(renderFrom); return }
  const args = parseArgs(process.argv.slice(2))
  process.setMaxListeners(0) // each y-websocket provider adds a process 'exit' listener
  const started = performance.now()
  const timestamp = new Date().toISOString()
  const machine = machineInfo()
  const z = sizes(args.quick)
  if (args.ns !== undefined) {
    const ns = args.ns
    const edits = z.latency[z.latency.length - 1].edits
    z.latency = ns.map(n => z.latency.find(p => p.n === n) ?? { n, transport: n > 50 ? 'memory' : 'tcp', edits })
  }
  if (args.dhtPeers !== undefined) {
    const trials = z.dht[0].trials
    z.dht = args.dhtPeers.map(peers => ({ peers, trials }))
  }
  const ctx: ScenarioContext = { quick: args.quick, systems: args.systems }
  // quick mode: a scenario whose usual cost would end the run past this point is skipped (and says so)
  const quickDeadlineMs = 115_000
  const quickCostMs: Record<Scenario, number> = {
    latency: 25_000,
    throughput: 25_000,
    catchup: 4_000,
    coldstart: 4_000,
    multiprocess: 18_000,
    manydocs: 30_000,
    dht: 10_000,
    flood: 25_000,
    history: 8_000,
    trust: 40_000,
    notes: 20_000
  }
  const results: Omit<BenchResults, 'targets'> = {
    meta: {
      timestamp,
      mode: args.quick ? 'quick' : 'full',
      machine,
      durationMs: 0,
      plan: [],
      notes: [
        'Every peer of a run lives in this one process unless marked "separate processes"; ' +
          'the machine is shared, so compare systems within a run (ratios), not across runs.',
        `Bare mesh: libp2p 3 + @libp2p/gossipsub with globalSignaturePolicy ${MESH_SIGNATURE_POLICY}, ` +
          'IPColocationFactorWeight 0, default D and heartbeat, ' +
          `each peer dials peer 0 + ${EXTRA_DIALS} random earlier peers; one raw Yjs update per message.`,
        'y-websocket: @y/websocket-server 0.1.1 setupWSConnection + y-websocket 3 clients (disableBc, ws polyfill) ' +
          'over 127.0.0.1; one process unless stated.',
        'weft: public API only (createWeft/create/open) of the built package (dist/), ' +
          'each peer with its own LevelDB data dir, bootstrapped from peer 0, mDNS off, ' +
          'inboundConnectionThreshold raised, IP colocation weight 0.',
        ...(args.systems.includes('floor')
          ? ['floor (diagnostic, opt-in): the bare mesh plus what weft cannot avoid: each update in an envelope ' +
              '[author key][seq][ed25519 signature][update], signed by the writer and put into its LevelDB ' +
              '(awaited) before publishing, verified by every receiver in a gossipsub topic validator, ' +
              'written to the receiver\'s LevelDB after applying (not awaited).']
          : []),
        ...(Object.keys(experimentKnobs).length > 0
          ? [`EXPERIMENT: every weft peer ran with network knobs ${JSON.stringify(experimentKnobs)} ` +
              '(BENCH_WEFT_NETWORK).']
          : [])
      ]
    },
    latency: [],
    throughput: [],
    catchup: [],
    manyDocs: [],
    dht: [],
    history: [],
    skipped: []
  }
  if (args.only.includes('trust')) results.trust = { latency: [], catchup: [] }
  const plan = results.meta.plan
  plan.push(`systems ${args.systems.join(', ')}`)

  const steps: Array<[Scenario, string, () => Promise<void>]> = [
    ['latency', `latency N=${z.latency.map(p => `${p.n} (${p.transport}, ${p.edits} edits)`).join(', ')}`, async () => {
      const r = await runLatency(ctx, z.latency)
      results.latency.push(...r.rows); results.skipped.push(...r.skipped)
    }],
    ['throughput', `throughput N=${z.throughput.n} with ${z.throughput.writers.join(' and ')} writers`, async () => {
      const r = await runThroughput(ctx, z.throughput.n, z.throughput.writers)
      results.throughput.push(...r.rows); results.skipped.push(...r.skipped)
    }],
    ['catchup', `catch-up after ${z.catchupEdits} missed edits`, async () => {
      const r = await runCatchup(ctx, z.catchupEdits)
      results.catchup.push(...r.rows); results.skipped.push(...r.skipped)
    }],
    ['coldstart', `cold start of ${z.coldStartOps} operations`, async () => {
      const r = await runColdStart(ctx, z.coldStartOps)
      results.coldStart = r.row; results.skipped.push(...r.skipped)
    }],
    ['multiprocess', `latency N=${z.multiprocess.n} in separate processes ` +
      `(${z.multiprocess.edits} edits)`,
    async () => {
      const r = await runMultiprocess(ctx, z.multiprocess.n, z.multiprocess.edits)
      results.latency.push(...r.rows); results.skipped.push(...r.skipped)
    }],
    ['manydocs', `${z.manyDocs} documents on one peer; weft: ${z.storedDocs.opened} of ${z.storedDocs.stored} ` +
      `stored documents opened, ${z.storedDocs.served} served (unloadIdleAfterMs ${z.storedDocs.unloadIdleAfterMs})`,
    async () => {
      const r = await runManyDocs(ctx, z.manyDocs)
      results.manyDocs.push(...r.rows); results.skipped.push(...r.skipped)
      const s = await runStoredDocs(ctx, z.storedDocs)
      results.storedDocs = s.stored; results.servedDocs = s.served; results.skipped.push(...s.skipped)
    }],
    ['trust', 'private vs open document: latency N=' +
      `${z.trust.latency.map(p => `${p.n} (${p.edits} edits)`).join(', ')}; ` +
      `member catch-up after ${z.trust.catchupEdits} edits`, async () => {
      const r = await runTrust(ctx, z.trust)
      results.trust = r.rows; results.skipped.push(...r.skipped)
    }],
    ['dht', `DHT rendezvous in ${z.dht.map(d => `a ${d.peers}-peer network (${d.trials} newcomers)`).join(' and ')}`,
      async () => {
        for (const d of z.dht) {
          const r = await runDht(ctx, d.peers, d.trials)
          if (r.row !== undefined) results.dht.push(r.row)
          results.skipped.push(...r.skipped)
        }
      }],
    ['flood', `a hostile process at ${z.flood.floodRate} frames/s for ${z.flood.floodMs / 1000} s, ` +
      `${z.flood.syncStreams} garbage sync streams at two peers, a peer that never reads; ${z.flood.honest} honest ` +
      `peers in separate processes (${z.flood.edits} edits timed before and during)`,
    async () => {
      const r = await runFlood(ctx, z.flood)
      if (r.row !== undefined) results.flood = r.row
      results.skipped.push(...r.skipped)
    }],
    ['history', `history 'full' vs 'none': ${z.historyEdits} edits, one envelope each`, async () => {
      const r = await runHistory(ctx, z.historyEdits)
      results.history.push(...r.rows); results.skipped.push(...r.skipped)
    }],
    ['notes', `notes app: a notebook of ${z.notesNotebook.notes} notes restarted, ` +
      `idle CPU over ${z.notesNotebook.idleMs / 1000} s`, async () => {
      const r = await runNotesNotebook(ctx, z.notesNotebook.notes, z.notesNotebook.idleMs)
      results.notesNotebook = r.rows; results.skipped.push(...r.skipped)
    }]
  ]

  for (const [name, what, run] of steps) {
    if (!args.only.includes(name)) continue
    if (args.quick && performance.now() - started + quickCostMs[name] > quickDeadlineMs) {
      results.skipped.push({
        scenario: name,
        reason: `skipped: not enough of quick mode's ${quickDeadlineMs / 1000} s budget left ` +
          `(${((performance.now() - started) / 1000).toFixed(0)} s used)`
      })
      continue
    }
    plan.push(what)
    log(`== ${what}`)
    // a scenario bounds its own time; this outer bound keeps a stuck one from holding the run (quick: the budget left)
    const boundMs = args.quick ? Math.max(5_000, quickDeadlineMs + 3_000 - (performance.now() - started)) : 900_000
    try {
      await withTimeout(run(), boundMs, `${name} scenario`)
    } catch (err) {
      results.skipped.push({ scenario: name, reason: `crashed: ${errMsg(err)}` })
      log(`${name} crashed: ${errMsg(err)}`)
    }
  }

  results.meta.durationMs = performance.now() - started
  const full: BenchResults = { ...results, targets: evaluateTargets(results) }
  const md = renderMarkdown(full)
  process.stdout.write(md + '\n')
  if (args.write) {
    const dir = fileURLToPath(new URL('./results/', import.meta.url))
    mkdirSync(dir, { recursive: true })
    const json = JSON.stringify(full, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)
    writeFileSync(join(dir, `${timestamp.replace(/[:.]/g, '-')}${args.quick ? '-quick' : ''}.json`), json)
    writeFileSync(join(dir, 'latest.json'), json)
    writeFileSync(join(dir, 'latest.md'), md)
    if (full.latency.length > 0) {
      writeFileSync(join(dir, 'latency.svg'), renderLatencySvg(full.latency, machine, full.meta.mode))
    }
    log(`wrote ${dir}latest.{json,md}, latency.svg`)
  }
}

main().then(
  () => { process.exit(0) },
  (err: unknown) => { console.error(err); process.exit(1) }
)
