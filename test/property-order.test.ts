import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as Y from 'yjs'
import { MemoryLevel } from 'memory-level'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { Replica, type ReplicaContext } from '../src/replica/replica.js'
import { Store } from '../src/store/store.js'
import { Signer } from '../src/identity/peer-key.js'
import { HybridLogicalClock } from '../src/clock/hlc.js'
import { METRIC, Metrics } from '../src/metrics/metrics.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'
import { Gossip, docTopic } from '../src/sync/gossip.js'
import { GossipFrame, type Envelope } from '../src/wire/codec.js'
import type { LevelDb } from '../src/platform/platform.js'

// Order independence: whatever order, and however often, a document's envelopes arrive over
// gossip, the replica ends with the same content, the same Yjs state vector and the same
// version vector, holding nothing back.

const DOC = 'weftpropertydocumentaaaaaa'
const signers = Promise.all([1, 2, 3, 4, 5].map(async () => new Signer(await generateKeyPair('Ed25519'), nodeEd25519)))
const sender = generateKeyPair('Ed25519').then(k => peerIdFromPrivateKey(k))

async function replica (signer: Signer, metrics = new Metrics()): Promise<Replica> {
  const ctx: ReplicaContext = {
    store: new Store(
      new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as LevelDb
    ),
    signer,
    clock: new HybridLogicalClock(),
    metrics,
    options: {
      batchWindowMs: 0,
      minSealIntervalMs: 0,
      maxEnvelopesPerSync: 64,
      checkpointEvery: 1_000_000,
      retainAfterCheckpoint: 256
    }
  }
  return await Replica.load(DOC, ctx)
}

/** A receiving peer: a replica behind the real Gossip class, its pubsub replaced by the two calls gossipsub makes. */
async function receiver (): Promise<{ replica: Replica, metrics: Metrics, deliver: (frame: Uint8Array) => void }> {
  const metrics = new Metrics()
  const r = await replica((await signers)[4], metrics)
  const listeners: Array<(e: CustomEvent<Message>) => void> = []
  const pubsub = {
    topicValidators: new Map<string, (peer: PeerId, m: Message) => TopicValidatorResult>(),
    addEventListener: (_: string, fn: (e: CustomEvent<Message>) => void) => { listeners.push(fn) },
    removeEventListener: () => {},
    subscribe: () => {},
    unsubscribe: () => {},
    getSubscribers: () => []
  }
  const verifier = { ed25519: nodeEd25519, clock: new HybridLogicalClock() }
  const gossip = new Gossip(pubsub as unknown as GossipSub, { verifier, metrics, maxEnvelopeBytes: 1 << 20 })
  gossip.join(DOC, {
    has: (author, seq) => r.has(author, seq),
    onEnvelope: (envelope, bytes) => { r.ingest(envelope, bytes) },
    onBeacon: () => {},
    access: undefined,
    differsFromHeld: envelope => r.differsFromHeld(envelope),
    reportFork: () => {}
  })
  const from = await sender
  const topic = docTopic(DOC)
  return {
    replica: r,
    metrics,
    deliver: (data) => {
      // A fresh copy per delivery, as each arrives in its own RPC buffer.
      const message = { type: 'unsigned', topic, data: data.slice() } as unknown as Message
      const verdict = pubsub.topicValidators.get(topic)?.(from, message)
      if (verdict !== TopicValidatorResult.Accept) return
      for (const fn of listeners) fn(new CustomEvent('message', { detail: message }))
    }
  }
}

const editStep = fc.record({
  author: fc.nat(),
  kind: fc.constantFrom('insert', 'delete', 'map', 'array', 'sync'),
  at: fc.nat(),
  text: fc.string({ maxLength: 4 })
})

const scenario = fc.record({
  authors: fc.integer({ min: 2, max: 4 }),
  steps: fc.array(editStep, { minLength: 1, maxLength: 24 }),
  // How the envelopes are delivered: a random order, and which ones come again.
  order: fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
  repeats: fc.array(fc.nat(), { maxLength: 20 })
})

test('any permutation with duplicates of the envelopes gives the same document', { timeout: 120_000 }, async () => {
  await fc.assert(fc.asyncProperty(scenario, async ({ authors, steps, order, repeats }) => {
    const keys = await signers
    const writers = await Promise.all(keys.slice(0, authors).map(async k => await replica(k)))
    const log: Array<[Envelope, Uint8Array]> = []
    const byAuthor = writers.map(() => [] as Array<[Envelope, Uint8Array]>)
    writers.forEach((w, i) => w.on('sealed', (bytes, envelope) => {
      log.push([envelope, bytes])
      byAuthor[i].push([envelope, bytes])
    }))
    for (const s of steps) {
      const i = s.author % authors
      const doc = writers[i].doc
      const text = doc.getText('t')
      if (s.kind === 'sync') {
        // Concurrency with causality: the author catches up on everyone, so later edits build on theirs.
        for (const [e, b] of log) writers[i].ingest(e, b)
        continue
      }
      if (s.kind === 'insert') text.insert(s.at % (text.length + 1), s.text + i)
      if (s.kind === 'delete' && text.length > 0) text.delete(s.at % text.length, 1 + (s.at % 3))
      if (s.kind === 'map') doc.getMap('m').set(`k${s.at % 3}`, s.text)
      if (s.kind === 'array') doc.getArray('a').insert(0, [s.at])
      await writers[i].flush()
    }
    const frames = log.map(([envelope]) => GossipFrame.encode({ envelope }))

    const reference = await receiver()
    for (const f of frames) reference.deliver(f)

    // Shuffle by sort keys drawn from `order`, then deliver some again, shuffled in among the rest.
    const keyOf = (i: number): number => order[i % order.length] * 1000 + i
    const deliveries = [...frames.keys(), ...(frames.length === 0 ? [] : repeats.map(r => r % frames.length))]
      .map((index, i) => ({ index, key: keyOf(i) * 7919 % 100_003 }))
      .sort((a, b) => a.key - b.key)
    const chaotic = await receiver()
    for (const d of deliveries) chaotic.deliver(frames[d.index])

    const expected = reference.replica.doc.toJSON()
    // The reference itself holds what the authors hold (each author's last known state merged).
    const all = new Y.Doc()
    for (const w of writers) Y.applyUpdate(all, Y.encodeStateAsUpdate(w.doc))
    assert.deepEqual(expected, all.toJSON())
    assert.deepEqual(chaotic.replica.doc.toJSON(), expected)
    assert.deepEqual(Y.encodeStateVector(chaotic.replica.doc), Y.encodeStateVector(reference.replica.doc))
    assert.deepEqual(chaotic.replica.vv.toRecord(), reference.replica.vv.toRecord())
    assert.equal(chaotic.replica.hasGap(), false, 'nothing held above a gap once everything arrived')
    assert.equal(chaotic.metrics.counter(METRIC.envelopesIn), log.length, 'every envelope applied exactly once')
    for (const [i, own] of byAuthor.entries()) assert.equal(chaotic.replica.vv.get(keys[i].author), own.length)
  }), { numRuns: 30 })
})
