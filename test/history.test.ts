/**
 * History (issue 13): `handle.history()` lists a document's envelopes, every author's, oldest
 * first with their HLC times; `handle.versionAt(t)` rebuilds the document as it was at `t`; both
 * survive checkpoints and restarts, work on private documents, and `history: 'none'` compacts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Peers, waitFor, text } from './support/peers.js'
import { rawPeer, signedEnvelope, frame, textUpdate, canGossipTo } from './support/raw-peer.js'
import { METRIC, createWeft, packHlc, type DocHandle, type HistoryEntry, type Weft } from '../src/index.js'
import { docTopic } from '../src/sync/gossip.js'
import { Store } from '../src/store/store.js'
import { nodePlatform } from '../src/platform/node.js'

const pause = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const counter = (w: Weft, name: string): number => w.metrics.counters()[name]?.[''] ?? 0
const textAt = async (h: DocHandle, time: number | Date): Promise<string> => {
  const doc = await h.versionAt(time)
  try {
    return doc.getText('text').toString()
  } finally {
    doc.destroy()
  }
}

/** One edit at the end of the text, with the wall-clock window it was sealed in. */
async function type (h: DocHandle, s: string): Promise<{ before: number, after: number }> {
  const before = Date.now()
  const t = h.doc.getText('text')
  t.insert(t.length, s)
  await h.flush()
  const after = Date.now()
  await pause(15) // the next edit gets a later millisecond, so versionAt can fall between them
  return { before, after }
}

/** Strictly increasing stamps, except that a checkpoint entry (seq 0) shares its latest head's. */
function assertOldestFirst (entries: HistoryEntry[]): void {
  for (let i = 1; i < entries.length; i++) {
    const [prev, entry] = [entries[i - 1], entries[i]]
    const ordered = prev.hlc < entry.hlc || (prev.hlc === entry.hlc && prev.seq === 0)
    assert.ok(ordered, `entry ${i} (${entries[i].hlc}) after ${entries[i - 1].hlc}`)
    assert.ok(entries[i - 1].time <= entries[i].time)
  }
}

test('two peers edit: history lists both authors oldest first with their times; versionAt rebuilds each step; ' +
  'both survive checkpoints and a restart', { timeout: 90_000 }, async () => {
  const peers = new Peers()
  try {
    const aDir = await peers.tempDir()
    const bDir = await peers.tempDir()
    // A checkpoint every 2 envelopes: the default 'full' history must keep what they fold.
    const a = await peers.start({ dataDir: aDir, checkpointEvery: 2 })
    let b = await peers.start({ dataDir: bDir, bootstrap: a.multiaddrs, checkpointEvery: 2 })
    const ha = await a.create()
    let hb = await b.open(ha.id)
    const steps: Array<{ who: 'a' | 'b', s: string, before: number, after: number }> = []
    let expected = ''
    for (const [who, s] of [['a', 'one '], ['b', 'two '], ['a', 'three '], ['b', 'four '], ['a', 'five']] as const) {
      const h = who === 'a' ? ha : hb
      const other = who === 'a' ? hb : ha
      steps.push({ who, s, ...await type(h, s) })
      expected += s
      await waitFor(`the other peer has "${expected}"`, () => text(other) === expected)
    }
    await waitFor('both peers wrote checkpoints', () =>
      counter(a, METRIC.checkpointsWritten) > 0 && counter(b, METRIC.checkpointsWritten) > 0)

    const check = async (h: DocHandle, where: string): Promise<void> => {
      const entries = await h.history()
      assert.equal(entries.length, steps.length, `${where}: one entry per edit`)
      assertOldestFirst(entries)
      entries.forEach((entry, i) => {
        const step = steps[i]
        assert.equal(entry.author, step.who === 'a' ? ha.author : hb.author, `${where}: author of "${step.s}"`)
        assert.ok(entry.time >= step.before && entry.time <= step.after,
          `${where}: "${step.s}" stamped ${entry.time}, made in [${step.before}, ${step.after}]`)
        assert.ok(entry.bytes > 0)
      })
      assert.deepEqual(entries.filter(e => e.author === ha.author).map(e => e.seq), [1, 2, 3])
      assert.deepEqual(entries.filter(e => e.author === hb.author).map(e => e.seq), [1, 2])
      let soFar = ''
      assert.equal(await textAt(h, steps[0].before - 1), '', `${where}: before the first edit`)
      for (const [i, step] of steps.entries()) {
        soFar += step.s
        // Anywhere between this edit's stamp and the next edit's: exactly the edits so far.
        const next = steps[i + 1]?.before ?? Date.now()
        assert.equal(await textAt(h, entries[i].time), soFar, `${where}: at edit ${i}`)
        assert.equal(await textAt(h, next - 1), soFar, `${where}: just before edit ${i + 1}`)
      }
    }
    await check(ha, 'a')
    await check(hb, 'b')
    assert.notEqual(ha.author, hb.author)

    // Restart b on the same LevelDB: the log behind the checkpoints is still there.
    await peers.stop(b)
    b = await peers.start({ dataDir: bDir, bootstrap: a.multiaddrs, checkpointEvery: 2 })
    hb = await b.open(ha.id)
    assert.equal(text(hb), expected)
    await check(hb, 'b after restart')
  } finally {
    await peers.cleanup()
  }
})

test("history: 'none' compacts the log at checkpoints; 'full' keeps it", { timeout: 90_000 }, async () => {
  const peers = new Peers()
  try {
    const edits = 300 // above the 256 envelopes per author kept behind a checkpoint either way
    const run = async (history: 'full' | 'none'): Promise<{ entries: HistoryEntry[], early: string, now: string }> => {
      // One checkpoint, due at the last edit: it folds all of them (and 'none' drops all but 256).
      const w = await peers.start({ dataDir: await peers.tempDir(), checkpointEvery: edits, history })
      const h = await w.create()
      const t = h.doc.getText('text')
      for (let i = 0; i < edits; i++) {
        t.insert(t.length, String(i % 10))
        await h.flush()
      }
      await waitFor('a checkpoint written', () => counter(w, METRIC.checkpointsWritten) === 1)
      await h.close() // waits for that checkpoint's compaction to land
      const reopened = await w.open(h.id)
      const entries = await reopened.history()
      assertOldestFirst(entries)
      const early = await textAt(reopened, entries[0].time)
      return { entries, early, now: await textAt(reopened, Date.now()) }
    }
    const full = await run('full')
    assert.equal(full.entries.length, edits)
    assert.deepEqual(full.entries.map(e => e.seq), Array.from({ length: edits }, (_, i) => i + 1))
    assert.equal(full.early, '0', 'the first version is the first edit')
    assert.equal(full.now.length, edits)

    const none = await run('none')
    // What stays: the envelopes after the last checkpoint plus the 256 kept behind it.
    assert.deepEqual(none.entries.map(e => e.seq), Array.from({ length: 256 }, (_, i) => edits - 255 + i),
      'the last 256 envelopes are kept, the older ones are gone')
    // Their predecessors are gone, so Yjs cannot place the kept edits: no old version can be rebuilt.
    assert.equal(none.early, '')
    assert.equal(none.now, '')
  } finally {
    await peers.cleanup()
  }
})

test('private document: history and versionAt decrypt what this member can read, ' +
  'including the other member\'s edits', { timeout: 90_000 }, async () => {
  const peers = new Peers()
  try {
    const a = await peers.start({ dataDir: await peers.tempDir() })
    const b = await peers.start({ dataDir: await peers.tempDir() })
    const ha = await a.create({ access: 'private' })
    const hb = await b.join(ha.invite({ role: 'writer' }), { signal: AbortSignal.timeout(30_000) })
    const first = await type(ha, 'secret ')
    await waitFor('b decrypts a\'s edit', () => text(hb) === 'secret ')
    await type(hb, 'reply')
    await waitFor('a has b\'s edit', () => text(ha) === 'secret reply')
    const entries = await hb.history()
    assertOldestFirst(entries)
    assert.deepEqual(entries.map(e => e.author), [ha.author, hb.author])
    assert.equal(await textAt(hb, entries[0].time), 'secret ')
    assert.equal(await textAt(hb, first.before - 1), '')
    assert.equal(await textAt(ha, Date.now()), 'secret reply')
  } finally {
    await peers.cleanup()
  }
})

test('a peer that caught up through a merged checkpoint lists it as one entry (seq 0) and rebuilds from it, ' +
  'after a restart too', { timeout: 90_000 }, async () => {
  const peers = new Peers()
  try {
    const a = await peers.start()
    const ha = await a.create()
    const t = ha.doc.getText('text')
    for (let i = 0; i < 100; i++) { // a gap above maxEnvelopesPerSync (64) travels as one merged update
      t.insert(t.length, String(i % 10))
      await ha.flush()
    }
    const merged = text(ha)
    await pause(20)
    const bDir = await peers.tempDir()
    let b = await peers.start({ dataDir: bDir, bootstrap: a.multiaddrs })
    let hb = await b.open(ha.id)
    await waitFor('b caught up', () => text(hb) === merged)
    await pause(20)
    await type(ha, '!')
    await waitFor('b has the next edit', () => text(hb) === merged + '!')

    for (const round of ['live', 'after restart']) {
      const entries = await hb.history()
      assertOldestFirst(entries)
      const base = entries.filter(e => e.seq === 0)
      assert.equal(base.length, 1, `${round}: one checkpoint entry`)
      assert.equal(base[0].author, ha.author, `${round}: merged by a`)
      // It stands for a's 100 envelopes (the head came as its signed header alone), so it takes the head's time.
      assert.equal(entries.some(e => e.author === ha.author && e.seq >= 1 && e.seq <= 100), false,
        `${round}: no envelope it stands for is listed on its own`)
      const head = (await ha.history()).find(e => e.seq === 100)
      assert.equal(base[0].time, head?.time, `${round}: dated by the latest edit it stands for`)
      assert.equal(await textAt(hb, base[0].time), merged, round)
      assert.equal(await textAt(hb, Date.now()), merged + '!', round)
      assert.equal(await textAt(hb, base[0].time - 60_000), '', `${round}: nothing before it`)
      await peers.stop(b)
      b = await peers.start({ dataDir: bDir })
      hb = await b.open(ha.id)
      assert.equal(text(hb), merged + '!')
    }

    // forget() removes the kept checkpoint with the rest.
    await b.forget(ha.id)
    const again = await b.open(ha.id)
    assert.deepEqual(await again.history(), [])
  } finally {
    await peers.cleanup()
  }
})

test('skewed clocks: an edit stamped before what it depends on shows from the time its dependency is stamped',
  { timeout: 60_000 }, async () => {
    const peers = new Peers()
    const { node: raw, key } = await rawPeer()
    try {
      const w = await peers.start()
      const h = await w.create()
      const topic = docTopic(h.id)
      raw.services.pubsub.subscribe(topic)
      await raw.dial(w.libp2p.getMultiaddrs()[0])
      await waitFor('the raw peer sees w on the topic', () =>
        canGossipTo(raw, topic, w.libp2p.peerId))
      // A peer whose clock runs 2 h fast: receivers follow it at most maxClockDriftMs (60 s).
      const future = Date.now() + 2 * 3_600_000
      await raw.services.pubsub.publish(topic, frame(signedEnvelope(key, h.id, 1, textUpdate('fast'),
        packHlc({ wall: future, logical: 0 }))))
      await waitFor('the fast peer\'s edit is merged', () => text(h) === 'fast')
      const t = h.doc.getText('text')
      t.insert(t.length, ' and mine') // depends on the fast peer's text
      const entries = await h.history()
      assert.equal(entries.length, 2)
      const [mine, fast] = entries
      assert.equal(mine.author, h.author, 'ours is stamped first, though made after')
      assert.equal(fast.time, future)
      assert.ok(mine.time < future && mine.time <= Date.now() + 61_000)
      // At our stamp, our edit is in the version but waits for the text it extends: nothing shows.
      assert.equal(await textAt(h, mine.time), '')
      assert.equal(await textAt(h, future), 'fast and mine')
      assert.equal(text(h), 'fast and mine', 'the live document is untouched by any of this')
    } finally {
      await raw.stop()
      await peers.cleanup()
    }
  })

test('bad input: a clear error, no crash', { timeout: 30_000 }, async () => {
  await assert.rejects(createWeft({ history: 'some' as any, listen: [] }),
    { name: 'TypeError', message: 'createWeft: history must be "full" or "none", got "some"' })
  const peers = new Peers()
  try {
    const w = await peers.start()
    const h = await w.create()
    await assert.rejects(h.versionAt('yesterday' as any), { name: 'TypeError', message: /versionAt: time must be/ })
    await assert.rejects(h.versionAt(Number.NaN), TypeError)
    h.doc.getText('text').insert(0, 'x')
    assert.equal(await textAt(h, new Date(Date.now() + 1000)), 'x', 'a Date works too')
    await h.close()
    await assert.rejects(h.history(), /history: document .* is closed/)
    await assert.rejects(h.versionAt(Date.now()), /versionAt: document .* is closed/)
  } finally {
    await peers.cleanup()
  }
})

test('the store reads only the envelopes above what a checkpoint covers, for every author', {
  timeout: 30_000
}, async () => {
  const peers = new Peers()
  try {
    const store = new Store(await nodePlatform.openLevel(await peers.tempDir()))
    try {
      const authors = ['aa', 'bb', 'cc', 'dd']
      for (const author of authors) {
        for (let seq = 1; seq <= 12; seq++) void store.appendEnvelope('doc', author, seq, new Uint8Array([seq]))
      }
      void store.appendEnvelope('doc2', 'aa', 1, new Uint8Array([99])) // another document: never read
      const held = new Map([['aa', 3], ['cc', 12], ['dd', 40]]) // bb: nothing covered
      const read: string[] = []
      for await (const { author, seq, bytes } of store.envelopesAbove('doc', held)) {
        assert.equal(bytes[0], seq)
        read.push(`${author}${seq}`)
      }
      const expected = [
        ...Array.from({ length: 9 }, (_, i) => `aa${i + 4}`),
        ...Array.from({ length: 12 }, (_, i) => `bb${i + 1}`)
      ]
      assert.deepEqual(read, expected)
    } finally {
      await store.close()
    }
  } finally {
    await peers.cleanup()
  }
})
