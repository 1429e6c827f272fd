/**
 * The `weft` command line without a running engine: help, usage errors,
 * configuration merging as the process sees it, and client errors.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { DAEMON_OPTIONS } from '../src/daemon/config.js'
import { killAll, runCli } from './daemon/harness.js'

const dirs: string[] = []
after(async () => {
  killAll()
  await Promise.all(dirs.map(d => rm(d, { recursive: true, force: true })))
})

test('weft --help lists the commands', async () => {
  const r = await runCli(['--help'])
  assert.equal(r.code, 0)
  for (const cmd of ['daemon', 'status', 'peers', 'docs', 'pin <id>', 'unpin <id>', 'cat <id>']) {
    assert.ok(r.stdout.includes(`weft ${cmd}`), cmd)
  }
})

test('weft daemon --help documents every option with its default and its WEFT_ variable', async () => {
  const r = await runCli(['daemon', '--help'], { env: { COLUMNS: '200' } })
  assert.equal(r.code, 0)
  const flat = r.stdout.replace(/\s+/g, ' ')
  for (const spec of DAEMON_OPTIONS) {
    assert.ok(flat.includes(`--${spec.flag}`), spec.flag)
    assert.ok(flat.includes(`[env ${spec.env}]`), spec.env)
    assert.ok(flat.includes(`[default: ${spec.defaultText}]`), `${spec.flag} default ${spec.defaultText}`)
  }
  assert.ok(flat.includes('--config'))
  assert.ok(flat.includes('~/.weft'))
})

test('--print-config shows flags over WEFT_ variables over the config file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-cli-'))
  dirs.push(dir)
  const file = join(dir, 'weft.json')
  await writeFile(file, JSON.stringify({
    dataDir: 'data', mdns: false, logFormat: 'json', admin: '127.0.0.1:9000', pin: ['aaaaaaaaaaaaaaaaaaaaaaaaaa']
  }))
  const r = await runCli(['daemon', '--config', file, '--admin', '127.0.0.1:9100',
    '--listen', '/ip4/127.0.0.1/tcp/1', '--listen', '/ip4/127.0.0.1/tcp/2', '--print-config'],
  { env: { WEFT_LOG_FORMAT: 'human', WEFT_DHT_MODE: 'client' } })
  assert.equal(r.code, 0, r.stderr)
  const c = JSON.parse(r.stdout)
  assert.equal(c.dataDir, join(dir, 'data'))
  assert.equal(c.mdns, false)
  assert.equal(c.logFormat, 'human')
  assert.equal(c.dhtMode, 'client')
  assert.equal(c.admin, '127.0.0.1:9100')
  assert.deepEqual(c.listen, ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
  assert.deepEqual(c.pin, ['aaaaaaaaaaaaaaaaaaaaaaaaaa'])
})

test('usage and configuration errors exit 2 with a message', async () => {
  let r = await runCli(['daemon', '--no-such-flag'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /Unknown argument/)
  r = await runCli(['daemon', '--dht-mode', 'peer', '--print-config'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /dht-mode|Choices/i)
  r = await runCli(['daemon', '--print-config'], { env: { WEFT_BOOTSTRAP: '/ip4/10.0.0.1/tcp/1' } })
  assert.equal(r.code, 2)
  assert.match(r.stderr, /p2p/)
  r = await runCli(['pin'])
  assert.equal(r.code, 2)
})

test('client commands report an unreachable daemon and exit 1', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-cli-'))
  dirs.push(dir)
  const r = await runCli(['status', '--data-dir', dir, '--admin', '127.0.0.1:9'])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /weft: /)
})
