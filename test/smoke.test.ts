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
