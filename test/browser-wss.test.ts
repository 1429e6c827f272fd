/**
 * Secure WebSockets: a real `weft daemon` serves `/tls/ws` with its own certificate (`--tls-cert`,
 * `--tls-key`; here a self-signed one made by openssl for 127.0.0.1), and a page in headless
 * Chromium reaches it at `wss://` and syncs through it with a Node peer that only speaks TCP.
 * A page whose browser context does not trust the certificate gets no connection: the TLS is real.
 */
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { Peers, waitFor } from './support/peers.js'
import { newDocId } from '../src/index.js'
import { browserSkipReason, startHarness, type Harness } from './browser/harness.js'
import { runCli, startDaemon, tempDirs } from './daemon/harness.js'

const skip = browserSkipReason()
const T = 30_000
const tempDir = tempDirs('weft-wss-')

/** A self-signed certificate for 127.0.0.1, valid for a day, from the openssl command line. */
async function selfSigned (dir: string): Promise<{ cert: string, key: string }> {
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert
  ], { timeout: 20_000 })
  return { cert, key }
}

describe('a browser reaches a daemon over secure WebSockets', { skip, timeout: 150_000 }, () => {
  let harness: Harness
  before(async () => { harness = await startHarness() })
  after(async () => { await harness?.close() })

  test('wss:// with the daemon\'s own certificate: the page syncs both ways through it', async (t) => {
    const dataDir = await tempDir()
    const { cert, key } = await selfSigned(await tempDir())
    const docId = newDocId()
    const daemon = await startDaemon([
      '--data-dir', dataDir, '--admin', '127.0.0.1:0', '--no-mdns', '--inbound-connection-threshold', '1000',
      '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/tls/ws',
      '--tls-cert', cert, '--tls-key', key, '--pin', docId
    ])
    const peers = new Peers()
    const untrusting = await harness.newPage('untrusting')
    const page = await harness.newPage('wss', { ignoreHTTPSErrors: true })
    try {
      const wss = daemon.ready.multiaddrs.find(a => a.includes('/tls/ws/'))
      assert.ok(wss, `no /tls/ws address in ${daemon.ready.multiaddrs.join(', ')}`)
      assert.ok(!daemon.ready.multiaddrs.some(a => /\/ws\//.test(a) && !a.includes('/tls/ws/')), 'no plain /ws')

      // A browser that does not trust the certificate cannot connect at all.
      await untrusting.call('start', { bootstrap: [wss] })
      await new Promise(resolve => setTimeout(resolve, 3_000))
      assert.deepEqual(await untrusting.call('connectedPeers'), [], 'an untrusted certificate gives no connection')

      const t0 = Date.now()
      await page.call('start', { bootstrap: [wss] })
      await waitFor('the page connects to the daemon', async () =>
        (await page.call('connectedPeers')).includes(daemon.ready.peerId), T)
      const connections = await page.call('connectionsTo', daemon.ready.peerId)
      t.diagnostic(`connected in ${Date.now() - t0} ms over ${connections.map(c => c.remoteAddr).join(', ')}`)
      assert.ok(connections.length > 0 && connections.every(c => c.remoteAddr.includes('/tls/ws')),
        JSON.stringify(connections))

      // The page writes; the daemon holds it.
      await page.call('open', docId)
      await page.call('insert', docId, 0, 'typed in a browser.')
      await waitFor('the daemon has the page\'s text', async () => {
        const r = await runCli(['cat', docId, '--data-dir', dataDir])
        return r.code === 0 && r.stdout.includes('typed in a browser.')
      }, T, 250)

      // A Node peer that speaks only TCP writes; the page gets it through the daemon.
      const node = await peers.start({ bootstrap: [daemon.ready.bootstrap], listen: ['/ip4/127.0.0.1/tcp/0'] })
      const handle = await node.open(docId)
      await waitFor('the node peer has the page\'s text', () =>
        handle.doc.getText('text').toString() === 'typed in a browser.', T)
      handle.doc.getText('text').insert(0, 'From Node. ')
      await waitFor('the page has the node\'s text', async () =>
        (await page.call('text', docId)) === 'From Node. typed in a browser.', T)
    } catch (err) {
      console.log(harness.logs.slice(-30).join('\n'))
      console.log(daemon.output().split('\n').slice(-30).join('\n'))
      throw err
    } finally {
      for (const p of [untrusting, page]) {
        await p.call('stop').catch(() => {})
        await p.page.context().close()
      }
      await peers.cleanup()
      daemon.proc.kill('SIGTERM')
      await daemon.exited(15_000)
    }
  })
})

test('TLS mistakes are one line naming the flag or option', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  const run = async (...args: string[]): Promise<string> => {
    const r = await runCli(['daemon', '--data-dir', dir, '--admin', '127.0.0.1:0', '--no-mdns', ...args])
    assert.notEqual(r.code, 0, r.stdout)
    const lines = r.stderr.trim().split('\n').filter(l => l.trim() !== '')
    assert.equal(lines.length, 1, r.stderr)
    return lines[0]
  }
  assert.match(await run('--listen', '/ip4/127.0.0.1/tcp/0/tls/ws'),
    /--listen: ".*\/tls\/ws" serves secure WebSockets: give --tls-cert and --tls-key/)
  assert.match(await run('--listen', '/ip4/127.0.0.1/tcp/0', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'),
    /--tls-cert: no --listen address serves it/)
  assert.match(await run('--listen', '/ip4/127.0.0.1/tcp/0/tls/ws', '--tls-cert', 'c.pem'),
    /--tls-cert needs --tls-key/)
  // A file that cannot be read stops the start: one error line in the daemon's log names the flag and the file.
  const missing = await runCli(['daemon', '--data-dir', dir, '--admin', '127.0.0.1:0', '--no-mdns',
    '--listen', '/ip4/127.0.0.1/tcp/0/tls/ws', '--tls-cert', join(dir, 'missing.pem'), '--tls-key', join(dir, 'k.pem')])
  assert.equal(missing.code, 1)
  const errors = (missing.stdout + missing.stderr).split('\n').filter(l => /ERROR|error/.test(l))
  assert.equal(errors.length, 1, missing.stdout + missing.stderr)
  assert.match(errors[0], /cannot start: --tls-cert: cannot read .*missing\.pem \(ENOENT\)$/)
})
