/**
 * Scenario: the notes app with a big notebook (issue 13, item 4). Through the app's own
 * main-process service (demo/notes/main/notes-service.ts, what Electron's main process runs), a
 * device creates a notebook of `notes` notes (a title line and a short body each), stops, and
 * starts again on the same data dir. Measured: the time from NotesService.start() until
 * listNotes() holds every note with its title (what the notebook list shows), the documents open
 * after it, the heap after a forced GC, and idle CPU (% of one core) over `idleMs` with the app
 * open and one note shown (openNote), alone on loopback (no peer: the cost of an idle app itself).
 *
 * Standalone: `node --import tsx bench/scenarios/notes-notebook.ts [notes] [idleMs]` prints the row as JSON.
 */
import { fileURLToPath } from 'node:url'
import { NotesService } from '../../demo/notes/main/notes-service.js'
import { tempDataDir, removeDir } from '../systems/weft.js'
import { fullGc, heapUsed } from '../lib/gc.js'
import { sleep, withTimeout } from '../lib/time.js'
import { log, errMsg } from '../lib/log.js'
import type { ScenarioContext, SkipNote } from './context.js'

export interface NotesNotebookRow {
  notes: number
  /** Creating the notes through createNote() (first run), ms. */
  createMs: number
  /** NotesService.start() on the data dir until listNotes() has every note with its title, ms. */
  listShownMs: number
  /** The part of it spent in NotesService.start(), ms. */
  startMs: number
  /** Titles listed that match what was written (should be `notes`). */
  titlesListed: number
  /** openNote() of one note after the list is shown, ms. */
  showNoteMs: number
  /** weft_documents_open after the start (the notebook counts as one). */
  documentsOpen: number
  heapUsedBytes: number
  idleWindowMs: number
  idleCpuPercent: number
}

const titleOf = (i: number): string => `Note ${i}`

export async function runNotesNotebook (
  ctx: ScenarioContext, notes: number, idleMs: number
): Promise<{ row?: NotesNotebookRow, skipped: SkipNote[] }> {
  if (!ctx.systems.includes('weft')) return { skipped: [] }
  try {
    return { row: await withTimeout(measure(notes, idleMs), 120_000 + idleMs, 'notes notebook'), skipped: [] }
  } catch (err) {
    log(`notes notebook: failed: ${errMsg(err)}`)
    return { skipped: [{ scenario: 'notes notebook', system: 'weft', reason: errMsg(err) }] }
  }
}

async function measure (notes: number, idleMs: number): Promise<NotesNotebookRow> {
  const dataDir = tempDataDir()
  const options = { dataDir, host: '127.0.0.1', weft: { mdns: false } }
  let service: NotesService | undefined
  try {
    service = await NotesService.start(options)
    let t0 = performance.now()
    for (let i = 0; i < notes; i += 25) {
      await Promise.all(Array.from({ length: Math.min(25, notes - i) }, async (_, j) =>
        await service?.createNote(`${titleOf(i + j)}\nsome text of note ${i + j}, as typed`)))
    }
    const createMs = performance.now() - t0
    log(`notes notebook: ${notes} notes created in ${(createMs / 1000).toFixed(1)} s`)
    await service.stop()
    service = undefined

    const expected = new Set(Array.from({ length: notes }, (_, i) => titleOf(i)))
    t0 = performance.now()
    service = await NotesService.start(options)
    const startMs = performance.now() - t0
    const listed = (s: NotesService): number => s.listNotes().filter(n => expected.has(n.title)).length
    while (listed(service) < notes) {
      if (performance.now() - t0 > 60_000) {
        throw new Error(`only ${listed(service)} of ${notes} titles listed after 60 s`)
      }
      await sleep(5)
    }
    const listShownMs = performance.now() - t0
    const titlesListed = listed(service)
    const first = service.listNotes()[0]
    t0 = performance.now()
    await service.openNote(first.id)
    const showNoteMs = performance.now() - t0
    const documentsOpen = service.weft.metrics.gauges().weft_documents_open ?? Number.NaN
    await fullGc()
    const heapUsedBytes = heapUsed()

    await sleep(1_000) // the start's own timers (status, list) settle first
    const c0 = process.cpuUsage()
    const w0 = performance.now()
    await sleep(idleMs)
    const cpu = process.cpuUsage(c0)
    const idleWindowMs = performance.now() - w0
    const idleCpuPercent = (cpu.user + cpu.system) / 1000 / idleWindowMs * 100
    log(`notes notebook: list of ${notes} shown in ${listShownMs.toFixed(0)} ms, ` +
      `${documentsOpen} documents open, idle CPU ${idleCpuPercent.toFixed(2)} %`)
    return {
      notes,
      createMs,
      listShownMs,
      startMs,
      titlesListed,
      showNoteMs,
      documentsOpen,
      heapUsedBytes,
      idleWindowMs,
      idleCpuPercent
    }
  } finally {
    await service?.stop()
    removeDir(dataDir)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const notes = Number(process.argv[2] ?? 500)
  const idleMs = Number(process.argv[3] ?? 20_000)
  const { row, skipped } = await runNotesNotebook({ quick: false, systems: ['weft'] }, notes, idleMs)
  process.stdout.write(JSON.stringify({ scenario: 'notes-notebook', row, skipped }) + '\n')
  process.exit(skipped.length > 0 ? 1 : 0)
}
