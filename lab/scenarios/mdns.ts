import { Cluster } from '../cluster.js'
import { newDocId } from '../../src/index.js'
import { poll } from '../wait.js'

/**
 * Two peers on one lab LAN, no bootstrap list: they must find each other by
 * mDNS (multicast on the lab bridge only) and sync a document both ways.
 */
export async function mdnsScenario (): Promise<boolean> {
  const lanOnly = { mdns: true, bootstrap: false }
  const cluster = await Cluster.start({ name: `mdns${process.pid}`, peers: [lanOnly, lanOnly] })
  try {
    const [a, b] = cluster.peers
    const doc = newDocId()
    await a.open(doc)
    await b.open(doc)
    const started = Date.now()
    await a.edit(doc, 'text', '[from a]', false)
    await b.edit(doc, 'map', 'from-b', false)
    const ok = await poll(async () => {
      const [sa, sb] = [await a.state(doc), await b.state(doc)]
      return [sa, sb].every(s => s.text === '[from a]' && s.map['from-b'] === 'from-b')
    }, 30_000)
    const stats = await a.stats()
    const outcome = ok ? 'found each other and synced both ways' : 'FAILED to sync'
    console.log(`mdns: ${outcome} in ${Date.now() - started} ms ` +
      `(a has ${stats.connections} connection(s), no bootstrap list)`)
    return ok && cluster.crashes().length === 0
  } finally {
    await cluster.destroy()
  }
}
