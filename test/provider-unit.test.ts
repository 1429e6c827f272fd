/**
 * WeftProvider building blocks against in-process fakes (no libp2p): presence
 * channel limits, the doc bridge, and the provider's y-websocket-shaped API.
 * The same behaviours over real weft nodes are in provider.test.ts.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { ObservableV2 } from 'lib0/observable'
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { AwarenessChannel } from '../src/presence/channel.js'
import type { PubSubLike, PubSubMessage, ValidatorResult } from '../src/presence/gate.js'
import { awarenessTopic, encodeAwarenessMessage } from '../src/presence/wire.js'
import { DocBridge } from '../src/provider/doc-bridge.js'
import { WeftProvider } from '../src/provider/weft-provider.js'
import type { DocHandle, HandleEvents, OpenOptions, SyncStatus, Weft, WeftEvents } from '../src/types.js'
import { createWeft, newDocId } from '../src/index.js'

// ---- a fake gossipsub: full mesh, validators, async delivery, no forwarding ----

class FakeHub {
  nodes = new Map<string, FakePubSub>()
  deliver (from: FakePubSub, topic: string, data: Uint8Array): void {
    for (const node of this.nodes.values()) {
      if (node === from || !node.topics.has(topic)) continue
      setImmediate(() => { node.receive(from.id, { type: 'unsigned', topic, data }) })
    }
  }
}

class FakePubSub extends EventTarget implements PubSubLike {
  topicValidators = new Map<
    string,
    (peer: { toString (): string }, message: PubSubMessage) => ValidatorResult | Promise<ValidatorResult>
  >()

  topics = new Set<string>()
  published = 0
  constructor (readonly hub: FakeHub, readonly id: string) {
    super()
    hub.nodes.set(id, this)
  }

  subscribe (topic: string): void {
    this.topics.add(topic)
    for (const n of this.hub.nodes.values()) {
      if (n !== this) {
        setImmediate(() => {
          n.dispatchEvent(new CustomEvent('subscription-change', {
            detail: { peerId: this.id, subscriptions: [{ topic, subscribe: true }] }
          }))
        })
      }
    }
  }

  unsubscribe (topic: string): void {
    this.topics.delete(topic)
    for (const n of this.hub.nodes.values()) {
      if (n !== this) {
        setImmediate(() => {
          n.dispatchEvent(new CustomEvent('subscription-change', {
            detail: { peerId: this.id, subscriptions: [{ topic, subscribe: false }] }
          }))
        })
      }
    }
  }

  async publish (topic: string, data: Uint8Array): Promise<unknown> {
    this.published++
    this.hub.deliver(this, topic, data)
    return { recipients: [] }
  }

  getSubscribers (topic: string): Array<{ toString (): string }> {
    return [...this.hub.nodes.values()].filter(n => n !== this && n.topics.has(topic)).map(n => n.id)
  }

  async receive (from: string, msg: PubSubMessage): Promise<void> {
    if (!this.topics.has(msg.topic)) return
    const v = this.topicValidators.get(msg.topic)
    const result = v != null ? await v(from, msg) : 'accept'
    if (result === 'accept') this.dispatchEvent(new CustomEvent('message', { detail: msg }))
  }

  override addEventListener (type: string, listener: (evt: any) => void): void {
    super.addEventListener(type, listener as EventListener)
  }

  override removeEventListener (type: string, listener: (evt: any) => void): void {
    super.removeEventListener(type, listener as EventListener)
  }
}

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

async function until (cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

interface Peer { id: string, doc: Y.Doc, awareness: Awareness, pubsub: FakePubSub, channel: AwarenessChannel }

function peers (n: number, limits = {}): { hub: FakeHub, list: Peer[], stop: () => void } {
  const hub = new FakeHub()
  const list: Peer[] = []
  for (let i = 0; i < n; i++) {
    const id = `peer-${i}`
    const doc = new Y.Doc()
    const awareness = new Awareness(doc)
    const pubsub = new FakePubSub(hub, id)
    const channel = new AwarenessChannel(awareness, 'doc1', { pubsub, peerId: id, limits })
    list.push({ id, doc, awareness, pubsub, channel })
  }
  return {
    hub,
    list,
    stop: () => { for (const p of list) { p.channel.destroy(); p.awareness.destroy(); p.doc.destroy() } }
  }
}

describe('awareness over a sibling topic', { timeout: 30_000 }, () => {
  test('presence (name, colour, cursor) reaches the other peer and late joiners', async () => {
    const { list: [a, b, c], stop } = peers(3)
    try {
      a.channel.start()
      b.channel.start()
      assert.equal(a.channel.topic, awarenessTopic('doc1'))
      a.awareness.setLocalStateField('user', { name: 'Ada', color: '#f80' })
      await until(() => (b.awareness.getStates().get(a.awareness.clientID) as any)?.user?.name === 'Ada',
        2000, 'Ada at b')
      b.awareness.setLocalState({ user: { name: 'Bob', color: '#08f' }, cursor: { anchor: 3, head: 5 } })
      await until(() => (a.awareness.getStates().get(b.awareness.clientID) as any)?.cursor?.head === 5,
        2000, 'cursor at a')
      // c joins later without anybody changing anything: the join query brings both states.
      c.channel.start()
      await until(() => c.awareness.getStates().has(a.awareness.clientID) &&
        c.awareness.getStates().has(b.awareness.clientID), 2000, 'states at late joiner')
    } finally { stop() }
  })

  test('re-sending an unchanged state never repeats earlier bytes ' +
    '(gossipsub drops byte-identical messages)', async () => {
    const { list: [a, b], stop } = peers(2)
    try {
      const sent: string[] = []
      const publish = a.pubsub.publish.bind(a.pubsub)
      a.pubsub.publish = async (topic, data) => {
        sent.push(Buffer.from(data).toString('hex'))
        return await publish(topic, data)
      }
      a.awareness.setLocalStateField('user', { name: 'Ada' })
      a.channel.start(); b.channel.start()
      await until(() => b.awareness.getStates().has(a.awareness.clientID), 2000)
      const c = new FakePubSub(a.pubsub.hub, 'late')
      c.subscribe(a.channel.topic) // a answers the newcomer with the same state
      await until(() => sent.length >= 2, 2000, 'a second announce')
      assert.equal(new Set(sent).size, sent.length)
    } finally { stop() }
  })

  test('two users of one topic on one node share its subscription and validator', async () => {
    const { list: [a, b], stop } = peers(2)
    const doc2 = new Y.Doc()
    const aw2 = new Awareness(doc2)
    const second = new AwarenessChannel(aw2, 'doc1', { pubsub: a.pubsub, peerId: a.id })
    try {
      a.channel.start(); second.start(); b.channel.start()
      b.awareness.setLocalStateField('user', { name: 'Bob' })
      await until(() => a.awareness.getStates().has(b.awareness.clientID) &&
        aw2.getStates().has(b.awareness.clientID), 2000)
      second.stop()
      assert.ok(a.pubsub.topics.has(a.channel.topic), 'still subscribed for the first channel')
      assert.ok(a.pubsub.topicValidators.has(a.channel.topic))
      b.awareness.setLocalStateField('user', { name: 'Bob 2' })
      await until(() => (a.awareness.getStates().get(b.awareness.clientID) as any)?.user?.name === 'Bob 2', 2000)
      a.channel.stop()
      assert.ok(!a.pubsub.topics.has(a.channel.topic))
      assert.ok(!a.pubsub.topicValidators.has(a.channel.topic))
    } finally { second.destroy(); aw2.destroy(); stop() }
  })

  test('a stopped peer\'s presence is removed at once, not after 30 s', async () => {
    const { list: [a, b], stop } = peers(2)
    try {
      a.channel.start(); b.channel.start()
      a.awareness.setLocalStateField('user', { name: 'Ada' })
      await until(() => b.awareness.getStates().has(a.awareness.clientID), 2000, 'Ada at b')
      const t0 = Date.now()
      a.channel.stop()
      await until(() => !b.awareness.getStates().has(a.awareness.clientID), 2000, 'Ada gone at b')
      assert.ok(Date.now() - t0 < 1000)
    } finally { stop() }
  })

  test('states of a peer that vanishes silently expire after the y-protocols timeout', async () => {
    const { list: [a, b], stop } = peers(2)
    try {
      a.channel.start(); b.channel.start()
      a.awareness.setLocalStateField('user', { name: 'Ada' })
      await until(() => b.awareness.getStates().has(a.awareness.clientID), 2000)
      // a vanishes without a word (crash, network gone): drop it from the hub.
      b.pubsub.hub.nodes.delete(a.id)
      a.pubsub.topics.clear()
      // Pretend its last renewal was 31 s ago; y-protocols checks every 3 s.
      b.awareness.meta.get(a.awareness.clientID)!.lastUpdated = Date.now() - 31_000
      await until(() => !b.awareness.getStates().has(a.awareness.clientID), 4000, 'expiry')
    } finally { stop() }
  })

  test('local send throttle coalesces a burst of cursor moves', async () => {
    const { list: [a, b], stop } = peers(2, { sendIntervalMs: 50 })
    try {
      a.channel.start(); b.channel.start()
      await sleep(100)
      const before = a.channel.stats.sent
      const t0 = Date.now()
      for (let i = 0; i < 200; i++) {
        a.awareness.setLocalStateField('cursor', { anchor: i, head: i })
        if (i % 10 === 0) await sleep(5)
      }
      await until(() => (b.awareness.getStates().get(a.awareness.clientID) as any)?.cursor?.head === 199,
        2000, 'last cursor')
      const elapsed = Date.now() - t0
      const sent = a.channel.stats.sent - before
      assert.ok(sent <= Math.ceil(elapsed / 50) + 2, `sent ${sent} messages in ${elapsed} ms`)
    } finally { stop() }
  })

  test('a chatty peer is rate-limited per origin and cannot crowd out others', async () => {
    const { list: [a, b, flooder], stop } = peers(3, { originRate: 20, originBurst: 40 })
    try {
      a.channel.start(); b.channel.start()
      flooder.pubsub.subscribe(a.channel.topic)
      const aw = new Awareness(new Y.Doc())
      for (let i = 0; i < 500; i++) {
        aw.setLocalStateField('cursor', i)
        const msg = encodeAwarenessMessage({
          kind: 'update', origin: flooder.id, nonce: i, update: encodeAwarenessUpdate(aw, [aw.clientID])
        })
        await flooder.pubsub.publish(a.channel.topic, msg)
      }
      b.awareness.setLocalStateField('user', { name: 'Bob' })
      await until(() => (a.awareness.getStates().get(b.awareness.clientID) as any)?.user?.name === 'Bob',
        2000, 'Bob through the flood')
      await sleep(50)
      // the origin bucket drops first; past the neighbour's burst its source bucket drops too
      const dropped = (a.channel.stats.dropped['rate-origin'] ?? 0) + (a.channel.stats.dropped['rate-source'] ?? 0)
      assert.ok(dropped >= 400, `dropped ${dropped}`)
      assert.ok((a.channel.stats.dropped['rate-origin'] ?? 0) > 0)
      assert.ok(a.channel.stats.applied <= 60, `applied ${a.channel.stats.applied}`)
      aw.destroy()
    } finally { stop() }
  })

  test('oversized, malformed and spoofed messages are refused with a reason', async () => {
    const { list: [a, b, evil], stop } = peers(3, { maxMessageBytes: 1024 })
    try {
      a.channel.start(); b.channel.start()
      evil.pubsub.subscribe(a.channel.topic)
      const drops: string[] = []
      a.channel.on('drop', (reason) => drops.push(reason))
      // too large
      await evil.pubsub.publish(a.channel.topic, new Uint8Array(4096))
      // malformed
      await evil.pubsub.publish(a.channel.topic, new Uint8Array([1, 0, 5, 1, 2]))
      // b's presence, then evil claims b's clientID
      b.awareness.setLocalStateField('user', { name: 'Bob' })
      await until(() => a.awareness.getStates().has(b.awareness.clientID), 2000)
      const fake = new Awareness(new Y.Doc())
      fake.clientID = b.awareness.clientID
      fake.setLocalState({ user: { name: 'Mallory' } })
      fake.meta.get(fake.clientID)!.clock = 1000
      const spoof = encodeAwarenessMessage({
        kind: 'update', origin: evil.id, nonce: 1, update: encodeAwarenessUpdate(fake, [fake.clientID])
      })
      await evil.pubsub.publish(a.channel.topic, spoof)
      await sleep(50)
      assert.deepEqual(drops.sort(), ['client-owned', 'malformed', 'too-large'])
      assert.equal((a.awareness.getStates().get(b.awareness.clientID) as any).user.name, 'Bob')
      // b itself refuses a remote update for its own clientID (y-protocols alone would take it)
      assert.equal((b.awareness.getLocalState() as any).user.name, 'Bob')
      assert.equal(b.channel.stats.dropped['client-owned'], 1)
      // a local state over the cap is not sent
      const bigBefore = a.channel.stats.dropped['local-too-large'] ?? 0
      a.awareness.setLocalStateField('blob', 'x'.repeat(2000))
      await until(() => (a.channel.stats.dropped['local-too-large'] ?? 0) > bigBefore, 1000, 'local-too-large')
      fake.destroy()
    } finally { stop() }
  })
})

describe('doc bridge', () => {
  test('edits flow both ways once, without echo, including edits made before start', () => {
    const app = new Y.Doc()
    const engine = new Y.Doc()
    app.getText('t').insert(0, 'app-before ')
    engine.getText('t').insert(0, 'engine-before ')
    const origin = {}
    const bridge = new DocBridge(app, engine, origin)
    let appUpdates = 0
    let engineUpdates = 0
    app.on('update', () => appUpdates++)
    engine.on('update', () => engineUpdates++)
    bridge.start()
    assert.equal(app.getText('t').toString(), engine.getText('t').toString())
    assert.equal(appUpdates, 1)
    assert.equal(engineUpdates, 1)
    const seen: unknown[] = []
    app.on('update', (_u: Uint8Array, o: unknown) => seen.push(o))
    app.getText('t').insert(0, 'A')
    engine.getText('t').insert(0, 'E')
    assert.equal(app.getText('t').toString(), engine.getText('t').toString())
    assert.equal(appUpdates, 3)
    assert.equal(engineUpdates, 3)
    assert.equal(seen[1], origin) // engine edits reach the app with the provider origin
    bridge.stop()
    app.getText('t').insert(0, 'offline ')
    assert.notEqual(app.getText('t').toString(), engine.getText('t').toString())
    bridge.start()
    assert.equal(app.getText('t').toString(), engine.getText('t').toString())
  })
})

// ---- a fake engine handle, for the provider's event mapping ----

const D1 = 'aaaaaaaaaaaaaaaaaaaaaaaaaa'

class FakeHandle extends ObservableV2<HandleEvents> implements DocHandle {
  status: SyncStatus = 'offline'
  peers: string[] = []
  versionVector = {}
  unconfirmed = 0
  access = 'writer' as const
  members (): [] { return [] }
  invite (): string { throw new Error('not in this fake') }
  revoke (): void {}
  author = 'fake-author'
  async history (): Promise<[]> { return [] }
  async versionAt (): Promise<Y.Doc> { throw new Error('not in this fake') }
  closes = 0
  get closed (): boolean { return this.closes > 0 }
  constructor (readonly id: string, readonly doc: Y.Doc) { super() }
  async whenSynced (): Promise<void> {}
  async flush (): Promise<void> {}
  async close (): Promise<void> { this.closes++ }
  set (status: SyncStatus): void { this.status = status; this.emit('status', [status]) }
}

/** Adopts the app's doc like the engine does, and hands the same fake lease back on every open. */
function fakeWeft (): Weft & { handles: Map<string, FakeHandle> } {
  const handles = new Map<string, FakeHandle>()
  const fake = new ObservableV2<WeftEvents>() as unknown as Weft & { handles: Map<string, FakeHandle> }
  return Object.assign(fake, {
    handles,
    peerId: 'me',
    multiaddrs: [],
    libp2p: {} as any,
    metrics: { counters: () => ({}), gauges: () => ({}) },
    async create () { throw new Error('unused') },
    async open (id: string, options: OpenOptions = {}) {
      let h = handles.get(id)
      if (h == null) { h = new FakeHandle(id, options.doc ?? new Y.Doc()); handles.set(id, h) }
      return h
    },
    presence: (docId: string, awareness: Awareness) => {
      const hub = new FakeHub()
      return new AwarenessChannel(awareness, docId, { pubsub: new FakePubSub(hub, 'me'), peerId: 'me' })
    },
    dial: async () => false,
    openDocuments: () => [...handles.keys()],
    storedDocuments: async () => [],
    connectedPeers: () => [],
    docSnapshot: () => undefined,
    stop: async () => {}
  })
}

describe('WeftProvider API (fake engine)', () => {
  test('an id that is not a weft document id is refused at once with a TypeError', () => {
    const weft = fakeWeft()
    assert.throws(() => new WeftProvider('my-doc', new Y.Doc(), { weft }), (err: Error) =>
      err instanceof TypeError && /"my-doc" is not a weft id/.test(err.message))
    assert.equal(weft.handles.size, 0)
  })

  test('status, sync and delivery follow the handle; the app doc is adopted; disconnect/connect', async () => {
    const weft = fakeWeft()
    const ydoc = new Y.Doc()
    const provider = new WeftProvider(D1, ydoc, { weft })
    const statuses: string[] = []
    const syncs: boolean[] = []
    const deliveries: number[] = []
    provider.on('status', (e) => statuses.push(`${e.status}/${e.weftStatus}`))
    provider.on('sync', (s) => syncs.push(s))
    provider.on('delivery', (n) => deliveries.push(n))
    await until(() => provider.handle != null, 1000)
    const h = weft.handles.get(D1)!
    assert.equal(h.doc, ydoc, 'one copy: the engine works on the app\'s own Y.Doc')
    h.set('connecting'); h.set('syncing'); h.set('synced'); h.set('syncing')
    assert.equal(provider.synced, true)
    assert.equal(provider.connected, true)
    h.unconfirmed = 2; h.emit('delivery', [2])
    assert.equal(provider.unconfirmed, 2)
    assert.equal(provider.hasUnsyncedChanges, true)
    h.set('offline')
    assert.equal(provider.synced, false)
    provider.disconnect()
    assert.equal(provider.status, 'disconnected')
    await until(() => h.closes === 1, 1000, 'lease released')
    h.unconfirmed = 0
    ydoc.getText('t').insert(0, '>> ')
    await provider.connect()
    await provider.destroy()
    assert.equal(h.closes, 2)
    // 2 from the engine; then, disconnected, the app's edit counts on top of the last known 2;
    // reconnected, the engine's 0
    assert.deepEqual(deliveries, [0, 2, 3, 0])
    assert.deepEqual(syncs, [true, false])
    // (the first 'connecting' is emitted inside the constructor, before anyone listens, as in y-websocket)
    assert.deepEqual(statuses, [
      'connecting/offline', 'connecting/connecting', 'connected/syncing',
      'connected/synced', 'connected/syncing', 'connecting/offline', 'disconnected/disconnected',
      'connecting/connecting', 'connecting/offline', 'disconnected/disconnected'
    ])
  })
})

describe('WeftProvider on a real engine (one peer, no network)', () => {
  test('edits made while the document is still opening are kept even if the provider is destroyed first', async () => {
    const weft = await createWeft({ listen: [], mdns: false })
    try {
      const id = newDocId()
      const ydoc = new Y.Doc()
      const provider = new WeftProvider(id, ydoc, { weft })
      ydoc.getText('t').insert(0, 'typed before the engine answered')
      const flushed = provider.flush()
      await provider.destroy()
      await flushed
      assert.deepEqual(weft.openDocuments(), [], 'the provider released its lease')
      const again = await weft.open(id)
      assert.equal(again.doc.getText('t').toString(), 'typed before the engine answered')
      await again.close()
    } finally {
      await weft.stop()
    }
  })

  test('two providers with their own Y.Docs on one document: the second bridges, ' +
    'each releases only its lease', async () => {
    const weft = await createWeft({ listen: [], mdns: false })
    try {
      const id = newDocId()
      const p1 = new WeftProvider(id, new Y.Doc(), { weft })
      const p2 = new WeftProvider(id, new Y.Doc(), { weft })
      await until(() => p1.handle != null && p2.handle != null, 5000)
      assert.equal(p1.handle!.doc, p1.doc, 'the first provider\'s doc is adopted')
      assert.notEqual(p2.handle!.doc, p2.doc, 'the second one is bridged')
      p1.doc.getText('t').insert(0, 'x')
      assert.equal(p2.doc.getText('t').toString(), 'x')
      await p1.destroy()
      assert.deepEqual(weft.openDocuments(), [id], 'still open for the second provider')
      p2.doc.getText('t').insert(1, 'y')
      await p2.flush()
      await p2.destroy()
      assert.deepEqual(weft.openDocuments(), [])
      const again = await weft.open(id)
      assert.equal(again.doc.getText('t').toString(), 'xy')
      await again.close()
    } finally {
      await weft.stop()
    }
  })
})
