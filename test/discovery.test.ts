import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Peers, waitFor, text } from './support/peers.js'
import { METRIC } from '../src/index.js'
import { documentKey } from '../src/discovery/rendezvous.js'

test('two peers that know only a third peer find each other through the DHT and sync', {
  timeout: 90_000
}, async () => {
  const peers = new Peers()
  try {
    // The rendezvous peer never opens the document: it only answers DHT queries.
    const rendezvous = await peers.start()
    const a = await peers.start({ bootstrap: [rendezvous.multiaddrs[0]] })
    const b = await peers.start({ bootstrap: [rendezvous.multiaddrs[0]] })
    await waitFor('a and b connected to the rendezvous peer', () =>
      a.connectedPeers().some(p => p.id === rendezvous.peerId) &&
      b.connectedPeers().some(p => p.id === rendezvous.peerId))
    assert.equal(a.connectedPeers().some(p => p.id === b.peerId), false, 'a and b start unaware of each other')

    const ha = await a.create()
    ha.doc.getText('text').insert(0, 'found through the DHT')
    ha.doc.getMap('meta').set('title', 'rendezvous')
    const hb = await b.open(ha.id)

    await hb.whenSynced({ signal: AbortSignal.timeout(45_000) })
    await waitFor('b has the text', () => text(hb) === 'found through the DHT', 20_000)
    assert.equal(hb.doc.getMap('meta').get('title'), 'rendezvous')
    assert.ok(b.connectedPeers().some(p => p.id === a.peerId), 'b dialled a directly')
    assert.equal(rendezvous.openDocuments().length, 0, 'the rendezvous peer holds no document')
    // The provider records are really in the DHT: a fourth peer, which also knows only the
    // rendezvous peer and opens nothing, looks the document up and finds both holders.
    const observer = await peers.start({ bootstrap: [rendezvous.multiaddrs[0]] })
    await waitFor('observer connected', () => observer.connectedPeers().some(p => p.id === rendezvous.peerId))
    const providers = new Set<string>()
    await waitFor('both holders provide the document', async () => {
      try {
        const key = await documentKey(ha.id)
        const found = observer.libp2p.contentRouting.findProviders(key, { signal: AbortSignal.timeout(2_000) })
        for await (const p of found) {
          providers.add(p.id.toString())
        }
      } catch {}
      return providers.has(a.peerId) && providers.has(b.peerId)
    }, 30_000)
    // kad-dht sends the records as its walk goes; the provide counts once the walk has ended.
    await waitFor('a counted its provide', () => (a.metrics.counters()[METRIC.dhtProvides]?.ok ?? 0) > 0, 30_000)
    assert.deepEqual(hb.peers, [a.peerId])

    // And back the other way, live over gossipsub.
    hb.doc.getText('text').insert(0, '>> ')
    await waitFor('a sees b\'s edit', () => text(ha) === '>> found through the DHT')
  } finally {
    await peers.cleanup()
  }
})

test('a lookup ends once it has found enough holders: it does not walk on, dialling every peer it asks', {
  timeout: 120_000
}, async () => {
  const peers = new Peers()
  try {
    const rendezvous = await peers.start()
    const bootstrap = [rendezvous.multiaddrs[0]]
    const first = await peers.start({ bootstrap })
    const h0 = await first.create()
    h0.doc.getText('text').insert(0, 'held by eleven')
    const holders = [first]
    // Holders with three connected holders put their provide off by ten lookup intervals (to
    // twenty): at 1.5 s, all eleven records are out within the minute this test waits.
    for (let i = 0; i < 10; i++) {
      const p = await peers.start({ bootstrap, discoveryIntervalMs: 1_500 })
      await p.open(h0.id)
      holders.push(p)
    }
    await waitFor('every holder has provided the document', () =>
      holders.every(h => (h.metrics.counters()[METRIC.dhtProvides]?.ok ?? 0) > 0), 60_000)
    const newcomer = await peers.start({ bootstrap })
    await waitFor('newcomer connected', () => newcomer.connectedPeers().some(p => p.id === rendezvous.peerId))
    const h = await newcomer.open(h0.id)
    await h.whenSynced({ signal: AbortSignal.timeout(30_000) })
    await waitFor('the newcomer has the text', () => text(h) === 'held by eleven', 20_000)
    // The newcomer is a DHT server too: a holder's own walk may reach it first, so wait for its
    // lookup to report, then give a walk that did not stop the time to go on.
    const found = (): number => newcomer.metrics.counters()[METRIC.dhtProvidersFound]?.[''] ?? 0
    await waitFor('the lookup took providers', () => found() >= 1, 15_000)
    await new Promise(resolve => setTimeout(resolve, 2_000))
    assert.equal(newcomer.metrics.counters()[METRIC.dhtQueries]?.[''], 1)
    // The rendezvous peer alone knows all eleven providers; the walk stops at the eighth.
    assert.ok(found() <= 8, `providers taken from one lookup: ${found()}`)
  } finally {
    await peers.cleanup()
  }
})

type Weft = Awaited<ReturnType<Peers['start']>>

/** Provider records this peer published (kad-dht walks that ended). */
const provided = (w: Weft): number => w.metrics.counters()[METRIC.dhtProvides]?.ok ?? 0

/**
 * A rendezvous peer that holds nothing, a creator, and two joiners that opened and synced its
 * document: three holders. The joiners each saw fewer than three holders, so none put off its provide.
 */
async function threeHolders (
  peers: Peers, content: string
): Promise<{ bootstrap: string[], docId: string, holders: Weft[] }> {
  const rendezvous = await peers.start()
  const bootstrap = [rendezvous.multiaddrs[0]]
  const creator = await peers.start({ bootstrap })
  const h0 = await creator.create()
  h0.doc.getText('text').insert(0, content)
  const holders = [creator]
  for (let i = 0; i < 2; i++) {
    const p = await peers.start({ bootstrap })
    await (await p.open(h0.id)).whenSynced({ signal: AbortSignal.timeout(30_000) })
    holders.push(p)
  }
  return { bootstrap, docId: h0.id, holders }
}

/** A new peer linked to every holder before it touches the document. */
async function linkedTo (peers: Peers, holders: Weft[], options: Parameters<Peers['start']>[0]): Promise<Weft> {
  const p = await peers.start(options)
  for (const h of holders) await p.dial(h.multiaddrs)
  return p
}

test('a holder among three connected holders puts its provide off; one with fewer provides within seconds', {
  timeout: 120_000
}, async () => {
  const peers = new Peers()
  try {
    const { bootstrap, docId, holders } = await threeHolders(peers, 'swarm')
    // The early joiners provide 2-10 s after opening; the creator at once.
    await waitFor('the creator and the early joiners provided', () => holders.every(p => provided(p) > 0), 30_000)
    // A late joiner linked to all three holders before it opens: its provide is put off by
    // 10-20 lookup intervals (3 s here: 30-60 s).
    const late = await linkedTo(peers, holders, { bootstrap, discoveryIntervalMs: 3_000 })
    const opened = Date.now()
    const h = await late.open(docId)
    await h.whenSynced({ signal: AbortSignal.timeout(30_000) })
    await waitFor('three holders connected', () => h.peers.length >= 3, 15_000)
    await new Promise(resolve => setTimeout(resolve, Math.max(0, opened + 12_000 - Date.now())))
    assert.equal(provided(late), 0, 'a well-connected holder has not provided 12 s after opening')
    // ... but it does provide in the end: the records do not rest on the first holders alone.
    await waitFor('the late joiner provided', () => provided(late) > 0, 60_000)
    const waited = Date.now() - opened
    assert.ok(waited >= 30_000, `provided ${waited} ms after opening, not before the 30 s deferral`)
  } finally {
    await peers.cleanup()
  }
})

test('a served (pinned) document provides at once, even among three connected holders; pinning an open one does too', {
  timeout: 120_000
}, async () => {
  const peers = new Peers()
  try {
    const { bootstrap, docId, holders } = await threeHolders(peers, 'pinned')
    // A lookup interval of 10 min: an opened document's provide would be put off by 100-200 min.
    const slow = { bootstrap, discoveryIntervalMs: 600_000 }
    // Opened among three holders: put off; pinned afterwards: out within seconds.
    const opener = await linkedTo(peers, holders, slow)
    const h = await opener.open(docId)
    await h.whenSynced({ signal: AbortSignal.timeout(30_000) })
    await waitFor('three holders connected', () => h.peers.length >= 3, 15_000)
    await new Promise(resolve => setTimeout(resolve, 11_000))
    assert.equal(provided(opener), 0, 'an opened document among three holders has not provided')
    await opener.serve(docId)
    await waitFor('pinning the open document provided it', () => provided(opener) > 0, 20_000)
    // Pinned without opening it (a daemon's pin): provided at once, holders or not.
    const pinner = await linkedTo(peers, holders, slow)
    await pinner.serve(docId)
    await waitFor('the pinned document provided', () => provided(pinner) > 0, 20_000)
  } finally {
    await peers.cleanup()
  }
})
