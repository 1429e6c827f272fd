/**
 * npm run soak -- --minutes 10
 * Five peers in the lab, steady edits, churn (SIGKILL + restart) every 30 s.
 * Reports heap and RSS slopes (MB per minute) of the peers that are never
 * churned, their file descriptors and active handles first vs last, and whether
 * every document converged with every acknowledged edit.
 */
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { newDocId } from '../../src/index.js'
import { preflight } from '../net/preflight.js'
import { Cluster, destroyAllClusters } from '../cluster.js'
import { Checker } from '../chaos/checker.js'
import { poll, sleep } from '../wait.js'
import { slope } from './slope.js'
import { installTeardown } from '../teardown.js'
import type { Stats } from '../peer/protocol.js'

const argv = await yargs(hideBin(process.argv))
  .scriptName('soak')
  .option('minutes', { type: 'number', default: 10 })
  .option('churn-s', { type: 'number', default: 30, describe: 'seconds between two churn events (kill + restart)' })
  .option('edit-ms', { type: 'number', default: 250, describe: 'pause between two edits of one writer' })
  .option('sample-s', { type: 'number', default: 10 })
  .strict()
  .parseAsync()

installTeardown('soak')

await preflight()
const PEERS = 5
/** Peers 0-2 run the whole soak (their memory is measured); 3 and 4 take turns being killed. */
const STEADY = [0, 1, 2]
const CHURNED = [3, 4]
const cluster = await Cluster.start({ name: `soak${process.pid}`, peers: Array.from({ length: PEERS }, () => ({})) })
const t0 = Date.now()
const endAt = t0 + argv.minutes * 60_000
const samples: Array<{ t: number, stats: Array<Stats | undefined> }> = []
let rolls = 0
let divergentRolls = 0
let lostTotal = 0
let acksTotal = 0
const restartFailures: string[] = []

/**
 * One document per churn period: writers edit it, a churn hits, then it is checked
 * (converged, nothing acknowledged lost) and closed. Content stays bounded, so the
 * memory slope shows what the engine keeps, not the document growing.
 */
async function period (churnVictim: number): Promise<void> {
  const doc = newDocId()
  const checker = new Checker()
  // A peer whose restart failed gets another chance at each new document.
  for (let i = 0; i < cluster.peers.length; i++) {
    if (!cluster.peers[i].alive) await cluster.startPeer(i).catch(() => {})
  }
  await Promise.all(cluster.peers.map(async p => { if (p.alive) await p.open(doc) }))
  const periodEnd = Math.min(Date.now() + argv['churn-s'] * 1000, endAt)
  const writers = cluster.peers.map(async (peer, w) => {
    for (let e = 0; Date.now() < periodEnd; e++) {
      if (peer.alive) {
        const kind = e % 2 === 0 ? 'text' : 'map'
        const token = `<w${w}p${rolls}e${e}>`
        try {
          checker.record({ ...await peer.edit(doc, kind, token, e % 4 === 0), peer: w, kind, token })
        } catch {}
      }
      await sleep(argv['edit-ms'])
    }
  })
  const churn = (async () => {
    await sleep((periodEnd - Date.now()) / 2)
    const victim = cluster.peers[churnVictim]
    await victim.kill()
    await sleep(2_000)
    try {
      await cluster.startPeer(churnVictim)
      await victim.open(doc)
    } catch (err: any) {
      restartFailures.push(String(err?.message ?? err))
      console.log(`soak: restart of h${churnVictim} failed: ${err?.message ?? err}`)
    }
  })()
  await Promise.all([...writers, churn])
  await poll(async () => checker.settled(await Promise.all(cluster.peers.map(async p => await p.state(doc)))), 30_000)
  const finals = await Promise.all(cluster.peers.map(async p => await p.state(doc).catch(() => undefined)))
  const verdict = checker.judge(finals)
  rolls++
  acksTotal += checker.acks.length
  lostTotal += verdict.lost.length
  if (!verdict.converged) divergentRolls++
  if (!verdict.converged || verdict.lost.length > 0) for (const d of verdict.details) console.log(`  ${d}`)
  await Promise.allSettled(cluster.peers.map(async p => { await p.close(doc) }))
}

const sampler = setInterval(() => {
  void Promise.all(cluster.peers.map(async p => await p.stats().catch(() => undefined))).then(stats => {
    samples.push({ t: (Date.now() - t0) / 60_000, stats })
    const s = stats.slice(0, 3)
      .map(x => x === undefined ? '-' : `${x.heapMB.toFixed(1)}/${x.rssMB.toFixed(0)}MB fd${x.fds} h${x.resources}`)
    const at = ((Date.now() - t0) / 1000).toFixed(0)
    console.log(`soak ${at}s: steady peers heap/rss ${s.join(' | ')}; rolls ${rolls}, acks ${acksTotal}`)
  })
}, argv['sample-s'] * 1000)

try {
  for (let i = 0; Date.now() < endAt; i++) await period(CHURNED[i % CHURNED.length])
} finally {
  clearInterval(sampler)
}

// Skip the first minute's samples (start-up, JIT warm-up) when there are enough later ones.
const warm = samples.filter(s => s.t >= 1)
const used = warm.length >= 4 ? warm : samples
const per = (pick: (s: Stats) => number): number[] => STEADY.map(i =>
  slope(used.filter(s => s.stats[i] !== undefined).map(s => [s.t, pick(s.stats[i]!)])))
const fmt = (xs: number[]): string => xs.map(x => x.toFixed(2)).join(', ')
const first = samples[0]?.stats
const last = samples[samples.length - 1]?.stats
console.log(`soak: ${argv.minutes} min, ${PEERS} peers, churn every ${argv['churn-s']} s, ` +
  `${rolls} documents, ${acksTotal} acknowledged edits`)
console.log(`soak: heap slope MB/min (peers ${STEADY.join(',')}): ${fmt(per(s => s.heapMB))}`)
console.log(`soak: rss slope MB/min (peers ${STEADY.join(',')}): ${fmt(per(s => s.rssMB))}`)
console.log(`soak: fds first->last: ${STEADY.map(i => `${first?.[i]?.fds}->${last?.[i]?.fds}`).join(', ')}; ` +
  `active handles first->last: ${STEADY.map(i => `${first?.[i]?.resources}->${last?.[i]?.resources}`).join(', ')}; ` +
  `connections last: ${STEADY.map(i => last?.[i]?.connections).join(', ')}`)
const crashes = [...cluster.crashes(), ...restartFailures]
for (const c of crashes) console.log(`soak: crash: ${c.slice(0, 300)}`)
console.log(`soak: ${rolls} documents, ${divergentRolls} divergent, ${lostTotal} acknowledged edits lost, ` +
  `${crashes.length} crashes`)
await destroyAllClusters()
process.exit(divergentRolls === 0 && lostTotal === 0 && crashes.length === 0 ? 0 : 1)
