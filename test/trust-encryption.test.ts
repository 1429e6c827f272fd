import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Peers, text, waitFor } from './support/peers.js'
import { scan } from './support/scan.js'
import { METRIC, type Weft } from '../src/index.js'
import type { DocHandle } from '../src/types.js'

const dropped = (w: Weft, reason: string): number => w.metrics.counters()[METRIC.dropped]?.[reason] ?? 0

describe('private documents are end-to-end encrypted', () => {
  test('stores hold ciphertext only, a peer without the key learns nothing, ' +
    'a removed member cannot read new edits, a newcomer reads history', { timeout: 180_000 }, async () => {
    const peers = new Peers()
    try {
      const ownerDir = await peers.tempDir()
      const readerDir = await peers.tempDir()
      const outsiderDir = await peers.tempDir()
      const openDir = await peers.tempDir()
      const owner = await peers.start({ dataDir: ownerDir })
      const ho = await owner.create({ access: 'private' })
      ho.doc.getText('text').insert(0, 'MARKER-before-rotation;')
      await ho.flush()
      const reader = await peers.start({ dataDir: readerDir })
      const hr = await reader.join(ho.invite({ role: 'reader' }), { signal: AbortSignal.timeout(30_000) })
      await waitFor('the reader reads the owner\'s text', () => text(hr).includes('MARKER-before-rotation;'), 30_000)

      // An outsider that knows the id and is connected receives the ciphertext but cannot read it.
      const outsider = await peers.start({ dataDir: outsiderDir, bootstrap: [owner.multiaddrs[0]] })
      const hx = await outsider.open(ho.id)
      await waitFor('the outsider is on the topic', () => hx.peers.length > 0, 30_000)
      // Sync answers carry no content to non-members: the ciphertext reaches the outsider by gossip.
      await waitFor('the owner sees the outsider on the topic', () => ho.peers.includes(outsider.peerId), 30_000)
      // The control ops are public (they travel to anyone who asks): with them, the outsider judges envelopes.
      await waitFor('the outsider has the control ops', () => hx.members().length > 0, 30_000)
      ho.doc.getText('text').insert(0, 'MARKER-live;')
      await waitFor('the reader reads the live edit', () => text(hr).includes('MARKER-live;'))
      await waitFor('the outsider received it and could not read it', () => dropped(outsider, 'no-key') > 0)
      assert.equal(text(hx), '', 'the outsider holds no content')

      // Removal rotates the key: the removed reader gets none of what follows.
      const readerKey = Object.keys(
        ho.members().reduce<Record<string, string>>((o, m) => ({ ...o, [m.key]: m.role }), {}))
        .find(k => ho.members().find(m => m.key === k)?.role === 'reader')
      assert.ok(readerKey !== undefined)
      const noKeyBefore = dropped(reader, 'no-key')
      ho.revoke(readerKey)
      await waitFor('the reader sees its removal', () => hr.access === 'none')
      ho.doc.getText('text').insert(0, 'MARKER-after-removal;')
      await ho.flush()
      await waitFor('the removed reader received the new edit and could not read it',
        () => dropped(reader, 'no-key') > noKeyBefore)
      assert.ok(!text(hr).includes('MARKER-after-removal;'))

      // A newcomer invited after the rotation reads the whole history, older epochs included.
      const late = await peers.start()
      const hl = await late.join(ho.invite({ role: 'reader' }), { signal: AbortSignal.timeout(30_000) })
      await waitFor('the newcomer reads everything', () => text(hl) === text(ho), 30_000)
      assert.ok(text(hl).includes('MARKER-before-rotation;') && text(hl).includes('MARKER-after-removal;'))

      // Control: an open document's store does hold its text, so the scan can find a marker.
      const openPeer = await peers.start({ dataDir: openDir })
      const hOpen = await openPeer.create()
      hOpen.doc.getText('text').insert(0, 'MARKER-open;')
      await hOpen.flush()
      for (const w of [owner, reader, outsider, openPeer]) await peers.stop(w)
      assert.ok((await scan(openDir, 'MARKER')).length > 0, 'the control scan finds the open document\'s marker')
      for (const [name, dir] of [['owner', ownerDir], ['reader', readerDir], ['outsider', outsiderDir]]) {
        assert.deepEqual(await scan(dir, 'MARKER'), [], `the ${name}'s store holds no plaintext`)
      }
      void hl
    } finally {
      await peers.cleanup()
    }
  })

  test('a private document survives a restart: ' +
    'its stored ciphertext decrypts with the member\'s own key box', { timeout: 60_000 }, async () => {
    const peers = new Peers()
    try {
      const dir = await peers.tempDir()
      let w = await peers.start({ dataDir: dir })
      let h: DocHandle = await w.create({ access: 'private' })
      const id = h.id
      h.doc.getText('text').insert(0, 'kept across restarts')
      await h.flush()
      await peers.stop(w)
      w = await peers.start({ dataDir: dir })
      h = await w.open(id)
      assert.equal(text(h), 'kept across restarts')
      assert.equal(h.access, 'admin')
    } finally {
      await peers.cleanup()
    }
  })
})
