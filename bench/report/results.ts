/** The shape of bench/results/*.json. */
import type { MachineInfo } from '../lib/machine.js'
import type { TrustRows } from '../scenarios/trust.js'
import type { LatencyRow } from '../scenarios/latency.js'
import type { ThroughputRow } from '../scenarios/throughput.js'
import type { CatchupRow } from '../scenarios/catchup.js'
import type { ColdStartRow } from '../scenarios/coldstart.js'
import type { ManyDocsRow } from '../scenarios/manydocs.js'
import type { StoredDocsRow, ServedDocsRow } from '../scenarios/stored-docs.js'
import { holder, type DhtRow, type DhtTrial } from '../scenarios/dht.js'
import type { FloodRow } from '../scenarios/flood.js'
import type { HistoryBenchRow } from '../scenarios/history.js'
import type { NotesNotebookRow } from '../scenarios/notes-notebook.js'
import { summarize } from '../lib/stats.js'
import type { SkipNote } from '../scenarios/context.js'
import type { TargetResult } from './targets.js'

export interface BenchResults {
  meta: {
    timestamp: string
    mode: 'quick' | 'full'
    machine: MachineInfo
    durationMs: number
    /** What ran, in words (sizes, edit counts). */
    plan: string[]
    notes: string[]
  }
  latency: LatencyRow[]
  throughput: ThroughputRow[]
  catchup: CatchupRow[]
  coldStart?: ColdStartRow
  manyDocs: ManyDocsRow[]
  /** weft only: D documents opened out of S stored (after a restart). */
  storedDocs?: StoredDocsRow
  /** weft only: a daemon-like peer serving D stored documents without handles. */
  servedDocs?: ServedDocsRow
  /** One row per DHT network size (older files hold a single object here; see normalizeResults). */
  dht: DhtRow[]
  /** weft only: honest latency before and during a flood from hostile processes. */
  flood?: FloodRow
  /** weft only: what keeping history costs ('full' vs 'none'); absent in older files. */
  history: HistoryBenchRow[]
  /** Private against open documents (bench/scenarios/trust.ts). */
  trust?: TrustRows
  /** The notes app with a big notebook: list shown after a restart, idle CPU ('app' and the 'served' projection). */
  notesNotebook?: NotesNotebookRow[]
  targets: TargetResult[]
  skipped: SkipNote[]
}

/** Reads a results file written by an older version of the runner into the current shape. */
export function normalizeResults (r: any): BenchResults {
  // JSON wrote lost samples (Infinity) as null: latency and DHT summaries get them back
  const lost = (x: any): any => x === null || typeof x !== 'object'
    ? x
    : Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v === null && k !== 'count' ? Infinity : v]))
  const rows: DhtRow[] = r.dht === undefined || r.dht === null ? [] : Array.isArray(r.dht) ? r.dht : [r.dht]
  // fields added later, derived from the trials: JSON wrote never-found times as null
  const dht = rows.map(d => ({
    ...d,
    providersFound: lost(d.providersFound),
    synced: lost(d.synced),
    succeeded: d.succeeded ?? d.trials.filter((t: DhtTrial) => holder(t) !== null && t.syncedMs !== null).length,
    holderFound: d.holderFound !== undefined
      ? lost(d.holderFound)
      : summarize(d.trials.map((t: DhtTrial) => holder(t) ?? Number.POSITIVE_INFINITY))
  }))
  const latency = (r.latency ?? []).map((x: any) => ({
    ...x,
    allPeers: lost(x.allPeers),
    perDelivery: lost(x.perDelivery)
  }))
  return { ...r, latency, dht, manyDocs: r.manyDocs ?? [], history: r.history ?? [], skipped: r.skipped ?? [] }
}
