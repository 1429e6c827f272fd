/** Renders the results as markdown: printed to stdout and written to bench/results/latest.md. */
import type { BenchResults } from './results.js'
import type { LatencyRow } from '../scenarios/latency.js'
import type { TargetResult } from './targets.js'
import type { DhtRow } from '../scenarios/dht.js'
import { ms, ratio, int, kib, pct, mdTable } from './format.js'

/** A target's value in its unit. */
function targetValue (t: TargetResult, x: number | null): string {
  if (x === null) return 'n/a'
  switch (t.unit) {
    case 'ms': return ms(x)
    case '%': return pct(x)
    case 'B/doc': return kib(x)
    case 'x': return `${x.toFixed(2)}x`
    default: return int(x)
  }
}

function targetsSection (targets: TargetResult[]): string {
  return mdTable(['area', 'target', 'weft', 'reference', 'ratio', 'limit', 'result'],
    targets.map(t => [
      t.area,
      t.target,
      targetValue(t, t.weft),
      targetValue(t, t.reference),
      t.ratio === null ? 'n/a' : Number.isFinite(t.ratio) ? `${t.ratio.toFixed(2)}x` : 'inf (lost)',
      `${t.atLeast === true ? '>=' : t.strict === true ? '<' : '<='} ${t.limit}x`,
      t.pass === null
        ? `not measured${t.note !== undefined && t.note !== 'not measured'
          ? ` (${t.note.replace(/^not measured: /, '')})`
          : ''}`
        : `${t.pass ? '**pass**' : '**MISS**'}${t.pass === false && t.note !== undefined ? ` (${t.note})` : ''}`
    ]))
}

/** Engine counters that moved during an idle window, short names, largest first. */
function activity (a: Record<string, number> | undefined): string {
  if (a === undefined) return 'n/a'
  const e = Object.entries(a).sort((x, y) => y[1] - x[1])
  if (e.length === 0) return 'none'
  return e.slice(0, 8).map(([k, v]) => `${k.replace(/^weft_/, '').replace(/_total$/, '')} ${int(v)}`).join(', ')
}

function dhtSection (d: DhtRow): string {
  const never = (x: number | null): string => x === null ? 'never' : ms(x)
  return [
    `**${d.peers} peers**: routing tables ${d.routingTableMin}..; mean ${d.routingTableMean.toFixed(1)}; ` +
      `network up in ${(d.networkSetupMs / 1000).toFixed(1)} s; provider record stored ${ms(d.provideMs)} ms ` +
      `after create(); ${d.succeeded ?? 'n/a'}/${d.trials.length} newcomers synced; p50: provider record found ` +
      `${ms(d.providersFound.p50)} ms, a holder known (record or replicating peer) ${ms(d.holderFound?.p50)} ms, ` +
      `synced ${ms(d.synced.p50)} ms.`,
    '',
    mdTable(['trial', 'bootstrap peer', 'node start ms', 'first connection ms', 'connections at open()',
      'provider record found ms', 'first replicating peer ms', 'synced ms', 'DHT queries'],
    d.trials.map((t, i) => [String(i + 1), `#${t.bootstrapPeer}`, ms(t.startNodeMs),
      t.firstConnectionMs === undefined ? 'n/a' : never(t.firstConnectionMs), int(t.connectionsAtOpen),
      never(t.providersFoundMs), never(t.firstPeerMs), never(t.syncedMs), int(t.dhtQueries)])),
    ''
  ].join('\n')
}

function latencySection (rows: LatencyRow[]): string {
  const groups = [...new Set(rows.map(r => r.group))]
  const out: string[] = []
  for (const g of groups) {
    const rs = rows.filter(r => r.group === g)
    const mesh = rs.find(r => r.system === 'mesh')
    const yws = rs.find(r => r.system === 'y-websocket')
    const [n, transport, processes] = g.split('|')
    const where = transport === 'memory' ? 'in-memory transport' : 'TCP loopback'
    const procs = processes === 'multi' ? `${n} separate processes` : 'one process'
    out.push(`**N = ${n}, ${where}, ${procs}**` +
      (transport === 'memory' && yws !== undefined
        ? ' (y-websocket has no in-memory transport: it runs over TCP loopback)'
        : ''))
    out.push('')
    out.push(mdTable(
      [
        'system', 'writer', 'edits', 'p50 ms', 'p95 ms', 'p99 ms', 'per-peer p50 ms', 'CPU/delivery ms', 'settle s',
        'idle CPU',
        'net CPU/delivery ms', 'bytes/delivery', 'lost', 'p50 vs mesh', 'p99 vs mesh', 'CPU vs mesh', 'p50 vs y-ws'
      ],
      rs.map(r => [
        r.system, r.writer === undefined ? '0' : `${r.writer.index} / ${r.writer.links ?? 'n/a'}`, int(r.edits),
        ms(r.allPeers.p50), ms(r.allPeers.p95), ms(r.allPeers.p99), ms(r.perDelivery.p50),
        ms(r.cpuPerDeliveryMs),
        r.settleMs === null
          ? 'n/a'
          : `${(r.settleMs / 1000).toFixed(1)}${r.quietReached === false ? ' (not settled)' : ''}`,
        r.idleCpuPercent === null ? 'n/a' : pct(r.idleCpuPercent), ms(r.netCpuPerDeliveryMs), int(r.bytesPerDelivery),
        int(r.lostDeliveries),
        ratio(r.allPeers.p50, mesh?.allPeers.p50), ratio(r.allPeers.p99, mesh?.allPeers.p99),
        ratio(r.cpuPerDeliveryMs, mesh?.cpuPerDeliveryMs), ratio(r.allPeers.p50, yws?.allPeers.p50)
      ])))
    out.push('')
  }
  return out.join('\n')
}

export function renderMarkdown (r: BenchResults): string {
  const m = r.meta.machine
  const s: string[] = []
  s.push(`# weft benchmarks (${r.meta.mode})`)
  s.push('')
  s.push(`${r.meta.timestamp} · ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryMiB} MiB · Node ${m.node} · ` +
    `${m.platform} · load avg at start ${m.loadAverage.join(' / ')} · ` +
    `run took ${(r.meta.durationMs / 1000).toFixed(0)} s`)
  s.push('')
  s.push('Ran: ' + r.meta.plan.join('; ') + '.')
  s.push('')
  for (const n of r.meta.notes) s.push(`- ${n}`)
  s.push('')

  s.push('## Targets')
  s.push('')
  s.push('Ratios within this run; `< 1x` of a fixed reference (the DHT rows) means under that many ms.')
  s.push('')
  s.push(targetsSection(r.targets))
  s.push('')

  if (r.latency.length > 0) {
    s.push('## Propagation latency')
    s.push('')
    s.push('Single-character edits on one writer, one at a time (5-10 ms apart): a typical peer, the one with ' +
      'the median number of links (writer column: peer index / its links). ' +
      'p50/p95/p99: time until the edit is visible on *every* other peer; ' +
      'per-peer p50: over each (edit, receiver) pair. ' +
      'CPU/delivery: process CPU (all peers in the run; summed over the processes when separate) per delivered edit, ' +
      'over the measurement window; ' +
      'settle: wait after start-up until no peer\'s link count changed for 5 s and then the process CPU ' +
      'stayed below (10 + N/2) % of a core for 1.5 s ' +
      '(start-up work: DHT, identify, heartbeats); ' +
      'idle CPU: the cluster idle just before measuring (% of one core); ' +
      'net: CPU/delivery minus that idle rate; ' +
      'bytes/delivery: bytes received by all peers per delivered edit ' +
      '(libp2p: raw connections incl. noise/yamux framing and gossip control traffic; ' +
      'y-websocket: message payloads, framing not counted). ' +
      'Rounds: in a full run each system starts a fresh cluster twice and writes half the edits in each, ' +
      'the systems taking turns in the order A B B A, so drifting machine load and one start\'s topology ' +
      'fall on every system alike; a row pools both rounds\' edits (per-round p50s are in the JSON ' +
      '`rounds`); writer and links are the first round\'s. Before the first N, each system runs one unmeasured ' +
      'N=2 round of 100 edits, so no system\'s first round pays for compiling the code (JIT).')
    s.push('')
    s.push(latencySection(r.latency))
  }

  if (r.throughput.length > 0) {
    s.push('## Sustained throughput')
    s.push('')
    s.push('Ladder of edit rates; a step passes when every peer holds every edit ' +
      'within the drain bound after the step and the writers kept >= 90 % of the schedule ' +
      '(all peers share one event loop, so a saturated process shows as a writer falling behind).')
    s.push('')
    const yws = (w: number): number | undefined =>
      r.throughput.find(x => x.system === 'y-websocket' && x.writers === w)?.sustainedRate
    s.push(mdTable(
      ['system', 'N', 'writers', 'sustained edits/s', 'vs y-ws', 'CPU/delivery at that rate ms', 'stopped because'],
      r.throughput.map(t => {
        const best = t.steps.filter(x => x.pass && x.targetRate === t.sustainedRate)[0]
        return [
          t.system, String(t.n), String(t.writers), int(t.sustainedRate), ratio(t.sustainedRate, yws(t.writers)),
          best !== undefined ? ms(best.cpuPerDeliveryMs) : 'n/a', t.stoppedBecause
        ]
      })))
    s.push('')
  }

  if (r.catchup.length > 0) {
    s.push('## Catch-up after being offline')
    s.push('')
    const ywsConverge = r.catchup.find(x => x.system === 'y-websocket')?.convergeMs
    s.push(mdTable(
      [
        'system', 'edits missed', 'time to converge ms', 'vs y-ws', 'bytes', 'ideal bytes', 'vs ideal', 'phases ms',
        'what was counted'
      ],
      r.catchup.map(c => [
        c.system, int(c.edits), ms(c.convergeMs), ratio(c.convergeMs, ywsConverge), int(c.bytes), int(c.idealBytes),
        ratio(c.bytes, c.idealBytes),
        Object.entries(c.phases).map(([k, v]) => `${k} ${ms(v)}`).join(', '), c.bytesWhat])))
    s.push('')
    const w = r.catchup.find(c => c.system === 'weft')
    if (w !== undefined) {
      s.push('weft bytes by protocol (rx / tx): ' +
        Object.entries(w.breakdown).map(([k, v]) => `${k} ${int(v.rx)} / ${int(v.tx)}`).join('; '))
      s.push('')
    }
  }

  if (r.coldStart !== undefined) {
    const c = r.coldStart
    s.push('## Cold start')
    s.push('')
    s.push(mdTable(
      [
        'operations', 'envelopes written (approx.)', 'state size', 'weft open() ms', 'Y.applyUpdate floor ms',
        'vs floor', 'createWeft() ms'
      ],
      [[
        int(c.ops), int(c.ops / c.opsPerTurn), kib(c.stateBytes), ms(c.openMs), ms(c.floorMs),
        ratio(c.openMs, c.floorMs), ms(c.startNodeMs)
      ]]))
    s.push('')
  }

  if (r.manyDocs.length > 0) {
    s.push('## Many documents on one peer')
    s.push('')
    s.push('Heap growth per document after a forced GC; idle CPU of the measured peer\'s process (% of one core). ' +
      '"local": documents open, partner connected but not replicating them; ' +
      '"replicated": the partner (another process) holds them too.')
    s.push('')
    s.push(mdTable(
      [
        'system', 'documents', 'heap/doc local', 'heap/doc replicated', 'idle CPU local', 'idle CPU replicated',
        'partner idle CPU', 'replicated docs', 'open time ms', 'replicate time ms'
      ],
      r.manyDocs.map(d => [
        d.system, int(d.docs), kib(d.local.heapPerDocBytes), kib(d.replicated.heapPerDocBytes),
        pct(d.local.idleCpuPercent), pct(d.replicated.idleCpuPercent), pct(d.replicated.partnerIdleCpuPercent),
        `${d.replicatedDocs}/${d.docs}`, ms(d.local.ms), ms(d.replicated.ms)
      ])))
    s.push('')
    const w = r.manyDocs.find(d => d.system === 'weft')
    if (w?.local.activity !== undefined) {
      s.push(`weft counters that moved during the idle windows (${(w.idleWindowMs / 1000).toFixed(1)} s): ` +
        `local: ${activity(w.local.activity)}; replicated: ${activity(w.replicated.activity)}.`)
      s.push('')
    }
  }

  if (r.storedDocs !== undefined) {
    const d = r.storedDocs
    s.push(`### ${int(d.opened)} of ${int(d.stored)} stored documents (weft)`)
    s.push('')
    s.push(`${int(d.stored)} documents created and closed on a peer with no neighbours (${ms(d.createMs)} ms), ` +
      `the node restarted on that LevelDB (${ms(d.restartMs)} ms; ${int(d.storedFound)} documents listed), ` +
      `a partner connected (not replicating them), then ${int(d.opened)} opened (open() in batches of 50). ` +
      'Heap growth per opened document after a forced GC; idle CPU as above.')
    s.push('')
    s.push(mdTable(['stored', 'opened', 'open time ms', 'heap/doc', 'idle CPU', 'partner idle CPU', 'gauges after'],
      [[int(d.stored), int(d.opened), ms(d.openMs), kib(d.heapPerDocBytes), pct(d.idleCpuPercent),
        pct(d.partnerIdleCpuPercent),
        `open ${d.gauges.open}, served ${d.gauges.served}, dormant ${d.gauges.dormant}`]]))
    s.push('')
    s.push(`Counters that moved during the idle window: ${activity(d.idleActivity)}.`)
    s.push('')
  }

  if (r.servedDocs !== undefined) {
    const d = r.servedDocs
    const after = d.gaugesAfterServe
    const end = d.gaugesAfterIdle
    s.push(`### Daemon-like peer: ${int(d.docs)} served documents, no handles (weft)`)
    s.push('')
    s.push(`The peer restarts on the store with \`unloadIdleAfterMs: ${d.unloadIdleAfterMs}\` and calls ` +
      '`weft.serve(id)` ' +
      `for ${int(d.docs)} stored documents (${ms(d.serveMs)} ms). A partner (child process) opens all of them ` +
      `(${d.partnerSynced}/${d.docs} synced in ${ms(d.partnerSyncMs)} ms, from the served copies) and appends one ` +
      `character to each (${d.partnerEdits} edits), which wakes them here; then the peer sits idle. Heap per served ` +
      'document after a forced GC, over the node before serve(); idle CPU over ' +
      `${(d.idleWindowMs / 1000).toFixed(1)} s once every document was dormant again (or the bound passed). ` +
      `A sample of ${d.sampleChecked} is reopened at the end: ` +
      `${d.sampleWithEdit} hold the partner's edit.`)
    s.push('')
    s.push(mdTable(['documents', 'after serve(): open / dormant', 'heap/doc after serve()', 'peak loaded (woken)',
      'all dormant again after ms', 'after the idle window: open / dormant', 'heap/doc after idle', 'idle CPU',
      'partner idle CPU'],
    [[int(d.docs), `${after.open} / ${after.dormant}`, kib(d.heapPerDocServedBytes), int(d.peakOpen),
      d.allDormantMs === null ? 'not within the bound' : ms(d.allDormantMs), `${end.open} / ${end.dormant}`,
      kib(d.heapPerDocAfterIdleBytes), pct(d.idleCpuPercent), pct(d.partnerIdleCpuPercent)]]))
    s.push('')
    const wake = d.firstWakeMs === null ? 'never (within 10 s)' : `${ms(d.firstWakeMs)} ms`
    s.push(`First document woken ${wake} after the ` +
      `partner's edits were flushed there. Counters that moved during the idle window: ${activity(d.idleActivity)}.`)
    s.push('')
  }

  if (r.dht.length > 0) {
    s.push('## DHT rendezvous')
    s.push('')
    s.push('weft peers on TCP loopback in one process, each bootstrapped from peer 0; the last one creates and ' +
      'provides a document. A newcomer knowing one bootstrap address (a peer without the document) opens it; ' +
      'times from its createWeft():')
    s.push('')
    for (const d of r.dht) s.push(dhtSection(d))
  }

  if (r.history.length > 0) {
    const edits = r.history[0].edits
    s.push('## History: what keeping the log costs (weft)')
    s.push('')
    s.push(`${int(edits)} single-character edits, one envelope each (the worst case), default checkpoints; store ` +
      'bytes of the document (logical key + value, and the LevelDB directory after a full compaction); cold ' +
      'start = createWeft() + open() until the text is complete; history() and versionAt(middle) on the reopened ' +
      'document (medians).')
    s.push('')
    s.push(mdTable(['history', 'envelopes kept', 'logical', 'on disk', 'cold start ms', 'of which open() ms',
      'history() ms', 'versionAt() ms', 'entries listed', 'versionAt(middle) length'],
    r.history.map(h => [h.history, int(h.envelopesKept), kib(h.logicalBytes), kib(h.diskBytes), ms(h.coldStartMs),
      ms(h.openMs), ms(h.historyMs), ms(h.versionAtMs), int(h.historyEntries), int(h.versionAtLength)])))
    s.push('')
  }

  if (r.notesNotebook !== undefined && r.notesNotebook.length > 0) {
    s.push('## Notes app: a big notebook')
    s.push('')
    s.push('app: NotesService restarted on the notebook (every note a live handle); served: the same store, the ' +
      'notebook and the shown note open, every other note served (dormant). List = start until every title is ' +
      'listed; idle CPU with one note shown, alone (% of one core).')
    s.push('')
    s.push(mdTable(['variant', 'notes', 'list shown ms', 'show note ms', 'documents open', 'heap', 'idle CPU %'],
      r.notesNotebook.map(n => [n.variant, int(n.notes), ms(n.listShownMs), ms(n.showNoteMs), int(n.documentsOpen),
        kib(n.heapUsedBytes), n.idleCpuPercent.toFixed(2)])))
    s.push('')
  }

  if (r.skipped.length > 0) {
    s.push('## Not run / failed')
    s.push('')
    for (const k of r.skipped) {
      const sys = k.system !== undefined ? ` · ${k.system}` : ''
      const nn = k.n !== undefined ? ` · N=${k.n}` : ''
      s.push(`- ${k.scenario}${sys}${nn}: ${k.reason}`)
    }
    s.push('')
  }
  s.push('![latency distribution](latency.svg)')
  s.push('')
  return s.join('\n')
}
