/**
 * Baseline (b): bare libp2p 3 + @libp2p/gossipsub + Yjs. Each local Yjs update is published raw
 * on one topic; each received message is applied with Y.applyUpdate. No envelopes, no persistence,
 * no signatures (gossipsub StrictNoSign), no repair protocol: the floor of what weft adds.
 */
import * as Y from 'yjs'
import { multiaddr } from '@multiformats/multiaddr'
import type { BenchPeer, Cluster, ClusterOptions, SystemFactory } from '../systems/types.js'
import { TEXT } from '../systems/types.js'
import { createMeshNode, type MeshNode, MESH_SIGNATURE_POLICY, meshPeersOf } from './libp2p-node.js'
import { mulberry32, uniqueName } from '../lib/random.js'
import { ByteMeter } from '../lib/byte-meter.js'
import { waitFor, withTimeout } from '../lib/time.js'

const REMOTE = Symbol('mesh-remote')

export interface MeshPeer extends BenchPeer {
  node: MeshNode
  topic: string
  detach: () => void
}

/** Binds a Y.Doc to a gossipsub topic on `node`. */
export function bindDoc (node: MeshNode, topic: string, doc = new Y.Doc()): MeshPeer {
  const pubsub = node.services.pubsub
  const onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === REMOTE) return
    pubsub.publish(topic, update).catch(() => {})
  }
  const onMessage = (evt: CustomEvent<{ topic: string, data: Uint8Array }>): void => {
    if (evt.detail.topic !== topic) return
    Y.applyUpdate(doc, evt.detail.data, REMOTE)
  }
  doc.on('update', onUpdate)
  pubsub.addEventListener('message', onMessage as any)
  pubsub.subscribe(topic)
  return {
    node,
    topic,
    doc,
    text: doc.getText(TEXT),
    connections: () => node.getConnections().length,
    meshPeers: () => meshPeersOf(node, topic).length,
    detach: () => {
      doc.off('update', onUpdate)
      pubsub.removeEventListener('message', onMessage as any)
      pubsub.unsubscribe(topic)
    }
  }
}

/**
 * Extra random earlier peers each new peer dials besides peer 0 (a DHT-like sparse graph).
 * BENCH_MESH_EXTRA_DIALS overrides it for diagnosis (a large value gives a full mesh, like weft's).
 */
export const EXTRA_DIALS = Number(process.env.BENCH_MESH_EXTRA_DIALS ?? 3)

/** Dials peer 0 and up to EXTRA_DIALS random earlier peers, for each peer i > 0. */
export async function connectMesh (nodes: MeshNode[], seed = 1): Promise<void> {
  const rnd = mulberry32(seed)
  for (let i = 1; i < nodes.length; i++) {
    const targets = new Set<number>([0])
    const want = Math.min(i - 1, EXTRA_DIALS)
    while (targets.size < want + 1) targets.add(1 + Math.floor(rnd() * (i - 1)))
    await Promise.all([...targets].map(async t => {
      await nodes[i].dial(multiaddr(nodes[t].getMultiaddrs()[0]), { signal: AbortSignal.timeout(10_000) })
    }))
  }
}

/** True when every peer's mesh for `topic` is non-empty and the mesh graph is connected. */
export function meshConnected (nodes: MeshNode[], topic: string): boolean {
  const index = new Map(nodes.map((n, i) => [n.peerId.toString(), i]))
  const adj = nodes.map(n => meshPeersOf(n, topic).map(p => index.get(p)).filter((x): x is number => x !== undefined))
  if (adj.some(a => a.length === 0)) return false
  const seen = new Set<number>([0])
  const stack = [0]
  while (stack.length > 0) {
    const i = stack.pop() as number
    for (const j of adj[i]) if (!seen.has(j)) { seen.add(j); stack.push(j) }
  }
  // mesh links can be one-directional for a heartbeat; treat the graph as undirected
  for (let i = 0; i < adj.length; i++) {
    for (const j of adj[i]) if (seen.has(i) || seen.has(j)) { seen.add(i); seen.add(j) }
  }
  return seen.size === nodes.length
}

export const gossipMesh: SystemFactory = {
  name: 'mesh',
  supports: () => true,
  async createCluster (opts: ClusterOptions): Promise<Cluster> {
    const topic = uniqueName('/bench/doc')
    const meter = new ByteMeter()
    const peers: MeshPeer[] = []
    const nodes: MeshNode[] = []
    const stop = async (): Promise<void> => {
      for (const p of peers) { p.detach(); p.doc.destroy() }
      await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    }
    try {
      await withTimeout((async () => {
        for (let i = 0; i < opts.n; i++) nodes.push(await createMeshNode(opts.transport, undefined, meter))
        await connectMesh(nodes)
        for (const n of nodes) peers.push(bindDoc(n, topic))
        await waitFor(() => meshConnected(nodes, topic), opts.timeoutMs, 'gossipsub mesh forming', 50)
      })(), opts.timeoutMs, `mesh: ${opts.n} peers starting`)
    } catch (err) {
      await stop()
      throw err
    }
    return {
      system: 'mesh',
      transport: opts.transport,
      peers,
      bytesReceived: () => meter.wire.rx,
      bytesByProtocol: () => Object.fromEntries([...meter.byProtocol].map(([k, v]) => [k, v.rx])),
      topology: `each peer dials peer 0 + ${EXTRA_DIALS} random earlier peers; ` +
        `gossipsub ${MESH_SIGNATURE_POLICY}, default D/heartbeat`,
      stop
    }
  }
}
