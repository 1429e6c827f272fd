/** The shape of bench/results/*.json. */
import type { MachineInfo } from '../lib/machine.js'
import type { LatencyRow } from '../scenarios/latency.js'
import type { ThroughputRow } from '../scenarios/throughput.js'
import type { CatchupRow } from '../scenarios/catchup.js'
import type { ColdStartRow } from '../scenarios/coldstart.js'
import type { ManyDocsRow } from '../scenarios/manydocs.js'
import type { DhtRow } from '../scenarios/dht.js'
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
  dht?: DhtRow
  targets: TargetResult[]
  skipped: SkipNote[]
}
