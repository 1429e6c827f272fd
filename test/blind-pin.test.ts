/**
 * Blind replicas: a real `weft daemon` process pins a private document with a pin link. It stores
 * and serves the ciphertext, checks signatures and access on the plaintext headers, and never
 * holds a key: a newcomer catches up from it alone while the writer is offline, and its data dir
 * holds none of the text (with a control scan of an open document that does find its text).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { randomBytes } from 'node:crypto'
import { AdminClient } from '../src/daemon/admin-client.js'
import { readTokenFile } from '../src/daemon/files.js'
import { loopbackArgs, runCli, startDaemon, tempDirs, eventually } from './daemon/harness.js'
import { Peers, text, waitFor } from './support/peers.js'
import { scan } from './support/scan.js'
import { METRIC, type Weft } from '../src/index.js'

const tempDir = tempDirs('weft-blind-')
const dropped = (w: Weft, reason: string): number => w.metrics.counters()[METRIC.dropped]?.[reason] ?? 0

test('a blind daemon pins a private document, serves a newcomer alone, and its data dir holds no plaintext',
  { timeout: 240_000 }, async () => {
    const secretBefore = `BLIND-MARKER-${randomBytes(8).toString('hex')}`
    const secretLive = `BLIND-MARKER-${randomBytes(8).toString('hex')}`
    const openMarker = `OPEN-MARKER-${randomBytes(8).toString('hex')}`
    const daemonDir = await tempDir()
    const daemon = await startDaemon(loopbackArgs(daemonDir))
    const admin = ['--admin', daemon.ready.admin, '--data-dir', daemonDir]
    const client = new AdminClient({ url: daemon.ready.admin, token: readTokenFile(daemonDir) })
    const peers = new Peers()
    const vectorOnDaemon = async (id: string): Promise<Record<string, number>> =>
      (await client.docs()).docs.find((d: any) => d.id === id)?.versionVector ?? {}
    try {
      const owner = await peers.start({ bootstrap: [daemon.ready.bootstrap] })
      const ho = await owner.create({ access: 'private' })
      ho.doc.getText('text').insert(0, `${secretBefore};`)
      await ho.flush()
      // Made while the owner is online: the newcomer redeems it later, with the owner gone.
      const newcomerLink = ho.invite({ role: 'reader' })

      // The daemon pins with a pin link: it becomes a pinner, a blind replica.
      const pinned = await runCli(['pin', ho.invite({ role: 'pinner' }), ...admin], { timeoutMs: 60_000 })
      assert.equal(pinned.code, 0, pinned.stderr)
      assert.match(pinned.stdout, new RegExp(`pinned ${ho.id} \\(pinner\\)`))
      await waitFor('the owner sees the daemon as a pinner', () => ho.members().some(m => m.role === 'pinner'), 30_000)

      // A live edit reaches the daemon by gossip, as ciphertext.
      ho.doc.getText('text').insert(0, `${secretLive};`)
      await ho.flush()
      const want = ho.versionVector
      await eventually(async () => {
        const vv = await vectorOnDaemon(ho.id)
        return Object.entries(want).every(([a, s]) => (vv[a] ?? 0) >= s)
      }, 30_000, 'the daemon holds every envelope of the owner')

      // The daemon knows its role, and says plainly that it cannot show the content.
      const members = await runCli(['members', ho.id, ...admin])
      assert.equal(members.code, 0, members.stderr)
      assert.match(members.stdout, /this daemon: pinner/)
      assert.match(members.stdout, /admin/)
      const cat = await runCli(['cat', ho.id, ...admin])
      assert.equal(cat.code, 1)
      assert.match(cat.stdout + cat.stderr, /pinned blind on this daemon.*holds no key/)
      assert.ok(!(cat.stdout + cat.stderr).includes('BLIND-MARKER'), 'cat prints no content')
      const viaApi = await client.doc(ho.id)
      assert.equal(viaApi.blind, true)
      assert.equal(viaApi.access, 'pinner')
      assert.deepEqual(viaApi.content, {})

      // The control: an open document pinned on the same daemon, whose text the scan must find.
      const hopen = await owner.create()
      hopen.doc.getText('text').insert(0, openMarker)
      await hopen.flush()
      const pinOpen = await runCli(['pin', hopen.id, ...admin])
      assert.equal(pinOpen.code, 0, pinOpen.stderr)
      await eventually(async () => (await vectorOnDaemon(hopen.id))[Object.keys(hopen.versionVector)[0]] === 1,
        30_000, 'the daemon holds the open document')

      // The writer goes offline: a newcomer that knows only the daemon catches up from it.
      await peers.stop(owner)
      const newcomer = await peers.start({ bootstrap: [daemon.ready.bootstrap] })
      const hn = await newcomer.join(newcomerLink, { signal: AbortSignal.timeout(60_000) })
      await waitFor('the newcomer reads both edits, from the daemon alone',
        () => text(hn).includes(secretBefore) && text(hn).includes(secretLive), 60_000)
      assert.deepEqual(newcomer.connectedPeers().map(p => p.id), [daemon.ready.peerId], 'the daemon is its only peer')
      assert.equal(hn.access, 'reader')
      assert.equal(dropped(newcomer, 'bad-update'), 0, 'everything the daemon served decrypted')
    } finally {
      await peers.cleanup()
    }
    daemon.proc.kill('SIGTERM')
    assert.equal(await daemon.exited(30_000), 0)
    assert.deepEqual(await scan(daemonDir, secretBefore), [], 'no plaintext of the first edit in the data dir')
    assert.deepEqual(await scan(daemonDir, secretLive), [], 'no plaintext of the live edit in the daemon\'s data dir')
    assert.ok((await scan(daemonDir, openMarker)).length > 0, 'the control scan finds the open document\'s text')
  })
