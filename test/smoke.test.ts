import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Peers, waitFor, text } from './support/peers.js'

test('two peers converge on an edited document', { timeout: 60_000 }, async () => {
  const peers = new Peers()
  try {
    const a = await peers.start()
    const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
    const ha = await a.create()
    ha.doc.getText('text').insert(0, 'hello')
    const hb = await b.open(ha.id)
    await hb.whenSynced({ signal: AbortSignal.timeout(20_000) })
    await waitFor('b sees hello', () => text(hb) === 'hello')
    hb.doc.getText('text').insert(5, ' world')
    await waitFor('a sees hello world', () => text(ha) === 'hello world')
    assert.equal(text(ha), text(hb))
  } finally {
    await peers.cleanup()
  }
})

test('status moves offline -> connecting -> synced, and whenSynced rejects when the handle closes', {
  timeout: 60_000
}, async () => {
  const peers = new Peers()
  try {
    const a = await peers.start()
    const ha = await a.create()
    const seen: string[] = [ha.status]
    ha.on('status', s => seen.push(s))
    assert.equal(ha.status, 'offline', 'no connection at all')

    const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
    await waitFor('connecting: online, but nobody holds the document', () => ha.status === 'connecting')
    const hb = await b.open(ha.id)
    await ha.whenSynced({ signal: AbortSignal.timeout(20_000) })
    await hb.whenSynced({ signal: AbortSignal.timeout(20_000) })
    assert.deepEqual(seen.filter((s, i) => s !== seen[i - 1]).slice(0, 2), ['offline', 'connecting'])
    assert.equal(seen.at(-1), 'synced')
    assert.deepEqual(ha.peers, [b.peerId])

    const lonely = await a.create()
    const waiting = lonely.whenSynced()
    await lonely.close()
    await assert.rejects(waiting, /closed/)
    await assert.rejects(a.open('not-a-doc-id'), TypeError)
  } finally {
    await peers.cleanup()
  }
})
