import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { MemoryLevel } from 'memory-level'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Replica, type ReplicaContext } from '../src/replica/replica.js'
import { Store } from '../src/store/store.js'
import { Signer } from '../src/identity/peer-key.js'
import { HybridLogicalClock } from '../src/clock/hlc.js'
import { Metrics } from '../src/metrics/metrics.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'
import { Envelope } from '../src/wire/codec.js'
import { Peers, text, waitFor } from './support/peers.js'
import { rawPeer, canGossipTo } from './support/raw-peer.js'
import { METRIC, newDocId } from '../src/index.js'
import { docTopic } from '../src/sync/gossip.js'
import type { LevelDb } from '../src/platform/platform.js'

const metricsOf = new WeakMap<Replica, Metrics>()

async function replica (docId: string): Promise<Replica> {
  const ctx: ReplicaContext = {
    store: new Store(
      new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as LevelDb
    ),
    signer: new Signer(await generateKeyPair('Ed25519'), nodeEd25519),
    clock: new HybridLogicalClock(),
    metrics: new Metrics(),
    options: {
      batchWindowMs: 0,
      minSealIntervalMs: 0,
      maxEnvelopesPerSync: 64,
      checkpointEvery: 1000,
      retainAfterCheckpoint: 256
    }
  }
  const r = await Replica.load(docId, ctx)
  metricsOf.set(r, ctx.metrics)
  return r
}

function shuffle<T> (items: T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

test('duplicated and reordered envelopes change nothing', { timeout: 30_000 }, async () => {
  const docId = newDocId()
  const authors = [await replica(docId), await replica(docId)]
  const log: Array<[Envelope, Uint8Array]> = []
  for (const a of authors) a.on('sealed', (bytes, envelope) => log.push([envelope, bytes]))
  // Two authors, interleaved edits that depend on each other (inserts inside the other's text).
  for (let i = 0; i < 40; i++) {
    const a = authors[i % 2]
    const t = a.doc.getText('text')
    t.insert(Math.floor(t.length / 2), `${i % 2 === 0 ? 'A' : 'B'}${i};`)
    a.doc.getMap('m').set(`k${i % 5}`, i)
    if (i % 7 === 3) t.delete(0, 1)
    await a.flush()
    // Each author sees the other's latest envelope, so later edits build on earlier ones.
    const [envelope, bytes] = log[log.length - 1]
    authors[(i + 1) % 2].ingest(envelope, bytes)
  }
  assert.equal(log.length, 40)

  const inOrder = await replica(docId)
  for (const [e, b] of log) assert.equal(inOrder.ingest(e, b), 'applied')

  const chaotic = await replica(docId)
  const deliveries = shuffle([...log, ...log, ...shuffle(log).slice(0, 15)])
  const outcomes = { applied: 0, held: 0, duplicate: 0 }
  for (const [e, b] of deliveries) outcomes[chaotic.ingest(e, b)]++
  assert.equal(outcomes.applied + outcomes.held, 40, 'each envelope taken exactly once')
  assert.equal(outcomes.duplicate, deliveries.length - 40)
  assert.equal(metricsOf.get(chaotic)?.counter(METRIC.envelopesIn), 40, 'each envelope applied exactly once')
  assert.equal(chaotic.hasGap(), false, 'nothing left waiting')

  assert.deepEqual(chaotic.doc.toJSON(), inOrder.doc.toJSON())
  assert.deepEqual(Y.encodeStateVector(chaotic.doc), Y.encodeStateVector(inOrder.doc))
  assert.deepEqual(chaotic.vv.toRecord(), inOrder.vv.toRecord())
  assert.deepEqual(chaotic.doc.getText('text').toString(), authors[1].doc.getText('text').toString())
})

test('envelopes replayed in reverse order and twice over gossipsub leave the same document', {
  timeout: 60_000
}, async () => {
  const peers = new Peers()
  const { node: raw } = await rawPeer()
  // gossipsub remembers ids of messages it has seen: replaying needs a peer that has not.
  const { node: replayer } = await rawPeer()
  try {
    const a = await peers.start()
    const ha = await a.create()
    const topic = docTopic(ha.id)
    // The raw peer records every frame a publishes...
    const frames: Uint8Array[] = []
    raw.services.pubsub.addEventListener('message', e => { if (e.detail.topic === topic) frames.push(e.detail.data) })
    raw.services.pubsub.subscribe(topic)
    await raw.dial(a.libp2p.getMultiaddrs()[0])
    await waitFor('raw subscribed at a', () =>
      a.libp2p.services.pubsub.getSubscribers(topic).some(p => p.equals(raw.peerId)))
    // Publish once the raw peer is in a's mesh, so that none of the 30 frames is sent before it.
    const meshOf = (node: unknown): string[] =>
      ((node as { getMeshPeers?: (t: string) => string[] }).getMeshPeers?.(topic) ?? []).map(String)
    await waitFor('raw in a\'s mesh', () => meshOf(a.libp2p.services.pubsub).includes(raw.peerId.toString()))
    for (let i = 0; i < 30; i++) { ha.doc.getText('text').insert(0, String(i % 10)); await ha.flush() }
    await waitFor('30 envelopes captured', () => frames.length >= 30)
    const expected = text(ha)
    const expectedVector = ha.versionVector
    await a.stop()

    // ...and replays them to a fresh peer backwards, then all of them again.
    const b = await peers.start()
    const hb = await b.open(ha.id)
    replayer.services.pubsub.subscribe(topic)
    await replayer.dial(b.libp2p.getMultiaddrs()[0])
    await waitFor('b subscribed', () =>
      canGossipTo(replayer, topic, b.libp2p.peerId))
    const envelopeFrames = frames.slice(0, 30)
    for (const f of [...envelopeFrames].reverse()) await replayer.services.pubsub.publish(topic, f)
    await waitFor('b rebuilt the text', () => text(hb) === expected)
    // A second replay, from a peer whose gossipsub has not seen these messages either.
    await raw.dial(b.libp2p.getMultiaddrs()[0])
    await waitFor('raw sees b', () => canGossipTo(raw, topic, b.libp2p.peerId))
    const duplicatesBefore = b.metrics.counters()[METRIC.envelopesDuplicate]?.[''] ?? 0
    for (const f of [...envelopeFrames].reverse()) await replayer.services.pubsub.publish(topic, f).catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(text(hb), expected)
    assert.equal(b.metrics.counters()[METRIC.envelopesIn]?.[''], 30, 'each applied once')
    assert.deepEqual(hb.versionVector, expectedVector)
    assert.ok((b.metrics.counters()[METRIC.envelopesDuplicate]?.[''] ?? 0) >= duplicatesBefore)
  } finally {
    await raw.stop()
    await replayer.stop()
    await peers.cleanup()
  }
})
