/**
 * Diagnostic baseline `floor` (opt-in: `--systems=...,floor`, never in the default run): the bare mesh
 * (same libp2p node, same dials, one topic, StrictNoSign) plus the two costs weft cannot avoid, and
 * nothing else. Each local Yjs update travels as [32-byte author key][8-byte seq][64-byte ed25519
 * signature over author||seq||update][update]; the writer signs it (with weft's own ed25519 backend:
 * libsodium when sodium-native loads, else node:crypto), puts it into its own
 * LevelDB (classic-level, one temp dir per peer) and awaits the write before publishing; every receiver
 * verifies the signature in a synchronous gossipsub topic validator, applies the update, then writes the
 * envelope to its LevelDB without waiting. No HLC, no protobuf, no repair protocol: the floor of
 * signatures + durability under weft, so weft's gap to the mesh splits into that floor and the rest.
 */
import { randomBytes } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as Y from 'yjs'
import { ClassicLevel } from 'classic-level'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { BenchPeer, Cluster, ClusterOptions, SystemFactory } from '../systems/types.js'
import { TEXT } from '../systems/types.js'
import { createMeshNode, type MeshNode, MESH_SIGNATURE_POLICY } from './libp2p-node.js'
import { connectMesh, EXTRA_DIALS, meshConnected } from './gossip-mesh.js'
import { uniqueName } from '../lib/random.js'
import { ByteMeter } from '../lib/byte-meter.js'
import { waitFor, withTimeout } from '../lib/time.js'
import { nodeEd25519 } from '../../src/identity/ed25519-node.js'

const REMOTE = Symbol('floor-remote')

const KEY_LEN = 32
const SEQ_LEN = 8
const SIG_LEN = 64
/** Bytes before the update: author key, seq, signature. */
const HEADER_LEN = KEY_LEN + SEQ_LEN + SIG_LEN

/** Bytes the signature covers: author || seq || update (the envelope without its signature). */
function signedBytes (env: Uint8Array): Buffer {
  return Buffer.concat([env.subarray(0, KEY_LEN + SEQ_LEN), env.subarray(HEADER_LEN)])
}

function storeKey (env: Uint8Array): string {
  const author = Buffer.from(env.buffer, env.byteOffset, KEY_LEN).toString('hex')
  const seq = Buffer.from(env.buffer, env.byteOffset + KEY_LEN, SEQ_LEN).readBigUInt64BE()
  return `e!${author}!${seq.toString().padStart(20, '0')}`
}

/** A fresh author key, signing and checking with weft's own ed25519 backend, so the floor stays a floor. */
function ed25519Pair (): { author: Uint8Array, sign: (data: Uint8Array) => Uint8Array } {
  const seed = randomBytes(32)
  const author = ed25519.getPublicKey(seed)
  return { author, sign: data => nodeEd25519.sign(seed, author, data) }
}

export interface FloorPeer extends BenchPeer {
  node: MeshNode
  topic: string
  dataDir: string
  /** Unbinds, waits for pending writes, closes the LevelDB and removes its directory. */
  detach: () => Promise<void>
}

/** Binds a Y.Doc to a gossipsub topic on `node` with signed, persisted envelopes; the LevelDB lives in a temp dir. */
export async function bindFloorDoc (node: MeshNode, topic: string, doc = new Y.Doc()): Promise<FloorPeer> {
  const pubsub = node.services.pubsub
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-bench-floor-'))
  const db = new ClassicLevel<string, Uint8Array>(dataDir, { keyEncoding: 'utf8', valueEncoding: 'view' })
  try {
    await db.open()
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true })
    throw err
  }
  const { author, sign: signEnvelope } = ed25519Pair()
  let seq = 0n
  /** Local envelopes in order: each one's write is awaited before it is published. */
  let outbox: Promise<void> = Promise.resolve()
  /** Receivers' writes still in flight, so close() does not race them. */
  const writes = new Set<Promise<void>>()

  const onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === REMOTE) return
    const env = new Uint8Array(HEADER_LEN + update.byteLength)
    env.set(author, 0)
    new DataView(env.buffer).setBigUint64(KEY_LEN, ++seq)
    env.set(update, HEADER_LEN)
    env.set(signEnvelope(signedBytes(env)), KEY_LEN + SEQ_LEN)
    outbox = outbox.then(async () => {
      await db.put(storeKey(env), env)
      pubsub.publish(topic, env).catch(() => {})
    }).catch(() => {})
  }
  const validate = (_peer: unknown, msg: { data: Uint8Array }): TopicValidatorResult => {
    const env = msg.data
    if (env.byteLength < HEADER_LEN) return TopicValidatorResult.Reject
    try {
      const signature = env.subarray(KEY_LEN + SEQ_LEN, HEADER_LEN)
      const ok = nodeEd25519.verify(env.subarray(0, KEY_LEN), signedBytes(env), signature)
      return ok ? TopicValidatorResult.Accept : TopicValidatorResult.Reject
    } catch {
      return TopicValidatorResult.Reject
    }
  }
  const onMessage = (evt: CustomEvent<{ topic: string, data: Uint8Array }>): void => {
    if (evt.detail.topic !== topic) return
    const env = evt.detail.data
    Y.applyUpdate(doc, env.subarray(HEADER_LEN), REMOTE)
    const w = db.put(storeKey(env), env).catch(() => {})
    writes.add(w)
    void w.finally(() => { writes.delete(w) })
  }
  doc.on('update', onUpdate)
  pubsub.topicValidators.set(topic, validate)
  pubsub.addEventListener('message', onMessage as any)
  pubsub.subscribe(topic)
  return {
    node,
    topic,
    dataDir,
    doc,
    text: doc.getText(TEXT),
    connections: () => node.getConnections().length,
    detach: async () => {
      doc.off('update', onUpdate)
      pubsub.removeEventListener('message', onMessage as any)
      pubsub.topicValidators.delete(topic)
      pubsub.unsubscribe(topic)
      await outbox
      await Promise.allSettled([...writes])
      await db.close().catch(() => {})
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

export const floorMesh: SystemFactory = {
  name: 'floor',
  supports: () => true,
  async createCluster (opts: ClusterOptions): Promise<Cluster> {
    const topic = uniqueName('/bench/floor')
    const meter = new ByteMeter()
    const peers: FloorPeer[] = []
    const nodes: MeshNode[] = []
    let stopped = false
    const stop = async (): Promise<void> => {
      stopped = true
      await Promise.allSettled(peers.map(async p => { await p.detach(); p.doc.destroy() }))
      await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    }
    try {
      await withTimeout((async () => {
        for (let i = 0; i < opts.n; i++) nodes.push(await createMeshNode(opts.transport, undefined, meter))
        await connectMesh(nodes)
        for (const n of nodes) {
          const p = await bindFloorDoc(n, topic)
          // setup timed out meanwhile: stop() has run, so this peer's LevelDB dir is ours to remove
          if (stopped) { await p.detach(); return }
          peers.push(p)
        }
        await waitFor(() => meshConnected(nodes, topic), opts.timeoutMs, 'gossipsub mesh forming', 50)
      })(), opts.timeoutMs, `floor: ${opts.n} peers starting`)
    } catch (err) {
      await stop()
      throw err
    }
    return {
      system: 'floor',
      transport: opts.transport,
      peers,
      bytesReceived: () => meter.wire.rx,
      bytesByProtocol: () => Object.fromEntries([...meter.byProtocol].map(([k, v]) => [k, v.rx])),
      topology: `as the mesh (peer 0 + ${EXTRA_DIALS} random earlier peers; gossipsub ${MESH_SIGNATURE_POLICY}); ` +
        'ed25519-signed envelopes, LevelDB per peer',
      stop
    }
  }
}
