/**
 * Profiles one system on benchmark scenarios: re-runs bench/run.ts for that system with the
 * measurement windows recorded by node:inspector (bench/lib/profiler.ts), then prints, per window,
 * time by package, the top frames by self time and weft's src/ functions by inclusive time.
 *   node --import tsx bench/profile.ts [--system=weft] [run.ts args, default: --quick --only=latency --n=10]
 *   node --import tsx bench/profile.ts --analyze=<file.cpuprofile>
 * Profiles are written to bench/results/profiles/.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { analyzeProfile, renderProfile } from './report/cpuprofile.js'

const args = process.argv.slice(2)
const analyze = args.find(a => a.startsWith('--analyze='))?.split('=')[1]
let files: string[]
if (analyze !== undefined) {
  files = [analyze]
} else {
  const system = args.find(a => a.startsWith('--system='))?.split('=')[1] ?? 'weft'
  const rest = args.filter(a => !a.startsWith('--system='))
  const dir = fileURLToPath(new URL('./results/profiles/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  const runArgs = rest.length > 0 ? rest : ['--quick', '--only=latency', '--n=10']
  const before = Date.now()
  const runTs = fileURLToPath(new URL('./run.ts', import.meta.url))
  const r = spawnSync(process.execPath, ['--import', 'tsx', runTs, `--systems=${system}`, '--no-write', ...runArgs], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, BENCH_PROFILE_DIR: dir, BENCH_PROFILE_SYSTEM: system }
  })
  if (r.status !== 0) console.error(`run.ts exited with ${String(r.status)}`)
  files = readdirSync(dir)
    .filter(f => f.endsWith('.window.cpuprofile'))
    .map(f => join(dir, f))
    .filter(f => statSync(f).mtimeMs >= before)
  if (files.length === 0) throw new Error('no profile written (did the scenario reach its measurement window?)')
}
for (const f of files) console.log(renderProfile(analyzeProfile(JSON.parse(readFileSync(f, 'utf8'))), f) + '\n')
