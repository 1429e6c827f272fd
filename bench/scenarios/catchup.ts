/**
 * Scenario: a peer offline during E single-character edits comes back. Time until its document
 * converges, and bytes moved, against the ideal: the size of Y.encodeStateAsUpdate(doc, itsStateVector).
 * - y-websocket: client B disconnects, client A edits through the server, B reconnects (B keeps its Y.Doc).
 * - weft: peer B (LevelDB) stops, peer A edits, B starts again from its data dir and reopens the document.
 * - bare mesh: not run, it has no repair protocol (a returning peer never receives what it missed).
 * Edits are made one per event-loop turn, so each is its own update / envelope, like typing.
 */
import * as Y from 'yjs'
import { startYwsServer, connectClient, whenClientSynced, forgetRoom } from '../baselines/ywebsocket.js'
import { loadWeft, weftOptions, tempDataDir, removeDir, weftSyncProtocol } from '../systems/weft.js'
import type { Weft, DocHandle } from '../../src/types.js'
import { TEXT } from '../systems/types.js'
import { ByteMeter } from '../lib/byte-meter.js'
import { uniqueName } from '../lib/random.js'
import { tick, waitFor, withTimeout } from '../lib/time.js'
import { log, errMsg } from '../lib/log.js'
import type { ScenarioContext, SkipNote } from './context.js'
import { profileWindow } from '../lib/profiler.js'

export interface CatchupRow {
  system: 'weft' | 'y-websocket'
  edits: number
  /** Bytes of Y.encodeStateAsUpdate(writerDoc, returningPeerStateVector). */
  idealBytes: number
  /** Bytes counted for the catch-up (see `bytesWhat`), received + sent by the returning peer. */
  bytes: number
  bytesWhat: string
  /** All bytes the returning peer moved in the window, by protocol (weft) or direction. */
  breakdown: Record<string, { rx: number, tx: number }>
  /** From "comes back" until its text equals the writer's, ms. */
  convergeMs: number
  /** Parts of convergeMs (weft: node start, open(), sync). */
  phases: Record<string, number>
  /** Time the writer took to make the edits, ms (for context). */
  writeMs: number
}

async function typeEdits (text: Y.Text, edits: number): Promise<number> {
  const t0 = performance.now()
  for (let i = 0; i < edits; i++) {
    text.insert(text.length, String.fromCharCode(97 + (i % 26)))
    await tick()
  }
  return performance.now() - t0
}

export async function catchupYws (edits: number, timeoutMs: number): Promise<CatchupRow> {
  const server = await startYwsServer()
  const room = uniqueName('catchup')
  const a = connectClient(server.url, room)
  const b = connectClient(server.url, room)
  try {
    await whenClientSynced(a, 10_000)
    await whenClientSynced(b, 10_000)
    a.text.insert(0, 'start ')
    await waitFor(() => b.text.length === a.text.length, 10_000, 'initial sync')
    b.provider.disconnect()
    await waitFor(() => !b.provider.wsconnected, 5000, 'disconnect')
    const writeMs = await typeEdits(a.text, edits)
    await waitFor(() => a.provider.ws?.bufferedAmount === 0, timeoutMs, 'writer flushed')
    const ideal = Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)).byteLength
    b.bytes.rx = 0
    b.bytes.tx = 0
    const t0 = performance.now()
    b.provider.connect()
    await waitFor(() => b.text.length === a.text.length, timeoutMs, 'y-websocket catch-up', 1)
    const convergeMs = performance.now() - t0
    if (b.text.toString() !== a.text.toString()) throw new Error('y-websocket catch-up: texts differ')
    return {
      system: 'y-websocket',
      edits,
      idealBytes: ideal,
      bytes: b.bytes.rx + b.bytes.tx,
      bytesWhat: 'WebSocket message payloads, rx+tx (sync step 1/2 + awareness)',
      breakdown: { websocket: { rx: b.bytes.rx, tx: b.bytes.tx } },
      convergeMs,
      phases: { reconnectAndSync: convergeMs },
      writeMs
    }
  } finally {
    a.provider.destroy()
    b.provider.destroy()
    await server.close()
    forgetRoom(room)
  }
}

export async function catchupWeft (edits: number, timeoutMs: number): Promise<CatchupRow> {
  const createWeft = await loadWeft()
  const WEFT_SYNC_PROTOCOL = await weftSyncProtocol()
  const dirA = tempDataDir()
  const dirB = tempDataDir()
  const live: Weft[] = []
  try {
    const a = await createWeft(weftOptions('tcp', { dataDir: dirA }))
    live.push(a)
    const ha = await a.create()
    const textA = ha.doc.getText(TEXT)
    const bootstrap = [a.multiaddrs[0]]
    const b1 = await createWeft(weftOptions('tcp', { dataDir: dirB, bootstrap }))
    live.push(b1)
    const hb1 = await b1.open(ha.id)
    await hb1.whenSynced({ signal: AbortSignal.timeout(15_000) })
    textA.insert(0, 'start ')
    await waitFor(() => hb1.doc.getText(TEXT).length === textA.length, 10_000, 'initial sync')
    await hb1.flush()
    const sv = Y.encodeStateVector(hb1.doc)
    await hb1.close()
    await b1.stop()
    live.splice(live.indexOf(b1), 1)

    const writeMs = await typeEdits(textA, edits)
    await ha.flush()
    const ideal = Y.encodeStateAsUpdate(ha.doc, sv).byteLength

    const meter = new ByteMeter()
    const { t0, tStarted, tOpened, tDone, hb2 } = await profileWindow('weft', 'catchup return', async () => {
      const t0 = performance.now()
      const b2 = await createWeft(weftOptions('tcp', { dataDir: dirB, bootstrap, libp2pMetrics: meter.factory }))
      live.push(b2)
      const tStarted = performance.now()
      const hb2: DocHandle = await b2.open(ha.id)
      const tOpened = performance.now()
      await waitFor(() => hb2.doc.getText(TEXT).length === textA.length, timeoutMs, 'weft catch-up', 1)
      return { t0, tStarted, tOpened, tDone: performance.now(), hb2 }
    })
    const textB = hb2.doc.getText(TEXT)
    if (textB.toString() !== textA.toString()) throw new Error('weft catch-up: texts differ')
    const snap = meter.snapshot()
    const sync = snap.protocols[WEFT_SYNC_PROTOCOL] ?? { rx: 0, tx: 0 }
    return {
      system: 'weft',
      edits,
      idealBytes: ideal,
      bytes: sync.rx + sync.tx,
      bytesWhat: `${WEFT_SYNC_PROTOCOL} stream payloads, rx+tx (other protocols in breakdown)`,
      breakdown: { ...snap.protocols, 'wire (all, incl. noise/yamux)': snap.wire },
      convergeMs: tDone - t0,
      phases: { startNode: tStarted - t0, open: tOpened - tStarted, syncAfterOpen: tDone - tOpened },
      writeMs
    }
  } finally {
    await Promise.allSettled(live.map(async w => { await w.stop() }))
    removeDir(dirA)
    removeDir(dirB)
  }
}

export async function runCatchup (
  ctx: ScenarioContext,
  edits: number
): Promise<{ rows: CatchupRow[], skipped: SkipNote[] }> {
  const rows: CatchupRow[] = []
  const skipped: SkipNote[] = []
  const timeoutMs = ctx.quick ? 20_000 : 60_000
  const runs: Array<['weft' | 'y-websocket', () => Promise<CatchupRow>]> = [
    ['y-websocket', async () => await catchupYws(edits, timeoutMs)],
    ['weft', async () => await catchupWeft(edits, timeoutMs)]
  ]
  for (const [system, run] of runs) {
    if (!ctx.systems.includes(system)) continue
    try {
      log(`catch-up ${system}: ${edits} edits while offline`)
      const row = await withTimeout(run(), timeoutMs * 3, `catch-up ${system}`)
      rows.push(row)
      log(`catch-up ${system}: ${row.convergeMs.toFixed(1)} ms, ${row.bytes} B (ideal ${row.idealBytes} B)`)
    } catch (err) {
      skipped.push({ scenario: 'catch-up', system, reason: errMsg(err) })
      log(`catch-up ${system}: failed: ${errMsg(err)}`)
    }
  }
  if (ctx.systems.includes('mesh')) {
    skipped.push({
      scenario: 'catch-up',
      system: 'mesh',
      reason: 'not applicable: the bare mesh has no repair protocol or persistence, ' +
        'a returning peer never gets what it missed'
    })
  }
  return { rows, skipped }
}
