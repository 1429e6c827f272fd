/**
 * Measures the daemon: start-up time to ready (empty, and with N pinned
 * documents) and memory (RSS, heap) with 0 and N pinned documents.
 *
 *   node --import tsx test/daemon/measure.ts [N=100] [bytesPerDoc=1000]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWeft } from '../../src/index.js'
import { AdminClient } from '../../src/daemon/admin-client.js'
import { readTokenFile } from '../../src/daemon/files.js'
import { eventually, killAll, loopbackArgs, startDaemon, type DaemonProcess } from './harness.js'
import { parsePrometheusText, sumOf } from './prom-parse.js'

const N = Number(process.argv[2] ?? 100)
const BYTES = Number(process.argv[3] ?? 1000)
const SETTLE_MS = 15_000

async function memory (c: AdminClient): Promise<{ rssMiB: number, heapMiB: number }> {
  const m = parsePrometheusText(await c.metrics())
  return {
    rssMiB: Math.round(sumOf(m, 'process_resident_memory_bytes') / 1048576 * 10) / 10,
    heapMiB: Math.round(sumOf(m, 'nodejs_heap_size_used_bytes') / 1048576 * 10) / 10
  }
}

async function timedStart (dataDir: string): Promise<{ d: DaemonProcess, wallMs: number }> {
  const t0 = Date.now()
  const d = await startDaemon(loopbackArgs(dataDir))
  return { d, wallMs: Date.now() - t0 }
}

async function stop (d: DaemonProcess): Promise<number> {
  const t0 = Date.now()
  d.proc.kill('SIGTERM')
  const code = await d.exited(15_000)
  if (code !== 0) throw new Error(`exit ${code}`)
  return Date.now() - t0
}

const results: Record<string, unknown> = { n: N, bytesPerDoc: BYTES, node: process.version }
const dataDir = await mkdtemp(join(tmpdir(), 'weft-measure-'))
try {
  // Empty daemon.
  let { d, wallMs } = await timedStart(dataDir)
  let c = new AdminClient({ url: d.ready.admin, token: readTokenFile(dataDir) })
  results.emptyStartup = { reportedMs: d.ready.startupMs, spawnToReadyMs: wallMs }
  await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
  results.emptyMemory = await memory(c)

  // N documents written by a library peer, pinned by the daemon.
  const peer = await createWeft({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    bootstrap: [d.ready.bootstrap],
    network: { inboundConnectionThreshold: 1000 }
  })
  const ids: string[] = []
  const filler = 'x'.repeat(BYTES)
  for (let i = 0; i < N; i++) {
    const h = await peer.create()
    h.doc.getText('body').insert(0, `${i} ${filler}`)
    await h.flush()
    ids.push(h.id)
  }
  const t0 = Date.now()
  for (const id of ids) await c.pin(id)
  results.pinAllMs = Date.now() - t0
  await eventually(async () => {
    const s = await c.status()
    const synced = (s.documents as any[]).filter(x => Object.keys(x.versionVector ?? {}).length > 0).length
    return synced === N
  }, 300_000, `the daemon to hold all ${N} documents`, 1000)
  results.replicateAllMs = Date.now() - t0
  await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
  results.pinnedMemoryWithPeer = await memory(c)
  await peer.stop()
  await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
  results.pinnedMemoryAlone = await memory(c)
  results.stopMs = await stop(d)

  // Restart with N pins.
  ;({ d, wallMs } = await timedStart(dataDir))
  c = new AdminClient({ url: d.ready.admin, token: readTokenFile(dataDir) })
  results.pinnedStartup = { reportedMs: d.ready.startupMs, spawnToReadyMs: wallMs, pins: d.ready.pins }
  await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
  results.pinnedMemoryAfterRestart = await memory(c)
  results.stopAfterRestartMs = await stop(d)
} finally {
  killAll()
  await rm(dataDir, { recursive: true, force: true })
}
console.log(JSON.stringify(results, null, 2))
process.exit(0)
