import { Prng } from './prng.js'

export type Fault =
  /** Group a cannot reach group b (and, unless one-way, b cannot reach a). */
  | { at: number, kind: 'partition', a: number[], b: number[], oneWay: boolean }
  | { at: number, kind: 'loss', peer: number, percent: number }
  | { at: number, kind: 'link-down', peer: number }
  | { at: number, kind: 'link-up', peer: number }
  | { at: number, kind: 'kill', peer: number }
  | { at: number, kind: 'restart', peer: number }

/** What one chaos run does, entirely determined by (seed, run, peer count). */
export interface Schedule {
  seed: string
  run: number
  peers: number
  writers: number[]
  /** Pause between two edits of one writer, ms. */
  editGapMs: number
  /** Faults, by time from the start of the run; everything heals at `durationMs`. */
  faults: Fault[]
  durationMs: number
}

/** The cluster a chaos invocation starts: derived from the seed alone, so `--replay` rebuilds it. */
export interface ClusterPlan {
  peers: number
  /** Clock offset per peer, seconds (libfaketime). */
  skews: number[]
}

export function planCluster (seed: string, minPeers: number, maxPeers: number): ClusterPlan {
  const rng = new Prng(`${seed}:cluster`)
  const peers = rng.int(minPeers, maxPeers)
  // Peer 0 keeps true time; about a third of the others run up to 2 h fast or slow.
  const skews = Array.from({ length: peers }, (_, i) => i > 0 && rng.chance(0.35) ? rng.int(-7200, 7200) : 0)
  return { peers, skews }
}

export function makeSchedule (seed: string, run: number, peers: number): Schedule {
  const rng = new Prng(`${seed}:${run}`)
  const durationMs = rng.int(2_000, 3_500)
  const writers = rng.shuffle([...Array(peers).keys()]).slice(0, rng.int(2, Math.min(4, peers)))
  const faults: Fault[] = []
  const killed = new Set<number>()
  const count = rng.int(1, 4)
  for (let f = 0; f < count; f++) {
    const at = rng.int(100, durationMs - 300)
    const peer = rng.int(0, peers - 1)
    switch (rng.pick(['partition', 'partition', 'loss', 'link', 'kill'] as const)) {
      case 'partition': {
        const order = rng.shuffle([...Array(peers).keys()])
        const cut = rng.int(1, peers - 1)
        faults.push({ at, kind: 'partition', a: order.slice(0, cut), b: order.slice(cut), oneWay: rng.chance(0.3) })
        break
      }
      case 'loss':
        faults.push({ at, kind: 'loss', peer, percent: rng.int(5, 40) })
        break
      case 'link': {
        faults.push({ at, kind: 'link-down', peer })
        const up = at + rng.int(200, 1_500)
        if (up < durationMs) faults.push({ at: up, kind: 'link-up', peer })
        break
      }
      case 'kill': {
        if (killed.has(peer) || killed.size + 1 >= peers) break
        killed.add(peer)
        faults.push({ at, kind: 'kill', peer })
        // Some restart during the run, the rest when everything heals.
        const back = at + rng.int(300, 2_000)
        if (back < durationMs) faults.push({ at: back, kind: 'restart', peer })
        break
      }
    }
  }
  faults.sort((x, y) => x.at - y.at)
  return { seed, run, peers, writers, editGapMs: rng.int(20, 120), faults, durationMs }
}

export function describeFault (f: Fault): string {
  switch (f.kind) {
    case 'partition': return `${f.at}ms partition ${f.a.join(',')} ${f.oneWay ? '-/->' : '<-/->'} ${f.b.join(',')}`
    case 'loss': return `${f.at}ms loss ${f.percent}% at h${f.peer}`
    default: return `${f.at}ms ${f.kind} h${f.peer}`
  }
}
