/**
 * Scenario: what keeping history costs. For `history: 'full'` and `'none'`, a weft peer writes a
 * document of `edits` single-character edits at random positions, one envelope each (flushed
 * one by one: the worst case for the log), lets its checkpoints land (default `checkpointEvery`),
 * and stops. Then: the store's bytes for the document (logical key + value bytes, and the LevelDB
 * directory on disk after a full compaction), cold start (createWeft on the data dir + open()
 * until the text is complete, median of reps), and the time of `history()` and `versionAt(mid)`.
 *
 * Standalone: `node --import tsx bench/scenarios/history.ts [edits]` prints the rows as JSON.
 */
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ClassicLevel } from 'classic-level'
import { loadWeft, weftOptions, tempDataDir, removeDir } from '../systems/weft.js'
import type { Weft } from '../../src/types.js'
import { TEXT } from '../systems/types.js'
import { mulberry32 } from '../lib/random.js'
import { waitFor, withTimeout } from '../lib/time.js'
import { summarize } from '../lib/stats.js'
import { log, errMsg } from '../lib/log.js'
import type { ScenarioContext, SkipNote } from './context.js'

export interface HistoryBenchRow {
  history: 'full' | 'none'
  edits: number
  /** Envelopes the store holds for the document after its checkpoints. */
  envelopesKept: number
  /** Key + value bytes of the document's envelopes, checkpoint and kept checkpoints. */
  logicalBytes: number
  /** The LevelDB directory after a full compaction (tombstones of dropped envelopes gone). */
  diskBytes: number
  writeMs: number
  /** Median over reps: createWeft() + open() until the text is complete, ms. */
  coldStartMs: number
  coldStartSamples: number[]
  /** Median over reps: the open() part of it alone, ms. */
  openMs: number
  /** Median over reps, on the reopened document: history() and versionAt(time of the middle edit), ms. */
  historyMs: number
  versionAtMs: number
  /** Entries history() listed, and the length of the text versionAt(middle) rebuilt. */
  historyEntries: number
  versionAtLength: number
  reps: number
}

export async function runHistory (
  ctx: ScenarioContext, edits: number
): Promise<{ rows: HistoryBenchRow[], skipped: SkipNote[] }> {
  if (!ctx.systems.includes('weft')) return { rows: [], skipped: [] }
  const rows: HistoryBenchRow[] = []
  const skipped: SkipNote[] = []
  for (const history of ['full', 'none'] as const) {
    try {
      rows.push(await withTimeout(measure(history, edits, ctx.quick ? 3 : 9), ctx.quick ? 60_000 : 240_000,
        `history ${history}`))
    } catch (err) {
      log(`history ${history}: failed: ${errMsg(err)}`)
      skipped.push({ scenario: `history ${history}`, system: 'weft', reason: errMsg(err) })
    }
  }
  return { rows, skipped }
}

async function measure (history: 'full' | 'none', edits: number, reps: number): Promise<HistoryBenchRow> {
  const dir = tempDataDir()
  let w: Weft | undefined
  try {
    const createWeft = await loadWeft()
    log(`history ${history}: writing ${edits} edits, one envelope each`)
    w = await createWeft(weftOptions('tcp', { dataDir: dir, history }))
    const h = await w.create()
    const text = h.doc.getText(TEXT)
    const rnd = mulberry32(11)
    const t0 = performance.now()
    let middle = 0
    for (let i = 0; i < edits; i++) {
      text.insert(Math.floor(rnd() * (text.length + 1)), 'a')
      await h.flush()
      if (i === Math.floor(edits / 2) - 1) middle = Date.now()
    }
    const writeMs = performance.now() - t0
    const expected = text.toString()
    await h.close() // writes the last checkpoint when enough is behind the previous one
    await w.stop()
    w = undefined
    const { logicalBytes, envelopesKept } = await storeBytes(dir, h.id)

    const coldStartSamples: number[] = []
    const openSamples: number[] = []
    const historySamples: number[] = []
    const versionSamples: number[] = []
    let historyEntries = 0
    let versionAtLength = 0
    for (let r = 0; r < reps; r++) {
      const s0 = performance.now()
      w = await createWeft(weftOptions('tcp', { dataDir: dir, history }))
      const sOpen = performance.now()
      const opened = await w.open(h.id)
      await waitFor(() => opened.doc.getText(TEXT).length === edits, 30_000, 'cold open reaching full length', 1)
      coldStartSamples.push(performance.now() - s0)
      openSamples.push(performance.now() - sOpen)
      if (opened.doc.getText(TEXT).toString() !== expected) throw new Error('reopened text differs')
      const s1 = performance.now()
      historyEntries = (await opened.history()).length
      const s2 = performance.now()
      const version = await opened.versionAt(middle)
      versionSamples.push(performance.now() - s2)
      historySamples.push(s2 - s1)
      versionAtLength = version.getText(TEXT).length
      version.destroy()
      await opened.close()
      await w.stop()
      w = undefined
    }
    const row: HistoryBenchRow = {
      history,
      edits,
      envelopesKept,
      logicalBytes,
      diskBytes: directoryBytes(dir),
      writeMs,
      coldStartMs: summarize(coldStartSamples).p50,
      coldStartSamples,
      openMs: summarize(openSamples).p50,
      historyMs: summarize(historySamples).p50,
      versionAtMs: summarize(versionSamples).p50,
      historyEntries,
      versionAtLength,
      reps
    }
    log(`history ${history}: ${envelopesKept} envelopes kept, ${(logicalBytes / 1024).toFixed(0)} KiB logical, ` +
      `${(row.diskBytes / 1024).toFixed(0)} KiB on disk; cold start ${row.coldStartMs.toFixed(1)} ms ` +
      `(open ${row.openMs.toFixed(1)} ms); ` +
      `history() ${row.historyMs.toFixed(1)} ms, versionAt ${row.versionAtMs.toFixed(1)} ms`)
    return row
  } finally {
    await (w as Weft | undefined)?.stop().catch(() => {})
    removeDir(dir)
  }
}

/** Bytes the store holds for one document (read with the engine stopped), then a full compaction. */
async function storeBytes (dir: string, docId: string): Promise<{ logicalBytes: number, envelopesKept: number }> {
  const db = new ClassicLevel<string, Uint8Array>(join(dir, 'store'), { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  try {
    let logicalBytes = 0
    let envelopesKept = 0
    for (const prefix of [`e!${docId}!`, `c!${docId}`, `b!${docId}!`]) {
      for await (const [key, value] of db.iterator({ gte: prefix, lt: prefix + '~' })) {
        logicalBytes += Buffer.byteLength(key) + value.byteLength
        if (prefix.startsWith('e!')) envelopesKept++
      }
    }
    await db.compactRange('\u0000', '\uffff')
    return { logicalBytes, envelopesKept }
  } finally {
    await db.close()
  }
}

function directoryBytes (dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size
  }
  return total
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const edits = Number(process.argv[2] ?? 5000)
  const { rows, skipped } = await runHistory({ quick: false, systems: ['weft'] }, edits)
  process.stdout.write(JSON.stringify({ scenario: 'history', rows, skipped }, null, 2) + '\n')
  process.exit(skipped.length > 0 ? 1 : 0)
}
