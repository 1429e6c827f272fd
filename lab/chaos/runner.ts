import { newDocId } from '../../src/index.js'
import type { Cluster } from '../cluster.js'
import { applyFault } from '../faults/faults.js'
import { sleep, poll } from '../wait.js'
import { Checker, type Verdict } from './checker.js'
import type { Schedule } from './schedule.js'
import type { DocState } from '../peer/protocol.js'

export interface RunOptions {
  /** After healing, replicas must converge within this bound. */
  convergeMs: number
  /** Checker self-test: one edit per run is acknowledged but never leaves its writer. */
  sabotage: boolean
}

export interface RunResult {
  verdict: Verdict
  acks: number
  crashes: string[]
  /** Time from heal to convergence (or the bound, when it did not converge). */
  convergeMs: number
  totalMs: number
  /** Where the time went: open, faults+edits, heal+restarts, converge, close (ms). */
  phases: number[]
}

async function readStates (cluster: Cluster, doc: string): Promise<Array<DocState | undefined>> {
  return await Promise.all(cluster.peers.map(async p => await p.state(doc).catch(() => undefined)))
}

/**
 * One chaos run on a live cluster: a fresh document, writers editing while the
 * schedule's faults hit, then heal, then the checker's verdict. Peer processes
 * outlive the run; only what the schedule kills is restarted.
 */
export async function runOnce (cluster: Cluster, schedule: Schedule, options: RunOptions): Promise<RunResult> {
  const started = Date.now()
  const crashesBefore = cluster.crashes().length
  const doc = newDocId()
  const checker = new Checker()
  await Promise.all(cluster.peers.map(async p => { await p.open(doc) }))
  const opened = Date.now()

  const deadline = opened + schedule.durationMs
  let sabotaged = !options.sabotage
  const writers = schedule.writers.map(async (w, n) => {
    const peer = cluster.peers[w]
    for (let e = 0; Date.now() < deadline && peer.alive; e++) {
      const kind = (e + n) % 3 === 0 ? 'map' : 'text'
      const token = `<w${w}r${schedule.run}e${e}>`
      const sabotage = !sabotaged && e === 2
      if (sabotage) sabotaged = true
      try {
        const ack = await peer.edit(doc, kind, token, e % 2 === 0, sabotage)
        checker.record({ ...ack, peer: w, kind, token })
      } catch {
        // Killed mid-edit: not acknowledged, so nothing is owed.
        if (!peer.alive) return
      }
      await sleep(schedule.editGapMs)
    }
  })

  const faults = (async () => {
    for (const fault of schedule.faults) {
      await sleep(opened + fault.at - Date.now())
      await applyFault(cluster, fault)
    }
  })()
  await Promise.all([...writers, faults])
  const faulted = Date.now()

  // Heal: open every firewall, plug every cable, restart whatever is down, reopen the document.
  await cluster.heal()
  for (let i = 0; i < cluster.peers.length; i++) {
    if (!cluster.peers[i].alive) await cluster.startPeer(i)
  }
  await Promise.all(cluster.peers.map(async p => { await p.open(doc) }))
  const healed = Date.now()
  await poll(async () => {
    const states = await readStates(cluster, doc)
    return states.every(s => s !== undefined) && checker.settled(states as DocState[])
  }, options.convergeMs, 150)
  const convergeMs = Date.now() - healed
  const verdict = checker.judge(await readStates(cluster, doc))
  const judged = Date.now()
  await Promise.allSettled(cluster.peers.map(async p => { await p.close(doc) }))
  const end = Date.now()
  return {
    phases: [opened - started, faulted - opened, healed - faulted, judged - healed, end - judged],
    verdict,
    acks: checker.acks.length,
    crashes: cluster.crashes().slice(crashesBefore),
    convergeMs,
    totalMs: end - started
  }
}
