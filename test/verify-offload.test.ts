import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import * as Y from 'yjs'
import { VerifyOffload } from '../src/identity/verify-offload.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'
import { nodePlatform } from '../src/platform/node.js'
import { createEngine } from '../src/engine.js'
import { METRIC, type Weft } from '../src/index.js'
import { docTopic } from '../src/sync/gossip.js'
import { LOOPBACK, text, waitFor } from './support/peers.js'
import { rawPeer, signedEnvelope, frame, textUpdate, canGossipTo } from './support/raw-peer.js'

const verifyInline = nodeEd25519.verify

interface Signed { publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array }

async function signer (): Promise<(data: Uint8Array) => Signed> {
  const key = await generateKeyPair('Ed25519')
  return data => ({
    publicKey: key.publicKey.raw,
    data,
    signature: nodeEd25519.sign(key.raw.subarray(0, 32), key.publicKey.raw, data)
  })
}

describe('signature checks on a worker thread while the loop is saturated', () => {
  test('an idle loop checks inline, at once', async () => {
    const offload = new VerifyOffload(verifyInline, { busy: () => false })
    const sign = await signer()
    const s = sign(new TextEncoder().encode('hello'))
    assert.equal(offload.check(s.publicKey, s.data, s.signature), true)
    assert.equal(offload.check(s.publicKey, new TextEncoder().encode('hellp'), s.signature), false)
    await offload.close()
  })

  test('a busy loop gets the same answers from the worker, in the order asked', { timeout: 30_000 }, async () => {
    const offload = new VerifyOffload(verifyInline, { busy: () => true })
    try {
      const sign = await signer()
      const other = await signer()
      const cases: Array<{ args: [Uint8Array, Uint8Array, Uint8Array], want: boolean }> = []
      for (let i = 0; i < 300; i++) {
        const s = sign(new TextEncoder().encode(`edit ${i} `.repeat(1 + (i % 7))))
        const kind = i % 4
        if (kind === 0) cases.push({ args: [s.publicKey, s.data, s.signature], want: true })
        if (kind === 1) cases.push({ args: [s.publicKey, s.data.subarray(1), s.signature], want: false })
        if (kind === 2) cases.push({ args: [other(s.data).publicKey, s.data, s.signature], want: false })
        if (kind === 3) {
          const flipped = Uint8Array.from(s.signature)
          flipped[5] ^= 1
          cases.push({ args: [s.publicKey, s.data, flipped], want: false })
        }
      }
      const order: number[] = []
      const answers = cases.map(async ({ args }, i) => {
        const answer = offload.check(...args)
        assert.ok(answer instanceof Promise, 'a busy loop hands the check to the worker')
        const ok = await answer
        order.push(i)
        return ok
      })
      assert.ok(offload.waiting > 0)
      assert.deepEqual(await Promise.all(answers), cases.map(c => c.want))
      assert.deepEqual(order, cases.map((_, i) => i), 'answered in the order asked')
      assert.equal(offload.waiting, 0)
      // Same answers as inline, including the empty message.
      const empty = sign(new Uint8Array(0))
      assert.equal(await offload.check(empty.publicKey, empty.data, empty.signature), true)
    } finally {
      await offload.close()
    }
  })

  test('while a check waits for the worker the next one queues behind it, even on a quiet loop',
    { timeout: 30_000 }, async () => {
      let busy = true
      const offload = new VerifyOffload(verifyInline, { busy: () => busy })
      try {
        const sign = await signer()
        const a = sign(new Uint8Array([1]))
        const b = sign(new Uint8Array([2]))
        const first = offload.check(a.publicKey, a.data, a.signature)
        busy = false
        const second = offload.check(b.publicKey, b.data, b.signature)
        assert.ok(second instanceof Promise, 'inline now would answer before the first')
        assert.deepEqual(await Promise.all([first, second]), [true, true])
        assert.equal(typeof offload.check(b.publicKey, b.data, b.signature), 'boolean', 'inline again once none waits')
      } finally {
        await offload.close()
      }
    })

  test('a worker that fails leaves every check answered inline', { timeout: 30_000 }, async () => {
    const sign = await signer()
    const s = sign(new Uint8Array([7, 7, 7]))
    for (const workerSource of ['throw new Error("no worker today")', 'process.exit(3)']) {
      const offload = new VerifyOffload(verifyInline, { busy: () => true, workerSource })
      try {
        const waiting = [offload.check(s.publicKey, s.data, s.signature),
          offload.check(s.publicKey, s.data.subarray(1), s.signature)]
        assert.deepEqual(await Promise.all(waiting), [true, false])
        await waitFor('the failure is noticed',
          () => typeof offload.check(s.publicKey, s.data, s.signature) === 'boolean', 5_000)
        assert.equal(offload.check(s.publicKey, s.data, s.signature), true)
      } finally {
        await offload.close()
      }
    }
  })

  test('a worker that answers the wrong number of results is not believed', { timeout: 30_000 }, async () => {
    const workerSource = `
      const { parentPort } = require('node:worker_threads')
      parentPort.on('message', () => { parentPort.postMessage(new Uint8Array([1, 1, 1, 1, 1, 1, 1])) })`
    const offload = new VerifyOffload(verifyInline, { busy: () => true, workerSource })
    try {
      const sign = await signer()
      const s = sign(new Uint8Array([9]))
      assert.deepEqual(await Promise.all([offload.check(s.publicKey, s.data, s.signature),
        offload.check(s.publicKey, new Uint8Array([8]), s.signature)]), [true, false])
    } finally {
      await offload.close()
    }
  })

  test('real peers with every gossip signature checked on the worker: edits arrive, forgeries do not',
    { timeout: 60_000 }, async () => {
      const offload = new VerifyOffload(verifyInline, { busy: () => true })
      const platform = { ...nodePlatform, ed25519: { ...nodeEd25519, verifySoon: offload.check.bind(offload) } }
      const started: Weft[] = []
      const { node: raw, key } = await rawPeer()
      try {
        const a = await createEngine({ ...LOOPBACK }, platform)
        started.push(a)
        const b = await createEngine({ ...LOOPBACK, bootstrap: [a.multiaddrs[0]] }, platform)
        started.push(b)
        const ha = await a.create()
        const hb = await b.open(ha.id)
        await waitFor('b is a gossip peer of a', () => canGossipTo(a.libp2p, docTopic(ha.id), b.libp2p.peerId))
        const offloaded = (): number => b.metrics.counters()[METRIC.signaturesOffloaded]?.[''] ?? 0
        const before = offloaded()
        ha.doc.getText('text').insert(0, 'from a')
        await waitFor('b has a\'s edit', () => text(hb) === 'from a')
        assert.ok(offloaded() > before, 'b checked the edit\'s signature on the worker')

        const topic = docTopic(ha.id)
        raw.services.pubsub.subscribe(topic)
        await raw.dial(b.libp2p.getMultiaddrs()[0])
        await waitFor('the raw peer can gossip to b', () => canGossipTo(raw, topic, b.libp2p.peerId))
        const forged = signedEnvelope(key, ha.id, 1, textUpdate('forged'))
        forged.payload = textUpdate('tampered') as Uint8Array<ArrayBuffer>
        const state = Y.encodeStateAsUpdate(hb.doc)
        const dropped = (): number => b.metrics.counters()[METRIC.dropped]?.['bad-signature'] ?? 0
        await raw.services.pubsub.publish(topic, frame(forged))
        await waitFor('b drops the forged envelope', () => dropped() >= 1, 10_000)
        assert.deepEqual(Y.encodeStateAsUpdate(hb.doc), state, 'nothing of it reached the document')
        assert.equal(text(hb), 'from a')
      } finally {
        await raw.stop()
        await Promise.allSettled(started.map(async w => { await w.stop() }))
        await offload.close()
      }
    })
})
