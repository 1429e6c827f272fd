/**
 * The `weft` command's front door without a running daemon, through the real CLI in child
 * processes: the Node version check, bare `weft`, bootstrap peer ids and document ids checked up
 * front, each as one line naming the value, exit 2, no stack trace.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { configKeys, DAEMON_OPTIONS, resolveDaemonConfig } from '../src/daemon/config.js'
import { killAll, ROOT, runCli, withTimeout, type CliResult } from './daemon/harness.js'

const PEER_ID = '12D3KooWA82Ar8y9QCKXB1VVDnE7WgEid924UVNScP9xvktuAVYE'
after(killAll)

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
})

test('weft pin checks the document id before asking any daemon', async () => {
  const r = await runCli(['pin', 'not-a-doc-id', '--admin', '127.0.0.1:9'])
  assert.equal(r.code, 2)
  oneLine(r, /^weft: "not-a-doc-id" is not a document id \(26 characters a-z, 2-7; 52 for a private one\)$/)
})

test('a config file takes every key in camelCase and in kebab-case', () => {
  const camel = { shutdownTimeout: 7000, adminMaxBody: 1000, logFormat: 'json', dhtMode: 'client' }
  const kebab = { 'shutdown-timeout': 7000, 'admin-max-body-bytes': 1000, 'log-format': 'json', 'dht-mode': 'client' }
  for (const file of [camel, kebab]) {
    const c = resolveDaemonConfig({ flags: { config: '/weft.json' }, env: {}, readFile: () => JSON.stringify(file) })
    const seen = [c.shutdownTimeoutMs, c.adminMaxBodyBytes, c.logFormat, c.dhtMode]
    assert.deepEqual(seen, [7000, 1000, 'json', 'client'], JSON.stringify(file))
  }
  for (const spec of DAEMON_OPTIONS) {
    const camelFlag = spec.flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())
    for (const key of [spec.key, spec.flag, camelFlag]) assert.ok(configKeys(spec).includes(key), `${spec.key}: ${key}`)
  }
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
