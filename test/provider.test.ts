/**
 * WeftProvider between two real weft peers on loopback: an app that owns its
 * Y.Doc switches from y-websocket by changing the constructor, and gets text,
 * presence, sync state and delivery state.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { Peers, waitFor } from './support/peers.js'
import { newDocId } from '../src/index.js'
import { WeftProvider } from '../src/index.js'
import { AwarenessRelay } from '../src/presence/channel.js'
import { awarenessTopic } from '../src/presence/wire.js'
import { encodeAwarenessMessage } from '../src/presence/wire.js'
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'

const T = 20_000

describe('WeftProvider over two weft peers', { timeout: 90_000 }, () => {
  test('an app-owned Y.Doc syncs both ways and reports sync, status and delivery', async () => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    try {
      const a = await peers.start()
      const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
      const docId = newDocId()
      // The app already owns its documents, with content, before any provider exists.
      const docA = new Y.Doc()
      docA.getText('text').insert(0, 'from A. ')
      const docB = new Y.Doc()
      docB.getText('text').insert(0, 'from B. ')

      const pa = new WeftProvider(docId, docA, { weft: a })
      providers.push(pa)
      const statuses: string[] = []
      pa.on('status', ({ status }) => statuses.push(status))
      const pb = new WeftProvider(docId, docB, { weft: b })
      providers.push(pb)

      await Promise.all([
        pa.whenSynced({ signal: AbortSignal.timeout(T) }),
        pb.whenSynced({ signal: AbortSignal.timeout(T) })
      ])
      assert.equal(pa.synced, true)
      assert.equal(pb.connected, true)
      await waitFor('initial contents merged', () =>
        docA.getText('text').toString() === docB.getText('text').toString() && docA.getText('text').length === 16, T)
      assert.ok(statuses.includes('connected'))

      // live edits both ways, and the origin of remote changes is the provider (as in y-websocket)
      const origins: unknown[] = []
      docB.on('update', (_u: Uint8Array, origin: unknown) => origins.push(origin))
      docA.getText('text').insert(0, '>')
      await waitFor('B sees A\'s edit', () => docB.getText('text').toString().startsWith('>'), T)
      assert.ok(origins.includes(pb))
      docB.getText('text').insert(docB.getText('text').length, '<')
      await waitFor('A sees B\'s edit', () => docA.getText('text').toString().endsWith('<'), T)

      // delivery: every local change is confirmed by the other peer eventually
      await waitFor('A has no unconfirmed edits', () => pa.unconfirmed === 0, T)
      await waitFor('B has no unconfirmed edits', () => pb.unconfirmed === 0, T)
    } finally {
      await Promise.allSettled(providers.map(async p => { await p.destroy() }))
      await peers.cleanup()
    }
  })

  test('delivery status: an edit made alone stays unconfirmed until a peer holds it', async () => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    try {
      const a = await peers.start()
      const docId = newDocId()
      const docA = new Y.Doc()
      const pa = new WeftProvider(docId, docA, { weft: a })
      providers.push(pa)
      const deliveries: number[] = []
      pa.on('delivery', (n) => deliveries.push(n))
      await waitFor('A connected to the engine', () => pa.handle != null, T)
      docA.getText('text').insert(0, 'did this reach anyone?')
      await pa.flush()
      await waitFor('A counts an unconfirmed edit', () => pa.unconfirmed > 0, T)
      assert.equal(pa.hasUnconfirmedChanges, true)

      const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
      const docB = new Y.Doc()
      const pb = new WeftProvider(docId, docB, { weft: b })
      providers.push(pb)
      await waitFor('B has the text', () => docB.getText('text').toString() === 'did this reach anyone?', T)
      await waitFor('A learns it reached B', () => pa.unconfirmed === 0, T)
      assert.ok(deliveries.some(n => n > 0))
      assert.equal(deliveries.at(-1), 0)
    } finally {
      await Promise.allSettled(providers.map(async p => { await p.destroy() }))
      await peers.cleanup()
    }
  })

  test('presence: name, colour and cursor arrive, and a peer that leaves is removed at once', async (t) => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    try {
      const a = await peers.start()
      const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
      const docId = newDocId()
      const pa = new WeftProvider(docId, new Y.Doc(), { weft: a })
      const pb = new WeftProvider(docId, new Y.Doc(), { weft: b })
      providers.push(pa, pb)
      pa.awareness.setLocalStateField('user', { name: 'Ada', color: '#ff8800' })
      pb.awareness.setLocalStateField('user', { name: 'Bob', color: '#0088ff' })
      const idA = pa.awareness.clientID
      const idB = pb.awareness.clientID
      await waitFor('B sees Ada', () => pb.awareness.getStates().get(idA)?.user?.name === 'Ada', T)
      await waitFor('A sees Bob', () => pa.awareness.getStates().get(idB)?.user?.color === '#0088ff', T)

      // latency of cursor moves, one at a time
      const samples: number[] = []
      for (let i = 1; i <= 30; i++) {
        const t0 = performance.now()
        pa.awareness.setLocalStateField('cursor', { anchor: i, head: i + 1 })
        await waitFor('cursor', () => pb.awareness.getStates().get(idA)?.cursor?.head === i + 1, 5000, 1)
        samples.push(performance.now() - t0)
        await new Promise(resolve => setTimeout(resolve, 60)) // stay outside the 50 ms send throttle
      }
      samples.sort((x, y) => x - y)
      const p50 = samples[Math.floor(samples.length / 2)]
      const p95 = samples[Math.floor(samples.length * 0.95)]
      t.diagnostic(
        `awareness latency node->node: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (n=${samples.length})`
      )
      assert.ok(p50 < 200, `p50 ${p50}`)

      // presence is not in the document
      assert.equal(Y.encodeStateVector(pa.doc).byteLength, 1)
      assert.ok((pb.awarenessStats?.applied ?? 0) > 0)

      // B leaves (destroy announces it), then A sees B gone well before the 30 s timeout
      const t0 = Date.now()
      await pb.destroy()
      await waitFor('Bob gone at A', () => !pa.awareness.getStates().has(idB), 5000)
      t.diagnostic(`presence removal after destroy: ${Date.now() - t0} ms`)
    } finally {
      await Promise.allSettled(providers.map(async p => { await p.destroy() }))
      await peers.cleanup()
    }
  })

  test('a presence flood is contained at the first hop and document edits keep flowing', async (t) => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    const floodAwareness = new Awareness(new Y.Doc())
    try {
      const a = await peers.start()
      const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
      const flooder = await peers.start({ bootstrap: [a.multiaddrs[0], b.multiaddrs[0]] })
      const docId = newDocId()
      const docA = new Y.Doc()
      const docB = new Y.Doc()
      const pa = new WeftProvider(docId, docA, { weft: a })
      const pb = new WeftProvider(docId, docB, { weft: b })
      providers.push(pa, pb)
      await Promise.all([
        pa.whenSynced({ signal: AbortSignal.timeout(T) }),
        pb.whenSynced({ signal: AbortSignal.timeout(T) })
      ])
      // The flooder speaks the wire format but ignores the send throttle.
      const pubsub = (flooder.libp2p.services as any).pubsub
      const topic = awarenessTopic(docId)
      pubsub.subscribe(topic)
      await waitFor('flooder seen on the topic', () =>
        (a.libp2p.services as any).pubsub.getSubscribers(topic).some((p: any) => p.toString() === flooder.peerId), T)
      await new Promise(resolve => setTimeout(resolve, 500)) // a heartbeat or two: meshes form
      const flooding = { on: true } // a box: the flag is cleared outside the loop, after the edits below
      let floodSent = 0
      const flood = (async () => {
        while (flooding.on) {
          for (let i = 0; i < 20; i++) {
            floodAwareness.setLocalStateField('cursor', floodSent)
            const msg = encodeAwarenessMessage({
              kind: 'update',
              origin: flooder.peerId,
              nonce: floodSent++,
              update: encodeAwarenessUpdate(floodAwareness, [floodAwareness.clientID])
            })
            void pubsub.publish(topic, msg).catch(() => {})
          }
          await new Promise(resolve => setTimeout(resolve, 5))
        }
      })()
      const latencies: number[] = []
      const t0 = Date.now()
      for (let i = 0; i < 10; i++) {
        const s = performance.now()
        docA.getText('text').insert(0, 'x')
        await waitFor('edit through the flood', () => docB.getText('text').length === i + 1, 10_000, 2)
        latencies.push(performance.now() - s)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      flooding.on = false
      await flood
      const seconds = (Date.now() - t0) / 1000
      await new Promise(resolve => setTimeout(resolve, 200))
      const statsB = pb.awarenessStats!
      const dropped = (statsB.dropped['rate-origin'] ?? 0) + (statsB.dropped['rate-source'] ?? 0)
      latencies.sort((x, y) => x - y)
      t.diagnostic(`flood: ${floodSent} presence messages in ${seconds.toFixed(1)} s; ` +
        `B applied ${statsB.applied}, dropped ${dropped} (rate); ` +
        `doc edit latency during flood p50 ${latencies[5].toFixed(1)} ms, max ${latencies[9].toFixed(1)} ms`)
      // B accepts at most the burst plus the rate over the flood's duration,
      // from the flooder and relayed by A together.
      assert.ok(statsB.applied <= 40 + 20 * (seconds + 1) + 10, `applied ${statsB.applied}`)
      assert.ok(dropped > 0)
      // A relays only what it accepted: it cannot amplify the flood.
      const statsA = pa.awarenessStats!
      assert.ok(statsA.applied <= 40 + 20 * (seconds + 1) + 10, `A applied ${statsA.applied}`)
    } finally {
      floodAwareness.destroy()
      await Promise.allSettled(providers.map(async p => { await p.destroy() }))
      await peers.cleanup()
    }
  })

  test('a relay peer that shows nothing carries presence between peers that are not connected', async () => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    let relay: AwarenessRelay | undefined
    try {
      // A and B refuse each other: everything between them goes through R (as browsers behind a daemon).
      const ids: { a?: string, b?: string } = {}
      const deny = (other: 'a' | 'b') => ({
        denyDialPeer: async (p: any) => p.toString() === ids[other],
        denyInboundEncryptedConnection: async (p: any) => p.toString() === ids[other]
      })
      const r = await peers.start()
      const a = await peers.start({ bootstrap: [r.multiaddrs[0]], network: { connectionGater: deny('b') } })
      ids.a = a.peerId
      const b = await peers.start({ bootstrap: [r.multiaddrs[0]], network: { connectionGater: deny('a') } })
      ids.b = b.peerId
      const docId = newDocId()
      await r.open(docId) // R replicates the document, as a daemon pinning it does...
      relay = new AwarenessRelay(docId, { pubsub: (r.libp2p.services as any).pubsub, peerId: r.peerId })
      relay.start() // ...and relays its presence
      const pa = new WeftProvider(docId, new Y.Doc(), { weft: a })
      const pb = new WeftProvider(docId, new Y.Doc(), { weft: b })
      providers.push(pa, pb)
      pa.awareness.setLocalStateField('user', { name: 'Ada' })
      pb.awareness.setLocalStateField('user', { name: 'Bob' })
      await waitFor('B sees Ada through R', () =>
        pb.awareness.getStates().get(pa.awareness.clientID)?.user?.name === 'Ada', T)
      await waitFor('A sees Bob through R', () =>
        pa.awareness.getStates().get(pb.awareness.clientID)?.user?.name === 'Bob', T)
      assert.ok(!a.connectedPeers().some(p => p.id === b.peerId), 'A and B are not connected')
      pa.doc.getText('text').insert(0, 'and text too')
      await waitFor('B has the text through R', () => pb.doc.getText('text').toString() === 'and text too', T)
      assert.ok(relay.stats.forwarded >= 2)
    } finally {
      relay?.stop()
      await Promise.allSettled(providers.map(async p => { await p.destroy() }))
      await peers.cleanup()
    }
  })

  test('a peer that stops without a word has its presence removed on disconnect', async () => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    try {
      const a = await peers.start()
      const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
      const docId = newDocId()
      const pa = new WeftProvider(docId, new Y.Doc(), { weft: a })
      const pb = new WeftProvider(docId, new Y.Doc(), { weft: b })
      providers.push(pa, pb)
      pb.awareness.setLocalStateField('user', { name: 'Bob' })
      const idB = pb.awareness.clientID
      await waitFor('A sees Bob', () => pa.awareness.getStates().has(idB), T)
      // B's node goes away under the provider (crash-like: no leave message from the provider)
      await peers.stop(b)
      await waitFor('Bob gone at A', () => !pa.awareness.getStates().has(idB), 5000)
    } finally {
      await Promise.allSettled(providers.map(async p => { await p.destroy() }))
      await peers.cleanup()
    }
  })

  test('disconnect() stops the flow both ways; connect() catches up what was missed', async () => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    try {
      const a = await peers.start()
      const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
      const docId = newDocId()
      const docA = new Y.Doc()
      const docB = new Y.Doc()
      const pa = new WeftProvider(docId, docA, { weft: a })
      const pb = new WeftProvider(docId, docB, { weft: b })
      providers.push(pa, pb)
      docA.getText('text').insert(0, 'one ')
      await waitFor('B has one', () => docB.getText('text').toString() === 'one ', T)

      pb.disconnect()
      assert.equal(pb.status, 'disconnected')
      assert.equal(pb.synced, false)
      docA.getText('text').insert(4, 'two ')
      docB.getText('text').insert(0, 'offline ')
      assert.ok(pb.unconfirmed > 0, 'an edit made while disconnected is unconfirmed')
      await new Promise(resolve => setTimeout(resolve, 500))
      assert.equal(docB.getText('text').toString(), 'offline one ')
      assert.equal(docA.getText('text').toString(), 'one two ')

      await pb.connect()
      await waitFor('both converge after reconnect', () =>
        docA.getText('text').toString() === docB.getText('text').toString() &&
        docA.getText('text').toString().includes('offline') && docB.getText('text').toString().includes('two'), T)
      await pb.whenSynced({ signal: AbortSignal.timeout(T) })
      await waitFor('B\'s offline edit confirmed', () => pb.unconfirmed === 0, T)
    } finally {
      await Promise.allSettled(providers.map(async p => { await p.destroy() }))
      await peers.cleanup()
    }
  })
})
