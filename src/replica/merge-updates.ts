import * as Y from 'yjs'

/** Inputs merged at a time. */
const FAN_IN = 16

/**
 * `Y.mergeUpdates`, in groups. Yjs re-sorts all its inputs for every run of structs it writes, so
 * merging n single-edit updates in one call costs about n² log n: 2,000 took 95 ms, against 6 ms
 * merged sixteen at a time, level by level, into the same bytes. A writer typing fast seals
 * batches that large: at 12,000 edits/s on 10 peers the seal's one-call merge was 55 % of the CPU.
 */
export function mergeUpdates (updates: Uint8Array[]): Uint8Array {
  let level = updates
  while (level.length > FAN_IN) {
    const next: Uint8Array[] = []
    for (let i = 0; i < level.length; i += FAN_IN) {
      const group = level.slice(i, i + FAN_IN)
      next.push(group.length === 1 ? group[0] : Y.mergeUpdates(group))
    }
    level = next
  }
  return level.length === 1 ? level[0] : Y.mergeUpdates(level)
}
