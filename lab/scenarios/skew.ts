import { Cluster } from '../cluster.js'
import { newDocId } from '../../src/index.js'
import { poll } from '../wait.js'
import type { PeerProcess } from '../peer/peer-process.js'

const TWO_HOURS = 2 * 60 * 60

/**
 * Three peers under libfaketime: one on time, one 2 h behind, one 2 h ahead.
 * Each writes; all must converge both ways, and each skewed peer must be told
 * on its own side (an onClockSkew event from its engine).
 */
export async function skewScenario (): Promise<boolean> {
  const cluster = await Cluster.start({
    name: `skew${process.pid}`,
    peers: [{}, { skewSeconds: -TWO_HOURS }, { skewSeconds: TWO_HOURS }]
  })
  try {
    const [onTime, slow, fast] = cluster.peers
    const names = new Map<PeerProcess, string>([[onTime, 'on-time'], [slow, '2 h behind'], [fast, '2 h ahead']])
    const doc = newDocId()
    for (const p of cluster.peers) await p.open(doc)
    for (const p of cluster.peers) await p.edit(doc, 'text', `[${names.get(p)}]`, false)
    const expected = [...names.values()].map(n => `[${n}]`)
    const converged = await poll(async () => {
      const states = await Promise.all(cluster.peers.map(async p => await p.state(doc)))
      const same = states.every(s => s.text === states[0].text && JSON.stringify(s.sv) === JSON.stringify(states[0].sv))
      return same && expected.every(e => states[0].text.includes(e))
    }, 30_000)
    let ok = converged
    console.log(`skew: ${converged ? 'all three converged, both ways' : 'NOT converged'}`)
    const told = (p: PeerProcess, direction: string): boolean =>
      p.events.some(e => e.event === 'skew' && e.direction === direction)
    // The slow peer sees the others' stamps far ahead at once; the fast one learns from the
    // others' beacons (sent a second or two after they apply its edit) that they are far behind.
    await poll(() => told(slow, 'ahead') && told(fast, 'behind'), 20_000)
    // The fast peer's own user sees its edits confirmed by the others (before: `unconfirmed` stuck).
    const confirmed = await poll(async () => (await fast.state(doc)).unconfirmed === 0, 20_000)
    console.log(`skew: the fast peer's edits ${confirmed ? 'are confirmed (unconfirmed = 0)' : 'stay UNCONFIRMED'}`)
    ok &&= confirmed
    for (const p of cluster.peers) {
      const skews = p.events.filter(e => e.event === 'skew')
      const counters = (await p.stats()).counters.weft_clock_skew_total ?? {}
      const said = skews.map(e => e.event === 'skew' ? `${e.direction} ${Math.round(e.offsetMs / 60_000)} min` : '')
      const dropped = (await p.stats()).counters.weft_dropped_total ?? {}
      console.log(`skew: ${names.get(p)}: told ${JSON.stringify(said)}, ` +
        `weft_clock_skew_total ${JSON.stringify(counters)}, dropped ${JSON.stringify(dropped)}`)
    }
    if (!told(slow, 'ahead')) { ok = false; console.log('skew: the slow peer was not told') }
    if (!told(fast, 'behind')) { ok = false; console.log('skew: the fast peer was not told') }
    return ok && cluster.crashes().length === 0
  } finally {
    await cluster.destroy()
  }
}
