/**
 * Scenario (weft only, part of "manydocs"): documents that live in the store, not all in memory.
 * "stored": S documents are created on a peer with no neighbours (create, one edit, close: each
 *   create() handle is one lease, closed at once), the node stops and restarts on the same LevelDB,
 *   a partner peer (child process) connects, and D of the S documents are opened. Measured: open
 *   time of the D, heap per open document after a forced GC, idle CPU of this process.
 * "served": a daemon-like peer restarts on that store with a small `unloadIdleAfterMs` and serves
 *   D stored documents (`weft.serve`, no handle). A new partner opens all D (synced from the served,
 *   dormant copies) and appends one character to each, which wakes them here; after the idle window
 *   they should be dormant again. Measured: heap per served document, idle CPU, the gauges
 *   weft_documents_open / _served / _dormant at each step, and (on a sample reopened at the end)
 *   whether the partner's edits were kept.
 */
import { ChildPeer } from '../lib/child-peer.js'
import { fullGc, heapUsed } from '../lib/gc.js'
import { sleep, waitFor, withTimeout } from '../lib/time.js'
import { log, errMsg } from '../lib/log.js'
import { loadWeft, weftOptions, tempDataDir, removeDir } from '../systems/weft.js'
import type { DocHandle, Weft } from '../../src/types.js'
import { TEXT } from '../systems/types.js'
import type { ScenarioContext, SkipNote } from './context.js'
import { idleCpu } from './manydocs.js'

export interface StoredDocsRow {
  stored: number
  opened: number
  /** Creating (and closing) the S documents on a peer with no neighbours, ms. */
  createMs: number
  /** createWeft() on the store of S documents, ms. */
  restartMs: number
  /** storedDocuments().length after the restart (should be S). */
  storedFound: number
  /** Opening D of them (open() handles, in parallel batches of 50), ms. */
  openMs: number
  heapPerDocBytes: number
  idleWindowMs: number
  idleCpuPercent: number
  partnerIdleCpuPercent: number
  /** Engine counters that moved during the idle window. */
  idleActivity: Record<string, number>
  gauges: Record<string, number>
}

export interface ServedDocsRow {
  docs: number
  unloadIdleAfterMs: number
  /** serve() of the D stored documents, ms. */
  serveMs: number
  /** Gauges right after serve(), after the partner synced and edited (peak), and after the idle window. */
  gaugesAfterServe: Record<string, number>
  peakOpen: number
  gaugesAfterIdle: Record<string, number>
  /** Documents the partner synced from the served copies, and how long that took, ms. */
  partnerSynced: number
  partnerSyncMs: number
  /** Partner edits flushed (one per document). */
  partnerEdits: number
  /** From the partner's edits (flushed there) until the first served document here was loaded again, ms. */
  firstWakeMs: number | null
  /** From the partner's edits until every served document was dormant again, ms (null: not within the bound). */
  allDormantMs: number | null
  /** Dormant documents at the end of the idle window. */
  dormantAfterIdle: number
  heapPerDocServedBytes: number
  heapPerDocAfterIdleBytes: number
  idleWindowMs: number
  idleCpuPercent: number
  partnerIdleCpuPercent: number
  /** Engine counters that moved during the idle window. */
  idleActivity: Record<string, number>
  /** Documents reopened at the end to check the partner's edit was applied and kept. */
  sampleChecked: number
  sampleWithEdit: number
}

const gaugesOf = (w: Weft): Record<string, number> => {
  const g = w.metrics.gauges()
  return {
    open: g.weft_documents_open ?? Number.NaN,
    served: g.weft_documents_served ?? Number.NaN,
    dormant: g.weft_documents_dormant ?? Number.NaN,
    peers: g.weft_peers_connected ?? Number.NaN
  }
}

async function startPartner (w: Weft, label: string): Promise<ChildPeer> {
  const partner = ChildPeer.spawn(label)
  await withTimeout(partner.ready, 30_000, 'partner process')
  await partner.call('weft-start', { bootstrap: [w.multiaddrs[0]] })
  await waitFor(() => w.connectedPeers().length > 0, 10_000, 'partner connected')
  return partner
}

/** Runs `fn` over `items` with at most `width` in flight. */
async function inBatches<T, R> (items: T[], width: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += width) out.push(...await Promise.all(items.slice(i, i + width).map(fn)))
  return out
}

async function storedCase (dir: string, stored: number, opened: number,
  idleMs: number): Promise<{ row: StoredDocsRow, ids: string[] }> {
  const createWeft = await loadWeft()
  let w = await createWeft(weftOptions('tcp', { dataDir: dir }))
  const ids: string[] = []
  let t0 = performance.now()
  try {
    await inBatches(Array.from({ length: stored }, (_, i) => i), 50, async () => {
      const h = await w.create()
      h.doc.getText(TEXT).insert(0, 'hello')
      ids.push(h.id)
      await h.close()
    })
  } finally {
    await w.stop()
  }
  const createMs = performance.now() - t0
  log(`stored documents: ${stored} created and closed in ${(createMs / 1000).toFixed(1)} s`)
  t0 = performance.now()
  w = await createWeft(weftOptions('tcp', { dataDir: dir }))
  const restartMs = performance.now() - t0
  let partner: ChildPeer | undefined
  const handles: DocHandle[] = []
  try {
    const storedFound = (await w.storedDocuments()).length
    partner = await startPartner(w, 'weft-partner (stored)')
    await sleep(500)
    await fullGc()
    const heap0 = heapUsed()
    t0 = performance.now()
    handles.push(...await inBatches(ids.slice(0, opened), 50, async id => await w.open(id)))
    const openMs = performance.now() - t0
    await sleep(500)
    await fullGc()
    const heap1 = heapUsed()
    const idle = await idleCpu(partner, idleMs, w)
    const row: StoredDocsRow = {
      stored,
      opened,
      createMs,
      restartMs,
      storedFound,
      openMs,
      heapPerDocBytes: (heap1 - heap0) / opened,
      idleWindowMs: idleMs,
      idleCpuPercent: idle.self,
      partnerIdleCpuPercent: idle.partner,
      idleActivity: idle.activity ?? {},
      gauges: gaugesOf(w)
    }
    return { row, ids }
  } finally {
    await Promise.allSettled(handles.map(async h => { await h.close() }))
    await w.stop()
    await partner?.stop()
  }
}

async function servedCase (dir: string, ids: string[], unloadIdleAfterMs: number, idleMs: number,
  syncBoundMs: number): Promise<ServedDocsRow> {
  const createWeft = await loadWeft()
  const docs = ids.length
  const w = await createWeft(weftOptions('tcp', { dataDir: dir, unloadIdleAfterMs }))
  let partner: ChildPeer | undefined
  try {
    partner = await startPartner(w, 'weft-partner (served)')
    await sleep(500)
    await fullGc()
    const heap0 = heapUsed()
    let t0 = performance.now()
    await inBatches(ids, 50, async id => { await w.serve(id) })
    const serveMs = performance.now() - t0
    await sleep(500)
    await fullGc()
    const heapServed = heapUsed()
    const gaugesAfterServe = gaugesOf(w)
    log(`served documents: ${docs} served in ${serveMs.toFixed(0)} ms, gauges ${JSON.stringify(gaugesAfterServe)}`)

    let peakOpen = 0
    const poll = setInterval(() => { peakOpen = Math.max(peakOpen, gaugesOf(w).open) }, 50)
    let partnerSynced = 0
    let partnerEdits = 0
    let partnerSyncMs = 0
    let allDormantMs: number | null = null
    let firstWakeMs: number | null = null
    try {
      t0 = performance.now()
      const open = { ids, sync: true, timeoutMs: syncBoundMs }
      const r = await partner.call<{ synced: number }>('weft-open', open, syncBoundMs + 30_000)
      partnerSynced = r.synced
      partnerSyncMs = performance.now() - t0
      partnerEdits = await partner.call<number>('weft-edit', { ids }, 60_000)
      t0 = performance.now()
      // the edits travel by gossip after the partner's flush: first the wakes (documents loaded again) ...
      await waitFor(() => peakOpen > 0, 10_000, 'a served document waking on the partner\'s edit', 20)
        .then(() => { firstWakeMs = performance.now() - t0 }, err => { log(`served documents: ${errMsg(err)}`) })
      // ... then every document unloaded again once idle for unloadIdleAfterMs
      await waitFor(() => {
        const g = gaugesOf(w)
        return g.dormant === docs && g.open === 0
      }, 2 * unloadIdleAfterMs + 20_000, 'every served document dormant again', 50)
        .then(() => { allDormantMs = performance.now() - t0 }, err => { log(`served documents: ${errMsg(err)}`) })
    } finally {
      clearInterval(poll)
    }
    const when = (x: number | null): string => x === null ? 'never' : `${x.toFixed(0)} ms`
    log(`served documents: partner synced ${partnerSynced}/${docs} in ${partnerSyncMs.toFixed(0)} ms, ` +
      `edited ${partnerEdits}; peak loaded ${peakOpen}, first wake ${when(firstWakeMs)}, ` +
      `all dormant ${when(allDormantMs)} after the edits`)
    await fullGc()
    const idle = await idleCpu(partner, idleMs, w)
    const gaugesAfterIdle = gaugesOf(w)
    await fullGc()
    const heapEnd = heapUsed()
    // reopen a sample: each should hold the partner's 'x' (applied on wake, kept when unloaded)
    const sample = ids.slice(0, Math.min(20, docs))
    const hs = await Promise.all(sample.map(async id => await w.open(id)))
    const sampleWithEdit = hs.filter(h => h.doc.getText(TEXT).toString().startsWith('x')).length
    await Promise.all(hs.map(async h => { await h.close() }))
    return {
      docs,
      unloadIdleAfterMs,
      serveMs,
      gaugesAfterServe,
      peakOpen,
      gaugesAfterIdle,
      partnerSynced,
      partnerSyncMs,
      partnerEdits,
      firstWakeMs,
      allDormantMs,
      dormantAfterIdle: gaugesAfterIdle.dormant,
      heapPerDocServedBytes: (heapServed - heap0) / docs,
      heapPerDocAfterIdleBytes: (heapEnd - heap0) / docs,
      idleWindowMs: idleMs,
      idleCpuPercent: idle.self,
      partnerIdleCpuPercent: idle.partner,
      idleActivity: idle.activity ?? {},
      sampleChecked: sample.length,
      sampleWithEdit
    }
  } finally {
    await w.stop()
    await partner?.stop()
  }
}

export interface StoredDocsPlan { stored: number, opened: number, served: number, unloadIdleAfterMs: number }

export async function runStoredDocs (ctx: ScenarioContext,
  plan: StoredDocsPlan): Promise<{ stored?: StoredDocsRow, served?: ServedDocsRow, skipped: SkipNote[] }> {
  if (!ctx.systems.includes('weft')) return { skipped: [] }
  const skipped: SkipNote[] = []
  const idleMs = ctx.quick ? 1500 : 12_000
  const dir = tempDataDir()
  let stored: StoredDocsRow | undefined
  let served: ServedDocsRow | undefined
  try {
    let ids: string[] = []
    try {
      log(`stored documents: creating ${plan.stored}, then opening ${plan.opened} after a restart`)
      const r = await withTimeout(storedCase(dir, plan.stored, plan.opened, idleMs), ctx.quick ? 60_000 : 300_000,
        'stored documents')
      stored = r.row
      ids = r.ids
      log(`stored documents: opened ${plan.opened} of ${plan.stored} in ${stored.openMs.toFixed(0)} ms, ` +
        `${(stored.heapPerDocBytes / 1024).toFixed(1)} KiB heap/doc, idle CPU ${stored.idleCpuPercent.toFixed(2)} %`)
    } catch (err) {
      skipped.push({ scenario: 'stored documents', system: 'weft', n: plan.stored, reason: errMsg(err) })
      log(`stored documents: failed: ${errMsg(err)}`)
    }
    if (ids.length >= plan.served) {
      try {
        const syncBoundMs = ctx.quick ? 10_000 : 60_000
        const serving = servedCase(dir, ids.slice(0, plan.served), plan.unloadIdleAfterMs, idleMs, syncBoundMs)
        served = await withTimeout(serving, ctx.quick ? 60_000 : 240_000, 'served documents')
        log(`served documents: ${served.dormantAfterIdle}/${served.docs} dormant after the idle window, ` +
          `${(served.heapPerDocAfterIdleBytes / 1024).toFixed(1)} KiB heap/doc, ` +
          `idle CPU ${served.idleCpuPercent.toFixed(2)} %`)
      } catch (err) {
        skipped.push({ scenario: 'served documents', system: 'weft', n: plan.served, reason: errMsg(err) })
        log(`served documents: failed: ${errMsg(err)}`)
      }
    } else {
      const reason = 'no store of documents to serve (the stored-documents case failed)'
      skipped.push({ scenario: 'served documents', system: 'weft', n: plan.served, reason })
    }
  } finally {
    removeDir(dir)
  }
  return { stored, served, skipped }
}
