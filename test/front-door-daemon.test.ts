/**
 * The daemon's front door, through the real `weft` CLI in child processes: each mistake a new user
 * makes gets one line naming the option or value, exit 2 for usage, exit 1 for a failed start, and
 * never a stack trace.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { METRIC_INFO } from '../src/metrics/metrics.js'
import { killAll, loopbackArgs, ROOT, runCli, startDaemon, withTimeout, type CliResult } from './daemon/harness.js'
import { parsePrometheusText, sumOf } from './daemon/prom-parse.js'

const PEER_ID = '12D3KooWA82Ar8y9QCKXB1VVDnE7WgEid924UVNScP9xvktuAVYE'
const dirs: string[] = []
after(async () => {
  killAll()
  await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
})

async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-front-door-'))
  dirs.push(dir)
  return dir
}

/** The one line a failed command printed: no stack trace, no libp2p dump. */
function oneLine (r: CliResult, expected: RegExp): void {
  const lines = r.stderr.trim().split('\n').filter(l => l !== '')
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`)
  assert.match(lines[0], expected)
  assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at |faultTolerance/)
}

test('under Node 20, bin/weft.js says which Node it needs and exits 2', { timeout: 30_000 }, async (t) => {
  const old = '/usr/bin/node'
  const version = await run(old, ['-p', 'process.versions.node']).catch(() => undefined)
  if (version == null || Number(version.stdout.split('.')[0]) >= 22) {
    t.skip(`no Node < 22 at ${old}`)
    return
  }
  const r = await run(old, [join(ROOT, 'bin', 'weft.js'), 'status'])
  assert.equal(r.code, 2)
  assert.equal(r.stderr, `weft needs Node >= 22 (this is v${version.stdout.trim()})\n`)
  const current = await run(process.execPath, [join(ROOT, 'bin', 'weft.js'), '--version'])
  assert.equal(current.code, 0, current.stderr)
  assert.match(current.stdout, /^\d+\.\d+\.\d+\n$/)
})

test('bare weft prints the commands and starts nothing', async () => {
  const r = await runCli([])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /weft daemon\s+Run the headless peer daemon/)
  assert.doesNotMatch(r.stdout + r.stderr, /starting|ready/)
})

test('a bootstrap peer id that is malformed or one character short fails --print-config, naming it', async () => {
  for (const [id, reason] of [['12D3KooW...', 'Non-base58btc character'], [PEER_ID.slice(0, -1), 'Incorrect length']]) {
    const address = `/ip4/127.0.0.1/tcp/7776/p2p/${id}`
    const r = await runCli(['daemon', '--bootstrap', address, '--print-config'])
    assert.equal(r.code, 2)
    const quoted = address.replace(/\./g, '\\.')
    oneLine(r, new RegExp(`^weft daemon: --bootstrap: "${quoted}" has an invalid peer id .*${reason}`))
  }
  const r = await runCli(['daemon', '--print-config'], { env: { WEFT_BOOTSTRAP: '/ip4/127.0.0.1/tcp/1' } })
  assert.equal(r.code, 2)
  oneLine(r, /--bootstrap: "\/ip4\/127\.0\.0\.1\/tcp\/1" has no \/p2p\/<peer id>$/)
})

test('weft pin checks the document id before asking any daemon', async () => {
  const r = await runCli(['pin', 'not-a-doc-id', '--admin', '127.0.0.1:9'])
  assert.equal(r.code, 2)
  oneLine(r, /^weft: "not-a-doc-id" is not a document id \(26 characters a-z, 2-7\)$/)
})

test('a config file takes every key in camelCase and in kebab-case', async () => {
  const dir = await tempDir()
  const camel = join(dir, 'camel.json')
  const kebab = join(dir, 'kebab.json')
  await writeFile(camel, JSON.stringify({
    shutdownTimeout: 7000, adminMaxBody: 1000, logFormat: 'json', dhtMode: 'client'
  }))
  await writeFile(kebab, JSON.stringify({
    'shutdown-timeout': 7000, 'admin-max-body-bytes': 1000, 'log-format': 'json', 'dht-mode': 'client'
  }))
  for (const file of [camel, kebab]) {
    const r = await runCli(['daemon', '--config', file, '--print-config'])
    assert.equal(r.code, 0, r.stderr)
    const c = JSON.parse(r.stdout)
    const seen = [c.shutdownTimeoutMs, c.adminMaxBodyBytes, c.logFormat, c.dhtMode]
    assert.deepEqual(seen, [7000, 1000, 'json', 'client'], file)
  }
})

test('a listen port in use is one line naming the address, exit 1', { timeout: 60_000 }, async () => {
  const server: Server = createServer()
  await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
  try {
    const port = (server.address() as { port: number }).port
    const args = loopbackArgs(await tempDir()).map(a => a === '/ip4/127.0.0.1/tcp/0' ? `/ip4/127.0.0.1/tcp/${port}` : a)
    const r = await runCli(['daemon', ...args], { timeoutMs: 45_000 })
    assert.equal(r.code, 1)
    const errors = r.stdout.split('\n').filter(l => / ERROR /.test(l))
    assert.equal(errors.length, 1, r.stdout)
    assert.match(errors[0], new RegExp(`cannot start: listen address /ip4/127\\.0\\.0\\.1/tcp/${port} is in use`))
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at |faultTolerance/)
  } finally {
    await new Promise(resolve => { server.close(resolve) })
  }
})

test('a data dir that is a file or cannot be created fails at once with one line', { timeout: 60_000 }, async () => {
  const file = join(await tempDir(), 'a-file')
  await writeFile(file, 'x')
  const cases = [[file, /a-file is a file, not a directory/], ['/proc/weft', /\/proc\/weft cannot be created/]] as const
  for (const [dataDir, expected] of cases) {
    const r = await runCli(['daemon', ...loopbackArgs(dataDir)], { timeoutMs: 30_000 })
    assert.equal(r.code, 1, r.stdout + r.stderr)
    const errors = r.stdout.split('\n').filter(l => / ERROR /.test(l))
    assert.equal(errors.length, 1, r.stdout)
    assert.match(errors[0], expected)
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /)
  }
})

test('a data dir in use, and a daemon whose admin API is off, are said as such', { timeout: 90_000 }, async () => {
  const dataDir = await tempDir()
  const args = loopbackArgs(dataDir).map(a => a === '127.0.0.1:0' ? 'off' : a)
  const d = await startDaemon(args)
  assert.equal(d.ready.admin, undefined)

  const second = await runCli(['daemon', ...loopbackArgs(dataDir)], { timeoutMs: 45_000 })
  assert.equal(second.code, 1)
  assert.match(second.stdout, /cannot start: data dir .* is in use by another process/)
  assert.doesNotMatch(second.stdout + second.stderr, /\n\s+at /)

  const status = await runCli(['status', '--data-dir', dataDir])
  assert.equal(status.code, 2)
  oneLine(status, /^weft: the daemon using .* runs with its admin API off .*restart it with --admin/)

  const off = await runCli(['status', '--admin', 'off'])
  assert.equal(off.code, 2)
  oneLine(off, /^weft: --admin "off" turns the admin API off/)
  d.proc.kill('SIGTERM')
  await d.exited(20_000)
})

test('the first /metrics scrape has every weft counter and gauge, with help, at 0', { timeout: 90_000 }, async () => {
  const dataDir = await tempDir()
  const d = await startDaemon(loopbackArgs(dataDir))
  const token = (await import('node:fs')).readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
  const res = await fetch(`${d.ready.admin}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(res.status, 200)
  const families = parsePrometheusText(await res.text())
  for (const [name, info] of Object.entries(METRIC_INFO)) {
    const family = families.get(name)
    assert.ok(family != null, `${name} is exported`)
    assert.equal(family.type, info.type, name)
    assert.equal(family.help, info.help, name)
    assert.ok(family.samples.length > 0, `${name} has a sample`)
  }
  assert.equal(sumOf(families, 'weft_store_errors_total'), 0)
  assert.equal(sumOf(families, 'weft_dropped_total'), 0)
  d.proc.kill('SIGTERM')
  await d.exited(20_000)
})

async function run (command: string, args: string[]): Promise<CliResult> {
  const proc = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  proc.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const code = await withTimeout(new Promise<number | null>((resolve, reject) => {
    proc.on('error', reject)
    proc.on('close', resolve)
  }), 20_000, `${command} ${args.join(' ')}`, () => stdout + stderr)
  return { code, stdout, stderr }
}
