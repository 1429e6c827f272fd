import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import type { PeerId } from '@libp2p/interface'
import { Peers, waitFor, text } from './support/peers.js'
import { METRIC } from '../src/index.js'

const counter = (
  peer: { metrics: { counters: () => Record<string, Record<string, number>> } },
  name: string,
  label = ''
): number =>
  peer.metrics.counters()[name]?.[label] ?? 0

test('a peer stopped while 1,000 edits happened catches up when it comes back, as one merged update', {
  timeout: 120_000
}, async () => {
  const peers = new Peers()
  try {
    const a = await peers.start()
    const bDir = await peers.tempDir()
    let b = await peers.start({ dataDir: bDir, bootstrap: [a.multiaddrs[0]] })
    const ha = await a.create()
    ha.doc.getText('text').insert(0, 'start|')
    let hb = await b.open(ha.id)
    await waitFor('b has the first edit', () => text(hb) === 'start|')
    await peers.stop(b)

    const atext = ha.doc.getText('text')
    for (let i = 0; i < 1000; i++) {
      atext.insert(atext.length, String(i % 10))
      await ha.flush() // one envelope per keystroke: the worst case for catch-up
    }
    assert.equal(counter(a, METRIC.envelopesOut), 1001)
    // gossipsub advertises recent messages (IHAVE) to peers joining the mesh for a few
    // heartbeats: let that window pass, so this measures the sync protocol alone.
    await new Promise(resolve => setTimeout(resolve, 3_000))

    b = await peers.start({ dataDir: bDir, bootstrap: [a.multiaddrs[0]] })
    hb = await b.open(ha.id)
    const idealBytes = Y.encodeStateAsUpdate(ha.doc, Y.encodeStateVector(hb.doc)).byteLength
    await hb.whenSynced({ signal: AbortSignal.timeout(30_000) })
    await waitFor('b caught up', () => text(hb) === text(ha))
    assert.equal(text(hb).length, 1006)
    assert.deepEqual(hb.versionVector, ha.versionVector)
    const bytesIn = counter(b, METRIC.syncBytesIn)
    // 1,000 signed envelopes would be ~150 KB; a merged update is about the Yjs diff.
    assert.ok(bytesIn < idealBytes * 1.3 + 2048, `catch-up took ${bytesIn} bytes, ideal ${idealBytes}`)
    assert.equal(counter(b, METRIC.envelopesIn), 0, 'no envelope-by-envelope replay')
  } finally {
    await peers.cleanup()
  }
})

test('a small gap travels as the authors\' own envelopes', { timeout: 60_000 }, async () => {
  const peers = new Peers()
  try {
    const a = await peers.start()
    let b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
    const bDir = await peers.tempDir()
    await peers.stop(b)
    b = await peers.start({ dataDir: bDir, bootstrap: [a.multiaddrs[0]] })
    const ha = await a.create()
    let hb = await b.open(ha.id)
    ha.doc.getText('text').insert(0, 'x')
    await waitFor('b has x', () => text(hb) === 'x')
    await peers.stop(b)
    for (let i = 0; i < 10; i++) { ha.doc.getText('text').insert(0, 'y'); await ha.flush() }
    b = await peers.start({ dataDir: bDir, bootstrap: [a.multiaddrs[0]] })
    hb = await b.open(ha.id)
    await waitFor('b caught up', () => text(hb) === text(ha))
    assert.equal(counter(b, METRIC.envelopesIn), 10, 'ten signed envelopes, each verified')
  } finally {
    await peers.cleanup()
  }
})

test('two peers that both edited while partitioned converge both ways when the partition heals', {
  timeout: 90_000
}, async () => {
  const peers = new Peers()
  const blocked = new Set<string>()
  // A real partition: the connection gaters refuse every dial and inbound connection between the two.
  const gater = {
    denyDialPeer: async (peer: PeerId) => blocked.has(peer.toString()),
    denyInboundEncryptedConnection: async (peer: PeerId) => blocked.has(peer.toString())
  }
  try {
    const a = await peers.start({ network: { connectionGater: gater } })
    const b = await peers.start({ bootstrap: [a.multiaddrs[0]], network: { connectionGater: gater } })
    const ha = await a.create()
    ha.doc.getText('text').insert(0, 'shared ')
    const hb = await b.open(ha.id)
    await waitFor('b has the shared start', () => text(hb) === 'shared ')

    blocked.add(a.peerId); blocked.add(b.peerId)
    await a.libp2p.hangUp(b.libp2p.peerId)
    await waitFor('partitioned', () => a.connectedPeers().length === 0 && b.connectedPeers().length === 0)
    await waitFor('a offline', () => ha.status === 'offline')

    for (let i = 0; i < 300; i++) {
      ha.doc.getText('text').insert(ha.doc.getText('text').length, 'a')
      hb.doc.getText('text').insert(0, 'b')
      if (i % 30 === 0) { ha.doc.getMap('m').set(`a${i}`, i); hb.doc.getMap('m').set(`b${i}`, i) }
    }
    hb.doc.getMap('m').set('winner', 'b'); ha.doc.getMap('m').set('winner', 'a')
    await ha.flush(); await hb.flush()
    assert.notEqual(text(ha), text(hb))

    blocked.clear()
    await b.libp2p.dial(a.libp2p.peerId)
    await waitFor('both converge', () => text(ha) === text(hb) && text(ha).length === 7 + 600, 30_000)
    assert.deepEqual(ha.doc.getMap('m').toJSON(), hb.doc.getMap('m').toJSON())
    assert.equal(Object.keys(ha.doc.getMap('m').toJSON()).length, 21)
    assert.deepEqual(ha.versionVector, hb.versionVector)
    await ha.whenSynced({ signal: AbortSignal.timeout(10_000) })
  } finally {
    await peers.cleanup()
  }
})

test('a few large batched envelopes still travel as the merged diff when that is much smaller', {
  timeout: 60_000
}, async () => {
  const peers = new Peers()
  try {
    const a = await peers.start()
    const bDir = await peers.tempDir()
    let b = await peers.start({ dataDir: bDir, bootstrap: [a.multiaddrs[0]] })
    const ha = await a.create()
    let hb = await b.open(ha.id)
    ha.doc.getText('text').insert(0, '>')
    await waitFor('b has the start', () => text(hb) === '>')
    await peers.stop(b)
    // 40 envelopes of 100 keystrokes each: few enough to be sent as envelopes, but each
    // keeps its 100 separate insertions, which the merged diff folds into one run.
    const t = ha.doc.getText('text')
    for (let i = 0; i < 40; i++) {
      for (let k = 0; k < 100; k++) t.insert(t.length, 'z')
      await ha.flush()
    }
    b = await peers.start({ dataDir: bDir, bootstrap: [a.multiaddrs[0]] })
    hb = await b.open(ha.id)
    const ideal = Y.encodeStateAsUpdate(ha.doc, Y.encodeStateVector(hb.doc)).byteLength
    await waitFor('b caught up', () => text(hb) === text(ha))
    const bytesIn = counter(b, METRIC.syncBytesIn)
    assert.ok(bytesIn <= ideal * 1.3 + 2048, `catch-up took ${bytesIn} bytes, ideal ${ideal}`)
  } finally {
    await peers.cleanup()
  }
})
