/**
 * The daemon's front door with a running daemon: a second daemon on its data dir, a client facing a
 * daemon whose admin API is off, and the first /metrics scrape. Real daemons in child processes.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { METRIC_INFO } from '../src/metrics/metrics.js'
import { loopbackArgs, tempDirs, runCli, startDaemon, type CliResult } from './daemon/harness.js'
import { parsePrometheusText, sumOf } from './daemon/prom-parse.js'

const tempDir = tempDirs('weft-front-door-')

/** The one line a failed command printed: no stack trace, no libp2p dump. */
function oneLine (r: CliResult, expected: RegExp): void {
  const lines = r.stderr.trim().split('\n').filter(l => l !== '')
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`)
  assert.match(lines[0], expected)
  assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at |faultTolerance/)
}

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
  const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim()
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
