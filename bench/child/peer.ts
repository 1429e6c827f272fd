/**
 * A peer in its own process, driven over IPC by bench/lib/child-peer.ts. One system per process:
 * a weft peer, a bare mesh peer, a floor peer (the mesh node, signed and persisted envelopes), a y-websocket
 * client, or the y-websocket server.
 * Timestamps are process.hrtime.bigint(): CLOCK_MONOTONIC, one clock for every process on the host,
 * so a writer's and a receiver's stamps can be subtracted directly.
 */
import * as Y from 'yjs'
import { multiaddr } from '@multiformats/multiaddr'
import { serveCommands, sendToParent as send, type Commands } from './serve.js'
import { TEXT } from '../systems/types.js'
import { createMeshNode, type MeshNode, meshPeersOf } from '../baselines/libp2p-node.js'
import { bindDoc, type MeshPeer } from '../baselines/gossip-mesh.js'
import { bindFloorDoc, type FloorPeer } from '../baselines/floor-mesh.js'
import {
  startYwsServer,
  connectClient,
  whenClientSynced,
  type YwsClient,
  type YwsServer
} from '../baselines/ywebsocket.js'
import { loadWeft, weftOptions, tempDataDir, removeDir, counterTotals, weftPeer } from '../systems/weft.js'
import type { Weft, DocHandle } from '../../src/types.js'
import { fullGc, heapUsed } from '../lib/gc.js'

let weft: Weft | undefined
let weftDir: string | undefined
const weftHandles: DocHandle[] = []
let mesh: MeshNode | undefined
const meshPeers: MeshPeer[] = []
const floorPeers: FloorPeer[] = []
let yws: YwsServer | undefined
const ywsClients: YwsClient[] = []
/** The document the latency commands act on. */
let main: { doc: Y.Doc, text: Y.Text } | undefined
let watching = false

function setMain (doc: Y.Doc): void {
  main = { doc, text: doc.getText(TEXT) }
  let last = main.text.length
  doc.on('update', () => {
    const len = (main as { text: Y.Text }).text.length
    if (watching && len > last) send({ ev: 'seen', len, t: process.hrtime.bigint().toString() })
    last = len
  })
}

const commands: Commands = {
  async 'weft-start' (a: { bootstrap?: string[], persist?: boolean }) {
    const createWeft = await loadWeft()
    if (a.persist !== false) weftDir = tempDataDir()
    weft = await createWeft(weftOptions('tcp', {
      bootstrap: a.bootstrap,
      ...(weftDir !== undefined ? { dataDir: weftDir } : {})
    }))
    return { addrs: weft.multiaddrs, peerId: weft.peerId }
  },
  async 'weft-create' () {
    const h = await (weft as Weft).create()
    weftHandles.push(h)
    setMain(h.doc)
    return h.id
  },
  async 'weft-open' (a: { ids: string[], sync?: boolean, all?: boolean, timeoutMs?: number }) {
    const hs = await Promise.all(a.ids.map(async id => await (weft as Weft).open(id)))
    weftHandles.push(...hs)
    if (main === undefined) setMain(hs[0].doc)
    if (a.sync !== true) return { opened: hs.length, synced: 0 }
    const signal = AbortSignal.timeout(a.timeoutMs ?? 30_000)
    const r = await Promise.allSettled(hs.map(async h => { await h.whenSynced({ signal }) }))
    const synced = r.filter(x => x.status === 'fulfilled').length
    if (a.all === true && synced < hs.length) {
      throw new Error(`${synced}/${hs.length} documents synced within ${a.timeoutMs ?? 30_000} ms`)
    }
    return { opened: hs.length, synced }
  },
  /** One character appended to every open handle of these documents, then flushed (wakes a served peer's copy). */
  async 'weft-edit' (a: { ids: string[] }) {
    const want = new Set(a.ids)
    const hs = weftHandles.filter(h => want.has(h.id) && !h.closed)
    for (const h of hs) h.doc.getText(TEXT).insert(0, 'x')
    await Promise.all(hs.map(async h => { await h.flush() }))
    return hs.length
  },
  /** Closes this process's handles (leases) on these documents. */
  async 'weft-close' (a: { ids: string[] }) {
    const want = new Set(a.ids)
    const hs = weftHandles.filter(h => want.has(h.id))
    await Promise.all(hs.map(async h => { await h.close() }))
    weftHandles.splice(0, weftHandles.length, ...weftHandles.filter(h => !want.has(h.id)))
    return hs.length
  },
  async 'mesh-start' () {
    mesh = await createMeshNode('tcp')
    return { addrs: mesh.getMultiaddrs().map(m => m.toString()), peerId: mesh.peerId.toString() }
  },
  async 'mesh-dial' (a: { addrs: string[] }) {
    await Promise.all(a.addrs.map(async x =>
      await (mesh as MeshNode).dial(multiaddr(x), { signal: AbortSignal.timeout(10_000) })))
    return true
  },
  async 'mesh-bind' (a: { topics: string[] }) {
    for (const t of a.topics) {
      const p = bindDoc(mesh as MeshNode, t)
      meshPeers.push(p)
      if (main === undefined) setMain(p.doc)
    }
    return meshPeers.length
  },
  /** Like mesh-bind on the node from mesh-start, with the floor baseline's envelopes (a LevelDB per topic). */
  async 'floor-bind' (a: { topics: string[] }) {
    for (const t of a.topics) {
      const p = await bindFloorDoc(mesh as MeshNode, t)
      floorPeers.push(p)
      if (main === undefined) setMain(p.doc)
    }
    return floorPeers.length
  },
  async 'mesh-peers' (a: { topic: string }) {
    return meshPeersOf(mesh as MeshNode, a.topic)
  },
  async 'yws-server' () {
    yws = await startYwsServer()
    return yws.url
  },
  async 'yws-connect' (a: { url: string, rooms: string[], timeoutMs?: number }) {
    const cs = a.rooms.map(r => connectClient(a.url, r))
    ywsClients.push(...cs)
    if (main === undefined) setMain(cs[0].doc)
    await Promise.all(cs.map(async c => { await whenClientSynced(c, a.timeoutMs ?? 30_000) }))
    return cs.length
  },
  async watch (a: { on: boolean }) { watching = a.on; return (main as { text: Y.Text }).text.length },
  async edit () {
    const m = main as { text: Y.Text }
    const t = process.hrtime.bigint()
    m.text.insert(m.text.length, 'x')
    return { t: t.toString(), len: m.text.length }
  },
  async length () { return main?.text.length ?? 0 },
  /** This peer's open links; null for a y-websocket client (it talks to the server only). */
  async links () {
    if (weft !== undefined) return weft.connectedPeers().length
    if (mesh !== undefined) return mesh.getConnections().length
    return null
  },
  async cpu () { const u = process.cpuUsage(); return (u.user + u.system) / 1000 },
  async heap () { await fullGc(); return heapUsed() },
  async 'weft-counters' () { return counterTotals(weft as Weft) },
  /** Peers in this peer's gossipsub mesh for its first document (null: not known). */
  async 'weft-mesh-peers' () { return weftPeer(weft as Weft, weftHandles[0]).meshPeers?.() ?? null },
  /** What this weft peer thinks of `peer` (a hostile one): its gossipsub score, whether a connection is open. */
  async 'weft-view' (a: { peer: string }) {
    const w = weft as Weft
    const pubsub = w.libp2p.services.pubsub as unknown as { getScore: (p: string) => number }
    return {
      score: pubsub.getScore(a.peer),
      connected: w.libp2p.getConnections().some(c => c.remotePeer.toString() === a.peer),
      counters: w.metrics.counters(),
      rss: process.memoryUsage().rss
    }
  },
  async stop () {
    // every handle is its own lease: release them all (in parallel: many documents unload at once)
    await Promise.allSettled(weftHandles.map(async h => { await h.close() }))
    await weft?.stop()
    if (weftDir !== undefined) removeDir(weftDir)
    for (const p of meshPeers) p.detach()
    await Promise.allSettled(floorPeers.map(async p => { await p.detach() }))
    await mesh?.stop()
    for (const c of ywsClients) c.provider.destroy()
    await yws?.close()
    setTimeout(() => process.exit(0), 10)
    return true
  }
}

serveCommands(commands)
