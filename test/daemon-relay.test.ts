/**
 * `weft daemon --relay`: a daemon as the relay of peers behind NAT, bounded by its flags.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runCli, startDaemon, loopbackArgs, tempDirs } from './daemon/harness.js'
import { Peers, waitFor } from './support/peers.js'

const tempDir = tempDirs('weft-relay-')

test('weft daemon --relay gives a peer behind NAT a reservation within its bounds', { timeout: 90_000 }, async () => {
  const daemon = await startDaemon([...loopbackArgs(await tempDir()), '--relay', '--relay-max-reservations', '1'])
  const peers = new Peers()
  try {
    const options = { bootstrap: [daemon.ready.bootstrap], listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'] }
    const a = await peers.start(options)
    await waitFor('a reserves a slot on the daemon', () =>
      a.multiaddrs.some(m => m.includes(`/p2p/${daemon.ready.peerId}/p2p-circuit`)), 30_000)
    // The second peer is refused: the daemon holds at most one reservation.
    const b = await peers.start(options)
    await waitFor('b connected to the daemon', () => b.connectedPeers().some(p => p.id === daemon.ready.peerId))
    await new Promise(resolve => setTimeout(resolve, 3_000))
    assert.equal(b.multiaddrs.some(m => m.includes('/p2p-circuit')), false, 'b holds no reservation')
  } finally {
    await peers.cleanup()
    daemon.proc.kill('SIGTERM')
    await daemon.exited(15_000)
  }
})

test('a daemon without --relay relays nothing', { timeout: 60_000 }, async () => {
  const daemon = await startDaemon(loopbackArgs(await tempDir()))
  const peers = new Peers()
  try {
    const a = await peers.start({
      bootstrap: [daemon.ready.bootstrap], listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit']
    })
    await waitFor('a connected to the daemon', () => a.connectedPeers().some(p => p.id === daemon.ready.peerId))
    await new Promise(resolve => setTimeout(resolve, 3_000))
    assert.equal(a.multiaddrs.some(m => m.includes('/p2p-circuit')), false)
  } finally {
    await peers.cleanup()
    daemon.proc.kill('SIGTERM')
    await daemon.exited(15_000)
  }
})

test('a relay bound that cannot work is one line naming the flag', async () => {
  const r = await runCli(['daemon', '--data-dir', await tempDir(), '--relay', '--relay-data-limit', '0'])
  assert.notEqual(r.code, 0)
  assert.match(r.stderr.trim(), /^.*--relay-data-limit must be a positive integer, got 0$/m)
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
})

test('weft daemon --network public is accepted and printed; another value is one line naming the flag', async () => {
  const dir = await tempDir()
  const shown = await runCli(['daemon', '--data-dir', dir, '--network', 'public', '--print-config'])
  assert.equal(shown.code, 0, shown.stderr)
  assert.equal(JSON.parse(shown.stdout).network, 'public')
  const wrong = await runCli(['daemon', '--data-dir', dir, '--network', 'internet'])
  assert.notEqual(wrong.code, 0)
  assert.match(wrong.stderr, /network/)
  assert.match(wrong.stderr, /internet/)
})
