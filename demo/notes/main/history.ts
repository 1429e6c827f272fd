import type { HistoryEntry } from '../../../src/index.js'
import type { HistoryPoint } from '../shared/bridge.js'

/** Edits by one device less than this far apart are one point on the timeline. */
export const SESSION_GAP_MS = 2 * 60_000

/**
 * The note's timeline from the engine's history (one entry per envelope, a
 * typing burst each): consecutive entries of one author, each within
 * SESSION_GAP_MS of the previous, become one point, newest first. A point's
 * `time` is its last edit: the version to show and restore for it.
 */
export function historyPoints (
  entries: HistoryEntry[],
  nameOf: (author: string) => string | undefined,
  mine: string
): HistoryPoint[] {
  const points: HistoryPoint[] = []
  let current: HistoryPoint | undefined
  for (const entry of entries) {
    if (current !== undefined && current.author === entry.author && entry.time - current.time <= SESSION_GAP_MS &&
        entry.seq !== 0) {
      current.time = Math.max(current.time, entry.time)
      current.edits++
      continue
    }
    current = {
      author: entry.author,
      name: entry.author === mine ? 'This device' : nameOf(entry.author) ?? 'another device',
      mine: entry.author === mine,
      start: entry.time,
      time: entry.time,
      edits: 1,
      merged: entry.seq === 0
    }
    points.push(current)
  }
  return points.reverse()
}
