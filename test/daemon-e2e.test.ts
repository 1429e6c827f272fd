/**
 * The daemon as users run it: the real `weft daemon` process on loopback,
 * library peers that come and go, the CLI, the admin API and restarts.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { createWeft, type Weft } from '../src/index.js'
import { AdminClient } from '../src/daemon/admin-client.js'
import { readTokenFile } from '../src/daemon/files.js'
import { eventually, killAll, loopbackArgs, runCli, startDaemon, type DaemonProcess } from './daemon/harness.js'
import { parsePrometheusText, sumOf } from './daemon/prom-parse.js'

const dirs: string[] = []
const peers: Weft[] = []
after(async () => {
  killAll()
  await Promise.allSettled(peers.map(async p => { await p.stop() }))
  await Promise.all(dirs.map(d => rm(d, { recursive: true, force: true })))
})

async function tmp (): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'weft-daemon-e2e-'))
  dirs.push(d)
  return d
}

async function libraryPeer (bootstrap: string[]): Promise<Weft> {
  const w = await createWeft({
    listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, bootstrap, network: { inboundConnectionThreshold: 1000 }
  })
  peers.push(w)
  return w
}

async function stopPeer (w: Weft): Promise<void> {
  await w.stop()
  peers.splice(peers.indexOf(w), 1)
}

function clientFor (d: DaemonProcess, dataDir: string): AdminClient {
  return new AdminClient({ url: d.ready.admin, token: readTokenFile(dataDir) })
}

async function metricsOf (c: AdminClient): Promise<ReturnType<typeof parsePrometheusText>> {
  return parsePrometheusText(await c.metrics())
}

test('a pinned document outlives its author: a newcomer that knows only the daemon gets it all; ' +
  'CLI, metrics, auth, SIGTERM, restart, SIGKILL', {
  timeout: 240_000
}, async (t) => {
  const dataDir = await tmp()
  let daemon = await startDaemon(loopbackArgs(dataDir))
  t.diagnostic(`start-up to ready: ${daemon.ready.startupMs} ms (reported by the daemon)`)
  assert.match(daemon.ready.peerId, /^12D3Koo/)
  assert.ok(daemon.ready.bootstrap.endsWith(`/p2p/${daemon.ready.peerId}`))
  assert.match(daemon.output(), /bootstrap address for other peers/)
  const admin = clientFor(daemon, dataDir)

  // The admin API refuses requests without the token.
  const noToken = await fetch(`${daemon.ready.admin}/status`)
  assert.equal(noToken.status, 401)
  assert.equal(((await noToken.json()) as any).error, 'unauthorized')
  assert.equal((await fetch(`${daemon.ready.admin}/metrics`)).status, 401)

  const before = await metricsOf(admin)
  const libp2pOwn = [...before.keys()].some(n => n.startsWith('libp2p_'))
  assert.ok(before.get('libp2p_data_transfer_bytes_total') != null || libp2pOwn,
    "libp2p's own metrics are there")
  assert.ok(before.has('process_resident_memory_bytes'))

  // A library peer creates a document; the daemon pins it and replicates it.
  const alice = await libraryPeer([daemon.ready.bootstrap])
  const ha = await alice.create()
  const docId = ha.id
  ha.doc.getText('body').insert(0, 'written by alice')
  ha.doc.getMap('meta').set('title', 'Week-old notes')
  for (let i = 0; i < 20; i++) ha.doc.getText('body').insert(ha.doc.getText('body').length, ` ${i}`)
  await ha.flush()
  const expectedBody = ha.doc.getText('body').toString()

  const pinned = await admin.pin(docId)
  assert.equal(pinned.created, true)
  await eventually(async () => (await admin.doc(docId)).content?.body === expectedBody, 60_000,
    'the daemon to hold alice\'s document')
  const daemonDoc = await admin.doc(docId)
  assert.deepEqual(daemonDoc.content.meta, { title: 'Week-old notes' })
  assert.equal(daemonDoc.pinned, true)

  // Counters moved while envelopes flowed.
  const during = await metricsOf(admin)
  const moved = (name: string): number => sumOf(during, name) - sumOf(before, name)
  const flowed = moved('weft_envelopes_in_total') + moved('weft_sync_bytes_in_total') +
    moved('weft_gossip_bytes_in_total')
  assert.ok(flowed > 0,
    'envelope/sync counters moved')
  for (const [name, fam] of during) {
    if (!name.startsWith('weft_')) continue
    t.diagnostic(`${name} ${fam.samples.map(x => `${JSON.stringify(x.labels)}=${x.value}`).join(' ')}`)
  }
  assert.ok(sumOf(during, 'weft_documents_open') >= 1)
  assert.ok(sumOf(during, 'weft_daemon_pinned_documents') === 1)

  // Alice goes away; bob knows only the daemon's address.
  await stopPeer(alice)
  const bob = await libraryPeer([daemon.ready.bootstrap])
  const hb = await bob.open(docId)
  await eventually(() => hb.doc.getText('body').toString() === expectedBody, 60_000,
    'bob to catch up from the daemon alone')
  assert.deepEqual(hb.doc.getMap('meta').toJSON(), { title: 'Week-old notes' })

  // weft status / weft cat / weft docs against the running daemon.
  const status = await runCli(['status', '--data-dir', dataDir])
  assert.equal(status.code, 0, status.stderr)
  assert.match(status.stdout, new RegExp(daemon.ready.peerId))
  assert.match(status.stdout, new RegExp(`${docId}\\s+pinned`))
  const cat = await runCli(['cat', docId, '--data-dir', dataDir])
  assert.equal(cat.code, 0, cat.stderr)
  assert.ok(cat.stdout.includes(expectedBody), cat.stdout)
  assert.ok(cat.stdout.includes('Week-old notes'))
  const statusJson = JSON.parse((await runCli(['status', '--json', '--data-dir', dataDir])).stdout)
  const entry = statusJson.documents.find((d: any) => d.id === docId)
  assert.ok(Object.keys(entry.versionVector).length >= 1, 'version vector reported')
  const peersOut = await runCli(['peers', '--data-dir', dataDir])
  assert.equal(peersOut.code, 0, peersOut.stderr)
  assert.ok(peersOut.stdout.includes(bob.peerId), peersOut.stdout)

  // Unpinned, the document stays in the store: listed, and readable by `weft cat`; then pinned again.
  assert.equal((await runCli(['unpin', docId, '--data-dir', dataDir])).code, 0)
  const docsOut = await runCli(['docs', '--json', '--data-dir', dataDir])
  const listed = JSON.parse(docsOut.stdout).docs.find((d: any) => d.id === docId)
  assert.equal(listed.pinned, false)
  assert.equal(listed.stored, true)
  const catStored = await runCli(['cat', docId, '--data-dir', dataDir])
  assert.equal(catStored.code, 0, catStored.stderr)
  assert.ok(catStored.stdout.includes(expectedBody))
  const repin = await runCli(['pin', docId, '--data-dir', dataDir])
  assert.equal(repin.code, 0, repin.stderr)
  assert.match(repin.stdout, /^pinned /)
  const unpinned = await runCli(['unpin', 'z'.repeat(26), '--data-dir', dataDir])
  assert.equal(unpinned.code, 1, 'unpinning what is not pinned fails')

  const noTok = await runCli(['status', '--admin', daemon.ready.admin, '--data-dir', join(dataDir, 'nowhere')])
  assert.equal(noTok.code, 1)
  assert.match(noTok.stderr, /401/)

  // Bob edits; once the daemon shows the edit it is acknowledged (persisted before applied).
  hb.doc.getText('body').insert(0, '[bob] ')
  await hb.flush()
  const afterBob = hb.doc.getText('body').toString()
  await eventually(async () => (await admin.doc(docId)).content?.body === afterBob, 60_000,
    'the daemon to get bob\'s edit')

  // SIGTERM: exit 0 within a few seconds.
  const t0 = Date.now()
  daemon.proc.kill('SIGTERM')
  assert.equal(await daemon.exited(10_000), 0, daemon.output())
  t.diagnostic(`SIGTERM to exit: ${Date.now() - t0} ms`)
  await stopPeer(bob)

  // Restart: pins and documents are kept.
  daemon = await startDaemon(loopbackArgs(dataDir))
  let c = clientFor(daemon, dataDir)
  assert.deepEqual((await c.pins()).pins, [docId])
  assert.equal((await c.doc(docId)).content.body, afterBob)
  assert.ok((await c.status()).documents.some((d: any) => d.id === docId && d.pinned === true && d.open === true))

  // A pin acknowledged just before a SIGKILL survives it, as do the documents.
  const second = 'bbbbbbbbbbbbbbbbbbbbbbbbbb'
  assert.equal((await c.pin(second)).created, true)
  daemon.proc.kill('SIGKILL')
  assert.equal(await daemon.exited(10_000), 'SIGKILL')
  daemon = await startDaemon(loopbackArgs(dataDir))
  c = clientFor(daemon, dataDir)
  assert.deepEqual((await c.pins()).pins.sort(), [docId, second].sort())
  assert.equal((await c.doc(docId)).content.body, afterBob)

  // A newcomer after the restart still gets everything from the daemon alone.
  const carol = await libraryPeer([daemon.ready.bootstrap])
  const hc = await carol.open(docId)
  await eventually(() => hc.doc.getText('body').toString() === afterBob, 60_000, 'carol to catch up after the restart')

  daemon.proc.kill('SIGINT')
  assert.equal(await daemon.exited(10_000), 0)
  if (process.env.WEFT_TEST_VERBOSE != null) console.log(daemon.output())
  assert.doesNotMatch(daemon.output(), / ERROR /, 'no errors logged')
})

test('pins given with WEFT_PIN are kept across restarts; --log-format json prints only JSON lines; ' +
  'a double SIGTERM exits', {
  timeout: 120_000
}, async () => {
  const dataDir = await tmp()
  const id = 'cccccccccccccccccccccccccc'
  const d = await startDaemon([...loopbackArgs(dataDir), '--log-format', 'json'], { env: { WEFT_PIN: id } })
  // JSON lines: every line the daemon printed parses.
  for (const line of d.output().split('\n').filter(l => l.trim() !== '')) {
    assert.doesNotThrow(() => JSON.parse(line), line)
  }
  assert.equal(d.ready.pins, 1)
  d.proc.kill('SIGTERM')
  d.proc.kill('SIGTERM')
  const code = await d.exited(10_000)
  assert.ok(code === 0 || code === 143, `exit ${code}`)
  const again = await startDaemon(loopbackArgs(dataDir))
  assert.deepEqual((await clientFor(again, dataDir).pins()).pins, [id])
  // A second daemon on the same data dir refuses to start, and leaves the first one's pins alone.
  await assert.rejects(startDaemon([...loopbackArgs(dataDir), '--pin', 'dddddddddddddddddddddddddd']),
    /exited \(1\) before ready[\s\S]*in use by another process/)
  assert.deepEqual((await clientFor(again, dataDir).pins()).pins, [id])
  again.proc.kill('SIGTERM')
  assert.equal(await again.exited(10_000), 0)
})
