/**
 * A daemon that cannot start says why in one line and exits 1, without a stack trace or libp2p's
 * multi-line dump: a listen port in use, a data dir that is a file or cannot be created (no hang).
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { loopbackArgs, tempDirs, runCli } from './daemon/harness.js'

const tempDir = tempDirs('weft-front-door-')

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
