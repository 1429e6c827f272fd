/**
 * Blind replicas in the library (real peers on 127.0.0.1, real LevelDB): a pinner keeps a
 * writer's checkpoint whole and serves it on, and sync answers carry content only to members.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Peers, text, waitFor } from './support/peers.js'
import { METRIC, type Weft } from '../src/index.js'

const dropped = (w: Weft, reason: string): number => w.metrics.counters()[METRIC.dropped]?.[reason] ?? 0
const counter = (w: Weft, name: string): number =>
  Object.values(w.metrics.counters()[name] ?? {}).reduce((a, b) => a + b, 0)

describe('blind replicas', () => {
  test('a pinner takes a long history as the writer\'s checkpoint, serves it to a newcomer while the writer is ' +
    'offline, and answers a non-member with no content', { timeout: 180_000 }, async () => {
    const peers = new Peers()
    try {
      const owner = await peers.start()
      const ho = await owner.create({ access: 'private' })
      // More envelopes than one sync reply carries: the owner answers the pinner with a checkpoint.
      for (let i = 0; i < 100; i++) {
        ho.doc.getText('text').insert(0, `line ${i};`)
        await ho.flush()
      }
      const newcomerLink = ho.invite({ role: 'writer' })
      const pinnerDir = await peers.tempDir()
      let pinner = await peers.start({ bootstrap: [owner.multiaddrs[0]], dataDir: pinnerDir })
      const hp = await pinner.join(ho.invite({ role: 'pinner' }), { signal: AbortSignal.timeout(30_000) })
      await pinner.serve(ho.id)
      assert.equal(hp.access, 'pinner')
      const ownerKey = Object.keys(ho.versionVector)[0]
      await waitFor('the pinner holds the owner\'s history', () => hp.versionVector[ownerKey] === 100, 30_000)
      assert.equal(text(hp), '', 'a pinner\'s document stays empty: it holds no key')
      ho.doc.getText('text').insert(0, 'after the pin;')
      await ho.flush()
      await waitFor('the pinner holds the live edit', () => hp.versionVector[ownerKey] === 101, 30_000)
      await hp.close()
      const full = text(ho)
      await peers.stop(owner)

      // The pinner restarts from its store alone: its vector comes back from the kept checkpoint and envelopes.
      await peers.stop(pinner)
      pinner = await peers.start({ dataDir: pinnerDir })
      await pinner.serve(ho.id)
      assert.deepEqual(pinner.docSnapshot(ho.id)?.versionVector, { [ownerKey]: 101 })

      // An outsider that knows the id: the pinner answers its pulls with control ops only.
      const outsider = await peers.start({ bootstrap: [pinner.multiaddrs[0]] })
      const refusedBefore = dropped(pinner, 'not-a-member')
      const hx = await outsider.open(ho.id)
      await waitFor('the pinner refused the outsider content', () => dropped(pinner, 'not-a-member') > refusedBefore,
        30_000)
      await waitFor('the outsider completed a pull', () => counter(outsider, METRIC.syncPulls) > 0, 30_000)
      assert.equal(dropped(outsider, 'no-key'), 0, 'no envelope reached the outsider to be refused')
      assert.deepEqual(hx.versionVector, {})
      await peers.stop(outsider)

      // A newcomer that knows only the pinner reads everything: the checkpoint, then the live envelope.
      const newcomer = await peers.start({ bootstrap: [pinner.multiaddrs[0]] })
      const hn = await newcomer.join(newcomerLink, { signal: AbortSignal.timeout(30_000) })
      await waitFor('the newcomer reads the whole document from the pinner', () => text(hn) === full, 60_000)
      assert.equal(hn.versionVector[ownerKey], 101)
      assert.equal(dropped(newcomer, 'checkpoint-omission') + dropped(newcomer, 'bad-update'), 0)
    } finally {
      await peers.cleanup()
    }
  })
})
