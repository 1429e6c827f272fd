/**
 * Scenario: the notes app with a big notebook (issue 13, item 4). Through the app's own
 * main-process service (demo/notes/main/notes-service.ts, what Electron's main process runs), a
 * device creates a notebook of `notes` notes (a title line and a short body each), stops, and
 * starts again on the same data dir. Measured: the time from NotesService.start() until
 * listNotes() holds every note with its title (what the notebook list shows), the documents open
 * after it, the heap after a forced GC, and idle CPU (% of one core) over `idleMs` with the app
 * open and one note shown (openNote), alone on loopback (no peer: the cost of an idle app itself).
 *
 * A second row, "served", projects what the app would cost if it leased only what it shows: on
 * the same store, a bare weft peer opens the notebook document (whose entries already hold every
 * title and preview), `serve()`s every note, opens one, and is measured the same way once the
 * served notes went dormant (`unloadIdleAfterMs` of `servedUnloadMs`). The app does not do this
 * (yet): search, per-note sync state, confirmation times and title fix-ups read live handles.
 *
 * Standalone: `node --import tsx bench/scenarios/notes-notebook.ts [notes] [idleMs]` prints the row as JSON.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { NotesService } from '../../demo/notes/main/notes-service.js'
import { Notebook } from '../../demo/notes/main/notebook.js'
import { loadWeft, weftOptions, tempDataDir, removeDir } from '../systems/weft.js'
import { fullGc, heapUsed } from '../lib/gc.js'
import { sleep, waitFor, withTimeout } from '../lib/time.js'
import { log, errMsg } from '../lib/log.js'
import type { ScenarioContext, SkipNote } from './context.js'

export interface NotesNotebookRow {
  /** 'app': NotesService as it is (every note a live handle); 'served': the projection above. */
  variant: 'app' | 'served'
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
  /** served: weft_documents_dormant when the idle window starts. */
  documentsDormant?: number
  heapUsedBytes: number
  idleWindowMs: number
  idleCpuPercent: number
}

const titleOf = (i: number): string => `Note ${i}`

export async function runNotesNotebook (
  ctx: ScenarioContext, notes: number, idleMs: number
): Promise<{ rows: NotesNotebookRow[], skipped: SkipNote[] }> {
  if (!ctx.systems.includes('weft')) return { rows: [], skipped: [] }
  const dataDir = tempDataDir()
  const rows: NotesNotebookRow[] = []
  try {
    const { row, notebookId } = await withTimeout(measureApp(dataDir, notes, idleMs), 120_000 + idleMs, 'notes app')
    rows.push(row)
    rows.push(await withTimeout(measureServed(dataDir, notebookId, notes, idleMs), 120_000 + idleMs, 'served notes'))
    return { rows, skipped: [] }
  } catch (err) {
    log(`notes notebook: failed: ${errMsg(err)}`)
    return { rows, skipped: [{ scenario: 'notes notebook', system: 'weft', reason: errMsg(err) }] }
  } finally {
    removeDir(dataDir)
  }
}

const servedUnloadMs = 3_000

/** Idle CPU of this process (% of one core) over `ms`, after a second for the start's own timers to settle. */
async function idleCpuOf (ms: number): Promise<{ idleWindowMs: number, idleCpuPercent: number }> {
  await sleep(1_000)
  const c0 = process.cpuUsage()
  const w0 = performance.now()
  await sleep(ms)
  const cpu = process.cpuUsage(c0)
  const idleWindowMs = performance.now() - w0
  return { idleWindowMs, idleCpuPercent: (cpu.user + cpu.system) / 1000 / idleWindowMs * 100 }
}

async function measureApp (
  dataDir: string, notes: number, idleMs: number
): Promise<{ row: NotesNotebookRow, notebookId: string }> {
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
    const { idleWindowMs, idleCpuPercent } = await idleCpuOf(idleMs)
    log(`notes notebook (app): list of ${notes} shown in ${listShownMs.toFixed(0)} ms, ` +
      `${documentsOpen} documents open, idle CPU ${idleCpuPercent.toFixed(2)} %`)
    const row: NotesNotebookRow = {
      variant: 'app',
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
    return { row, notebookId: service.status().notebook.id }
  } finally {
    await service?.stop()
  }
}

async function measureServed (
  dataDir: string, notebookId: string, notes: number, idleMs: number
): Promise<NotesNotebookRow> {
  const createWeft = await loadWeft()
  const expected = new Set(Array.from({ length: notes }, (_, i) => titleOf(i)))
  const t0 = performance.now()
  const w = await createWeft(weftOptions('tcp', {
    dataDir: join(dataDir, 'weft'), unloadIdleAfterMs: servedUnloadMs
  }))
  try {
    const startMs = performance.now() - t0
    const notebook = new Notebook(await w.open(notebookId))
    const list = notebook.list()
    const titlesListed = list.filter(n => expected.has(n.title)).length
    const listShownMs = performance.now() - t0
    if (titlesListed < notes) throw new Error(`only ${titlesListed} of ${notes} titles in the notebook document`)
    const s0 = performance.now()
    const shown = await w.open(list[0].id)
    Y.encodeStateAsUpdate(shown.doc) // what openNote() sends the renderer
    const showNoteMs = performance.now() - s0
    for (const note of list) await w.serve(note.id)
    const documentsOpen = w.metrics.gauges().weft_documents_open ?? Number.NaN
    await waitFor(() => (w.metrics.gauges().weft_documents_dormant ?? 0) >= notes - 1, servedUnloadMs + 20_000,
      'served notes dormant')
    const documentsDormant = w.metrics.gauges().weft_documents_dormant ?? Number.NaN
    await fullGc()
    const heapUsedBytes = heapUsed()
    const { idleWindowMs, idleCpuPercent } = await idleCpuOf(idleMs)
    log(`notes notebook (served): list of ${notes} shown in ${listShownMs.toFixed(0)} ms, ` +
      `${documentsDormant} dormant, idle CPU ${idleCpuPercent.toFixed(2)} %`)
    return {
      variant: 'served',
      notes,
      createMs: 0,
      listShownMs,
      startMs,
      titlesListed,
      showNoteMs,
      documentsOpen,
      documentsDormant,
      heapUsedBytes,
      idleWindowMs,
      idleCpuPercent
    }
  } finally {
    await w.stop()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const notes = Number(process.argv[2] ?? 500)
  const idleMs = Number(process.argv[3] ?? 20_000)
  const { rows, skipped } = await runNotesNotebook({ quick: false, systems: ['weft'] }, notes, idleMs)
  for (const row of rows) process.stdout.write(JSON.stringify({ scenario: 'notes-notebook', ...row }) + '\n')
  if (skipped.length > 0) process.stdout.write(JSON.stringify({ scenario: 'notes-notebook', skipped }) + '\n')
  process.exit(skipped.length > 0 ? 1 : 0)
}
