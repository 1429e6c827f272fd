/**
 * The seed corpora: valid messages made by weft's own sealers and encoders
 * (real ed25519 keys, real replicas, real Yjs edits). Everything here is
 * deterministic (keys from fixed seeds, fixed Yjs client ids, a frozen clock
 * for the authors), so a fuzz input rebuilt from (seed, target, index) is the
 * same bytes in every run.
 */
import * as Y from 'yjs'
import { MemoryLevel } from 'memory-level'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { Replica, type ReplicaContext } from '../src/replica/replica.js'
import { Store } from '../src/store/store.js'
import { Signer } from '../src/identity/peer-key.js'
import { HybridLogicalClock } from '../src/clock/hlc.js'
import { Metrics } from '../src/metrics/metrics.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'
import { makeBeacon } from '../src/sync/beacon.js'
import {
  Beacon, Checkpoint, Envelope, GossipFrame, SyncRequest, SyncResponse, WIRE_VERSION
} from '../src/wire/codec.js'
import { encodeAwarenessMessage } from '../src/presence/wire.js'
import type { Verifier } from '../src/sync/validate.js'
import type { LevelDb } from '../src/platform/platform.js'

export const DOC_ID = 'weftfuzzdocumentaaaaaaaaaa'
export const OTHER_DOC_ID = 'weftfuzzotherdocumentbbbbb'
/** Authors stamp at a fixed moment in the past: deterministic, and never "too far ahead". */
export const FROZEN_MS = 1_780_000_000_000

export interface Fixture {
  /** Signs re-sealed mutations: author of most seed envelopes. */
  author: Signer
  /** The receiving side's key (the replicas that ingest fuzz inputs). */
  receiver: Signer
  /** Validation as gossip and the sync client do it: real ed25519, a real clock. */
  verifier: Verifier
  /** A replica with history, answering sync requests and judging beacons. */
  served: Replica
  envelopes: Uint8Array[]
  checkpoints: Uint8Array[]
  beacons: Uint8Array[]
  frames: Uint8Array[]
  syncRequests: Uint8Array[]
  syncResponses: Uint8Array[]
  awareness: Uint8Array[]
  /** Fresh replica of DOC_ID owned by the receiver, as a peer opening the document has. */
  freshReplica: () => Promise<Replica>
}

async function signer (seedByte: number): Promise<Signer> {
  return new Signer(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(seedByte)), nodeEd25519)
}

async function replica (docId: string, s: Signer, clock: HybridLogicalClock, clientId: number): Promise<Replica> {
  const ctx: ReplicaContext = {
    store: new Store(
      new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as LevelDb
    ),
    signer: s,
    clock,
    metrics: new Metrics(),
    // Small sync batches, so that answers come both as envelopes and as checkpoints.
    options: {
      batchWindowMs: 0,
      minSealIntervalMs: 0,
      maxEnvelopesPerSync: 8,
      checkpointEvery: 1_000_000,
      retainAfterCheckpoint: 256
    }
  }
  const r = await Replica.load(docId, ctx)
  r.doc.clientID = clientId
  return r
}

/** Edits of every shape an app makes: text, maps of scalars and binaries, nested types, deletions. */
function edit (doc: Y.Doc, i: number): void {
  const text = doc.getText('text')
  text.insert(Math.floor(text.length / 2), `e${i};`)
  if (i % 3 === 0) doc.getMap('m').set(`k${i % 4}`, i % 2 === 0 ? i : `v${i}`)
  if (i % 5 === 1) doc.getMap('m').set('bin', Uint8Array.of(i, 0xff, 0))
  if (i % 7 === 2) doc.getArray('a').push([{ n: i, nested: [true, null, 1.5] }])
  if (i % 6 === 4) doc.getMap('m').set('sub', new Y.Map([['x', i]]))
  if (i % 4 === 3 && text.length > 2) text.delete(0, 2)
  if (i % 9 === 8) doc.getXmlFragment('x').insert(0, [new Y.XmlElement('p')])
}

export async function buildFixture (): Promise<Fixture> {
  const [author, second, receiver] = await Promise.all([signer(1), signer(3), signer(2)])
  const frozen = (): HybridLogicalClock => new HybridLogicalClock({ physicalNow: () => FROZEN_MS })
  const authorClock = frozen()
  const a = await replica(DOC_ID, author, authorClock, 1001)
  const b = await replica(DOC_ID, second, frozen(), 1002)
  const envelopes: Uint8Array[] = []
  const parsed: Envelope[] = []
  for (const r of [a, b]) r.on('sealed', (bytes, envelope) => { envelopes.push(bytes); parsed.push(envelope) })
  for (let i = 0; i < 24; i++) {
    const [from, to] = i % 2 === 0 ? [a, b] : [b, a]
    edit(from.doc, i)
    await from.flush()
    // The other author sees it, so later edits build on earlier ones (causal dependencies in the payloads).
    to.ingest(parsed[parsed.length - 1], envelopes[envelopes.length - 1])
  }

  // Sync answers: a small gap comes back as envelopes, a large one as a checkpoint.
  const checkpoints: Uint8Array[] = []
  const syncResponses: Uint8Array[] = []
  const syncRequests: Uint8Array[] = []
  const sv = Y.encodeStateVector(b.doc)
  const remotes = [
    new Map<string, number>(), new Map([[author.author, 10], [second.author, 11]]), new Map([[author.author, 12]])
  ]
  for (const remote of remotes) {
    const answer = await a.answer(remote, remote.size === 0 ? new Uint8Array([0]) : sv)
    if (answer.checkpoint !== undefined) checkpoints.push(Checkpoint.encode(answer.checkpoint))
    syncResponses.push(SyncResponse.encode({
      version: WIRE_VERSION,
      docId: DOC_ID,
      envelopes: answer.envelopes as Array<Uint8Array<ArrayBuffer>>,
      checkpoint: answer.checkpoint,
      vv: a.vv.toWire(),
      error: ''
    }))
    syncRequests.push(SyncRequest.encode({
      version: WIRE_VERSION,
      docId: DOC_ID,
      vv: [...remote].map(([hex, seq]) => ({ author: Uint8Array.from(Buffer.from(hex, 'hex')), seq })),
      stateVector: (remote.size === 0 ? Y.encodeStateVector(new Y.Doc()) : sv) as Uint8Array<ArrayBuffer>
    }))
  }
  syncResponses.push(SyncResponse.encode({
    version: WIRE_VERSION, docId: DOC_ID, envelopes: [], vv: [], error: 'unknown document'
  }))

  const beacons = [makeBeacon(a, author, authorClock), makeBeacon(b, second, frozen())].map(x => Beacon.encode(x))
  const frames = [
    ...envelopes.slice(0, 6).map(e => GossipFrame.encode({ envelope: Envelope.decode(e) })),
    ...beacons.map(x => GossipFrame.encode({ beacon: Beacon.decode(x) }))
  ]

  const awareness: Uint8Array[] = []
  const aw = new Awareness(new Y.Doc())
  aw.doc.clientID = 77
  for (let i = 0; i < 4; i++) {
    const state = { user: { name: `user${i}`, color: '#ff00ff' }, cursor: { anchor: i, head: i * 2 } }
    aw.setLocalState(i === 3 ? null : state)
    const update = encodeAwarenessUpdate(aw, [aw.clientID])
    const kind = i % 2 === 0 ? 'update' : 'query'
    awareness.push(encodeAwarenessMessage({ kind, origin: '12D3KooWFuzzOriginPeer', nonce: i * 1000, update }))
  }
  const bareQuery = { kind: 'query', origin: '12D3KooWFuzzOriginPeer', nonce: 5, update: Uint8Array.of(0) } as const
  awareness.push(encodeAwarenessMessage(bareQuery))
  aw.destroy()

  // The served replica must not be closed: answer() stays usable for the whole run.
  return {
    author,
    receiver,
    verifier: { ed25519: nodeEd25519, clock: new HybridLogicalClock() },
    served: a,
    envelopes,
    checkpoints,
    beacons,
    frames,
    syncRequests,
    syncResponses,
    awareness,
    freshReplica: async () => await replica(DOC_ID, receiver, new HybridLogicalClock(), 2002)
  }
}
