/**
 * Scenario: propagation latency with N peers in N separate processes (plus the y-websocket server
 * in its own process). The writer stamps each edit and each receiver stamps the moment it sees it with
 * process.hrtime.bigint() (CLOCK_MONOTONIC, shared by all processes on the host), so no clock
 * conversion is needed; IPC delays do not enter the measurement. CPU is summed over all children.
 */
import { ChildPeer } from '../lib/child-peer.js'
import { summarize, mean } from '../lib/stats.js'
import { mulberry32, uniqueName } from '../lib/random.js'
import { sleep, withTimeout } from '../lib/time.js'
import { log, errMsg } from '../lib/log.js'
import { EXTRA_DIALS } from '../baselines/gossip-mesh.js'
import type { SystemName } from '../systems/types.js'
import { countersMoved } from '../systems/weft.js'
import { LATENCY_ROUNDS, type LatencyRow } from './latency.js'
import {
  inRounds, latencyStats, poolSamples, roundFigures, typicalWriter, type LatencySample, type LatencyStats,
  type PeerFigures
} from './latency-core.js'
import type { ScenarioContext, SkipNote } from './context.js'
import { waitLinksSettled, LINKS_HOLD_MS } from '../lib/quiet.js'

async function setup (system: SystemName, peers: ChildPeer[], extra: ChildPeer[]): Promise<string> {
  if (system === 'weft') {
    const first = await peers[0].call('weft-start', {})
    const id = await peers[0].call<string>('weft-create')
    await Promise.all(peers.slice(1).map(async p => {
      await p.call('weft-start', { bootstrap: [first.addrs[0]] })
      await p.call('weft-open', { ids: [id], sync: true, all: true, timeoutMs: 30_000 }, 40_000)
    }))
    return 'separate processes; every peer bootstraps from peer 0; LevelDB per peer'
  }
  if (system === 'mesh' || system === 'floor') {
    const infos = await Promise.all(peers.map(async p => await p.call<{ addrs: string[] }>('mesh-start')))
    const rnd = mulberry32(1)
    for (let i = 1; i < peers.length; i++) {
      const targets = new Set<number>([0])
      const want = Math.min(i - 1, EXTRA_DIALS)
      while (targets.size < want + 1) targets.add(1 + Math.floor(rnd() * (i - 1)))
      await peers[i].call('mesh-dial', { addrs: [...targets].map(t => infos[t].addrs[0]) })
    }
    const topic = uniqueName('/bench/mp')
    const bind = system === 'floor' ? 'floor-bind' : 'mesh-bind'
    await Promise.all(peers.map(async p => await p.call(bind, { topics: [topic] })))
    // wait for every peer to have mesh peers for the topic
    const deadline = performance.now() + 20_000
    while (true) {
      const counts = await Promise.all(peers.map(async p => (await p.call<string[]>('mesh-peers', { topic })).length))
      if (counts.every(c => c > 0)) break
      if (performance.now() > deadline) throw new Error('gossipsub mesh did not form')
      await sleep(200)
    }
    return `separate processes; dial peer 0 + ${EXTRA_DIALS} random earlier peers` +
      (system === 'floor' ? '; ed25519-signed envelopes, LevelDB per peer' : '')
  }
  const server = extra[0]
  const url = await server.call<string>('yws-server')
  const room = uniqueName('mp')
  await Promise.all(peers.map(async p => await p.call('yws-connect', { url, rooms: [room] })))
  return 'separate processes; server in its own process'
}

/** One system, N processes: stamps from the children, CPU summed over the children. */
/** One round of one system: its row's set-up figures and the raw measurements, pooled over rounds later. */
interface MultiRound {
  meta: Omit<LatencyRow, keyof LatencyStats>
  /** Bytes are not counted across processes (NaN). */
  sample: LatencySample
  /** Each process over the measured window, so that a round far off the others shows where it went. */
  peers: PeerFigures[]
}

async function runOne (system: SystemName, n: number, edits: number, budgetMs: number): Promise<MultiRound> {
  const peers = Array.from({ length: n }, (_, i) => ChildPeer.spawn(`${system}#${i}`))
  const extra = system === 'y-websocket' ? [ChildPeer.spawn('yws-server')] : []
  const all = [...peers, ...extra]
  try {
    const t0 = performance.now()
    await withTimeout(Promise.all(all.map(async p => { await p.ready })), 60_000, 'child processes starting')
    const topology = await withTimeout(setup(system, peers, extra), 90_000, `${system} multi-process setup`)
    const setupMs = performance.now() - t0
    // A typical peer writes, as in the one-process runs (see typicalWriter), once start-up links settled.
    const readLinks = async (): Promise<Array<number | undefined>> =>
      await Promise.all(peers.map(async p => await p.call<number | null>('links') ?? undefined))
    const linked = await waitLinksSettled(readLinks, LINKS_HOLD_MS, budgetMs > 10_000 ? 30_000 : 10_000)
    const links = linked.links
    const chosen = typicalWriter(links)
    const writer = peers[chosen.index]
    const receivers = peers.filter((_, i) => i !== chosen.index)
    // per receiver: length -> hrtime of first sighting
    const seen = receivers.map(() => new Map<number, bigint>())
    receivers.forEach((r, i) => { r.onSeen = e => { if (!seen[i].has(e.len)) seen[i].set(e.len, BigInt(e.t)) } })
    await Promise.all(receivers.map(async r => await r.call('watch', { on: true })))
    // warm-up: 3 edits that must reach everyone
    for (let w = 0; w < 3; w++) {
      const { len } = await writer.call<{ len: number }>('edit')
      const dl = performance.now() + 15_000
      while (!seen.every(s => s.has(len))) {
        if (performance.now() > dl) throw new Error('warm-up edit did not reach every process')
        await sleep(5)
      }
    }
    // let start-up work die down: summed child CPU below (10 + N/2) % of a core for three 500 ms windows
    const quietStart = performance.now()
    let lowRun = 0
    let prevCpu = await Promise.all(all.map(async p => await p.call<number>('cpu')))
    while (lowRun < 3 && performance.now() - quietStart < (budgetMs > 10_000 ? 30_000 : 10_000)) {
      const w0 = performance.now()
      await sleep(500)
      const now = await Promise.all(all.map(async p => await p.call<number>('cpu')))
      const rate = now.reduce((a, b, i) => a + b - prevCpu[i], 0) / (performance.now() - w0) * 100
      prevCpu = now
      lowRun = rate < 10 + n / 2 ? lowRun + 1 : 0
    }
    const settleMs = linked.waitedMs + performance.now() - quietStart
    const cpu0 = await Promise.all(all.map(async p => await p.call<number>('cpu')))
    const counters = async (): Promise<Array<Record<string, number> | undefined>> => system !== 'weft'
      ? peers.map(() => undefined)
      : await Promise.all(peers.map(async p => await p.call<Record<string, number>>('weft-counters')))
    const counters0 = await counters()
    const rnd = mulberry32(42)
    const allPeers: number[] = []
    const perDelivery: number[] = []
    const delays = receivers.map((): number[] => [])
    let lost = 0
    const start = performance.now()
    for (let k = 0; k < edits && performance.now() - start < budgetMs; k++) {
      const { t, len } = await writer.call<{ t: string, len: number }>('edit')
      const t0n = BigInt(t)
      const dl = performance.now() + 5000
      while (!seen.every(s => s.has(len)) && performance.now() < dl) await sleep(1)
      let worst = 0
      for (const [i, s] of seen.entries()) {
        const ts = s.get(len)
        if (ts === undefined) { lost++; worst = Number.POSITIVE_INFINITY; continue }
        const d = Number(ts - t0n) / 1e6
        perDelivery.push(d)
        delays[i].push(d)
        worst = Math.max(worst, d)
      }
      allPeers.push(worst)
      await sleep(5 * (1 + rnd()))
    }
    const cpu1 = await Promise.all(all.map(async p => await p.call<number>('cpu')))
    const cpuMs = cpu1.reduce((a, b, i) => a + b - cpu0[i], 0)
    const counters1 = await counters()
    const meshSizes = system !== 'weft'
      ? peers.map(() => undefined)
      : await Promise.all(peers.map(async p => await p.call<number | null>('weft-mesh-peers')))
    const perPeer: PeerFigures[] = peers.map((_, i) => {
      const r = receivers.indexOf(peers[i])
      const before = counters0[i]
      const after = counters1[i]
      const moved = before === undefined || after === undefined ? undefined : countersMoved(before, after)
      return {
        index: i,
        cpuMs: cpu1[i] - cpu0[i],
        p50: r < 0 ? null : summarize(delays[r]).p50,
        counters: moved,
        meshPeers: meshSizes[i]
      }
    })
    return {
      meta: {
        system,
        n,
        transport: 'tcp',
        processes: 'multi',
        group: `${n}|tcp|multi`,
        setupMs,
        topology,
        avgConnections: links.some(l => l === undefined)
          ? null
          : (links as number[]).reduce((a, b) => a + b, 0) / links.length,
        writer: { index: chosen.index, links: chosen.links ?? null },
        settleMs,
        quietReached: lowRun >= 3 && linked.settled,
        idleCpuPercent: null,
        netCpuPerDeliveryMs: null
      },
      sample: { allPeers, perDelivery, lost, cpuMs, wallMs: performance.now() - start, bytes: Number.NaN },
      peers: perPeer
    }
  } finally {
    await Promise.allSettled(all.map(async p => { await p.stop() }))
  }
}

/** Pools a system's rounds into one row (see LATENCY_ROUNDS): every edit counted, set-up figures averaged. */
function mergeRounds (rs: MultiRound[]): LatencyRow {
  const conns = rs.map(r => r.meta.avgConnections)
  return {
    ...rs[0].meta,
    setupMs: mean(rs.map(r => r.meta.setupMs)),
    settleMs: mean(rs.map(r => r.meta.settleMs ?? 0)),
    quietReached: rs.every(r => r.meta.quietReached === true),
    avgConnections: conns.some(c => c === null) ? null : mean(conns as number[]),
    rounds: rs.map(r => ({ ...roundFigures(r.sample, r.meta.writer?.links ?? null), peers: r.peers })),
    ...latencyStats(poolSamples(rs.map(r => r.sample)))
  }
}

export async function runMultiprocess (
  ctx: ScenarioContext,
  n: number,
  edits: number
): Promise<{ rows: LatencyRow[], skipped: SkipNote[] }> {
  const rows: LatencyRow[] = []
  const skipped: SkipNote[] = []
  const rounds = ctx.quick ? 1 : LATENCY_ROUNDS
  const results = await inRounds(ctx.systems, rounds, async (system, round) => {
    const label = `multi-process ${system} N=${n}${rounds > 1 ? ` round ${round + 1}/${rounds}` : ''}`
    try {
      log(`${label}: starting ${n} processes`)
      const r = await runOne(system, n, Math.ceil(edits / rounds), ctx.quick ? 6_000 : 30_000)
      log(`${label}: p50 ${summarize(r.sample.allPeers).p50.toFixed(2)} ms over ${r.sample.allPeers.length} edits ` +
        `(setup ${(r.meta.setupMs / 1000).toFixed(1)} s)`)
      const typical = summarize(r.peers.flatMap(p => p.p50 === null ? [] : [p.p50])).p50
      for (const p of r.peers) {
        if (p.p50 !== null && p.p50 > 5 * typical) {
          log(`${label}: process ${p.index} lagged (p50 ${p.p50.toFixed(1)} ms against ${typical.toFixed(1)}; ` +
            `CPU ${p.cpuMs.toFixed(0)} ms; gossip mesh peers ${p.meshPeers ?? 'n/a'}; ` +
            `counters ${JSON.stringify(p.counters ?? {})})`)
        }
      }
      return r
    } catch (err) {
      log(`${label}: failed: ${errMsg(err)}`)
      return errMsg(err)
    }
  }, (system, reason) => { skipped.push({ scenario: 'latency (multi-process)', system, n, reason }) })
  for (const system of ctx.systems) {
    const rs = results.get(system)
    if (rs === undefined) continue
    const row = mergeRounds(rs)
    rows.push(row)
    log(`multi-process ${system} N=${n}: p50 ${row.allPeers.p50.toFixed(2)} ms, ` +
      `p99 ${row.allPeers.p99.toFixed(2)} ms, cpu/delivery ${row.cpuPerDeliveryMs.toFixed(3)} ms` +
      (rs.length > 1 ? `; p50 by round ${(row.rounds ?? []).map(r => r.p50.toFixed(1)).join(' / ')} ms` : ''))
  }
  return { rows, skipped }
}
