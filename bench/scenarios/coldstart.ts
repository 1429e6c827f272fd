/**
 * Scenario: cold start. A weft peer writes a document of `ops` single-character operations (random
 * positions, `opsPerTurn` per event-loop turn, so the log holds ~ops/opsPerTurn envelopes) to LevelDB,
 * stops, starts again from the same directory and opens the document. Compared with the floor:
 * Y.applyUpdate of the same state into a fresh Y.Doc, then reading its text's length (as weft's is timed).
 */
import * as Y from 'yjs'
import { loadWeft, weftOptions, tempDataDir, removeDir } from '../systems/weft.js'
import type { Weft } from '../../src/types.js'
import { TEXT } from '../systems/types.js'
import { mulberry32 } from '../lib/random.js'
import { tick, waitFor, withTimeout } from '../lib/time.js'
import { summarize } from '../lib/stats.js'
import { log, errMsg } from '../lib/log.js'
import type { ScenarioContext, SkipNote } from './context.js'
import { profileWindow } from '../lib/profiler.js'

export interface ColdStartRow {
  ops: number
  opsPerTurn: number
  stateBytes: number
  writeMs: number
  /** Median over reps: time of `open(id)` until the text is complete, ms (node already started). */
  openMs: number
  /** Median over reps: createWeft() on the existing data dir, ms. */
  startNodeMs: number
  /** Median Y.applyUpdate(new Y.Doc(), state) time, ms (measured before and after each weft rep). */
  floorMs: number
  reps: number
  openSamples: number[]
  floorSamples: number[]
}

export async function runColdStart (
  ctx: ScenarioContext,
  ops: number
): Promise<{ row?: ColdStartRow, skipped: SkipNote[] }> {
  if (!ctx.systems.includes('weft')) return { skipped: [] }
  const opsPerTurn = 10
  const reps = ctx.quick ? 3 : 5
  const dir = tempDataDir()
  let w: Weft | undefined
  try {
    return await withTimeout((async () => {
      const createWeft = await loadWeft()
      log(`cold start: writing ${ops} ops to LevelDB`)
      w = await createWeft(weftOptions('tcp', { dataDir: dir }))
      const h = await w.create()
      const text = h.doc.getText(TEXT)
      const rnd = mulberry32(7)
      const t0 = performance.now()
      for (let i = 0; i < ops;) {
        for (let j = 0; j < opsPerTurn && i < ops; j++, i++) text.insert(Math.floor(rnd() * (text.length + 1)), 'a')
        await tick()
      }
      await h.flush()
      const writeMs = performance.now() - t0
      const state = Y.encodeStateAsUpdate(h.doc)
      const expected = text.toString()
      await h.close()
      await w.stop()
      w = undefined

      // floor and weft alternate, so both see the same machine load
      const floor = (): number => {
        const d = new Y.Doc()
        const s = performance.now()
        Y.applyUpdate(d, state)
        // Reading the text back is in the timing, as it is in weft's (its open counts until the text
        // is complete): the first getText turns the decoded type into a Y.Text, O(items).
        const length = d.getText(TEXT).length
        const took = performance.now() - s
        if (length !== ops) throw new Error('floor: wrong length')
        d.destroy()
        return took
      }
      floor() // warm the JIT for Yjs decoding, which weft's open uses too
      const floorSamples: number[] = []
      const openSamples: number[] = []
      const startSamples: number[] = []
      for (let r = 0; r < reps; r++) {
        floorSamples.push(floor())
        const s0 = performance.now()
        w = await createWeft(weftOptions('tcp', { dataDir: dir }))
        const s1 = performance.now()
        const ww = w
        const h2 = await profileWindow('weft', `coldstart open rep ${r}`, async () => {
          const opened = await ww.open(h.id)
          await waitFor(() => opened.doc.getText(TEXT).length === ops, 30_000, 'cold open reaching full length', 1)
          return opened
        })
        const t2 = h2.doc.getText(TEXT)
        const s2 = performance.now()
        if (t2.toString() !== expected) throw new Error('cold start: reopened text differs')
        startSamples.push(s1 - s0)
        openSamples.push(s2 - s1)
        await h2.close()
        await w.stop()
        w = undefined
        floorSamples.push(floor())
      }
      const row: ColdStartRow = {
        ops,
        opsPerTurn,
        stateBytes: state.byteLength,
        writeMs,
        openMs: summarize(openSamples).p50,
        startNodeMs: summarize(startSamples).p50,
        floorMs: summarize(floorSamples).p50,
        reps,
        openSamples,
        floorSamples
      }
      log(`cold start: open ${row.openMs.toFixed(1)} ms vs floor ${row.floorMs.toFixed(1)} ms ` +
        `(node start ${row.startNodeMs.toFixed(0)} ms)`)
      return { row, skipped: [] }
    })(), ctx.quick ? 40_000 : 240_000, 'cold start')
  } catch (err) {
    log(`cold start: failed: ${errMsg(err)}`)
    return { skipped: [{ scenario: 'cold start', system: 'weft', reason: errMsg(err) }] }
  } finally {
    await (w as Weft | undefined)?.stop().catch(() => {})
    removeDir(dir)
  }
}
