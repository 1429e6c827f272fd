/**
 * The per-document sync policy, driven without a network: fake timers, a fake
 * replica view and recorded pulls and announcements. The end-to-end guards of the
 * same rules are catch-up.test.ts and lost-gossip.test.ts.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { DocSync, type DocSyncInit, type PeerRef, type Timers } from '../src/sync/doc-sync.js'
import type { SyncStatus } from '../src/types.js'

class FakeClock implements Timers {
  now = 0
  private next = 1
  private readonly pending = new Map<number, { at: number, fn: () => void }>()
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.next++
    this.pending.set(id, { at: this.now + ms, fn })
    return id
  }

  clearTimeout = (handle: unknown): void => { this.pending.delete(handle as number) }

  get timersPending (): number { return this.pending.size }

  /** Runs every timer due within `ms`, in order, including ones they set. */
  advance (ms: number): void {
    const end = this.now + ms
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
      if (due === undefined) break
      this.pending.delete(due[0])
      this.now = due[1].at
      due[1].fn()
    }
    this.now = end
  }
}

const INIT: DocSyncInit = {
  beaconIntervalMs: 10_000, minBeaconGapMs: 1_000, repairDelayMs: 300, repairFanout: 2, joinGraceMs: 300
}

function setup (options: { subscribers?: string[], vector?: Map<string, number>, gap?: boolean } = {}) {
  const clock = new FakeClock()
  const state = {
    subscribers: (options.subscribers ?? ['p1', 'p2', 'p3']).map(id => ({ toString: () => id })) as PeerRef[],
    vector: options.vector ?? new Map([['me', 3], ['a', 5]]),
    gap: options.gap ?? false,
    online: true,
    pulling: false,
    confirmed: 0
  }
  const pulls: Array<{ peer: string, reason: string, at: number }> = []
  let announcements = 0
  const acks: string[] = []
  const sync = new DocSync({
    docId: 'doc',
    author: 'me',
    hasGap: () => state.gap,
    isBehind: remote => [...remote].some(([k, v]) => v > (state.vector.get(k) ?? 0)),
    isCoveredBy: remote => [...state.vector].every(([k, v]) => (remote.get(k) ?? 0) >= v),
    confirm: seq => { state.confirmed = Math.max(state.confirmed, seq) },
    vectorKey: () => JSON.stringify([...state.vector]),
    vector: () => new Map(state.vector)
  }, {
    subscribers: () => state.subscribers,
    isOnline: () => state.online,
    pull: (_id, peer, reason) => { pulls.push({ peer: peer.toString(), reason, at: clock.now }) },
    isPulling: () => state.pulling,
    announce: () => { announcements++ },
    acknowledge: (_id, author) => { acks.push(author.toString()) },
    timers: clock,
    random: () => 0.5
  }, INIT)
  const statuses: SyncStatus[] = []
  sync.on('status', s => statuses.push(s))
  /** A peer's envelope arrives by gossip and raises the vector, as the engine reports it. */
  const deliver = (author: string, seq: number): void => {
    state.vector.set(author, seq)
    sync.receive({ type: 'envelope', from: { toString: () => 'p1' }, result: 'applied', fromAuthor: false })
  }
  return { sync, clock, state, pulls, statuses, acks, deliver, announced: () => announcements }
}

const peer = (id: string): PeerRef => ({ toString: () => id })

describe('DocSync decision function', () => {
  test('opening asks every peer already on the topic', () => {
    const { sync, pulls } = setup()
    sync.start()
    assert.deepEqual(pulls.map(p => p.peer), ['p1', 'p2', 'p3'])
    assert.ok(pulls.every(p => p.reason === 'opened'))
    sync.stop()
  })

  test('a gap is repaired after 300 ms from the peers that delivered above it, at most two', () => {
    const { sync, clock, state, pulls } = setup()
    sync.start()
    pulls.length = 0
    state.gap = true
    for (const id of ['p3', 'p2', 'p1']) {
      sync.receive({ type: 'envelope', from: peer(id), result: 'held', fromAuthor: true })
    }
    clock.advance(299)
    assert.equal(pulls.length, 0, 'gossip usually fills a gap by itself: wait first')
    clock.advance(1)
    assert.deepEqual(pulls.map(p => p.peer), ['p3', 'p2'])
    sync.stop()
  })

  test('a gap that closed itself before the delay costs no pull', () => {
    const { sync, clock, state, pulls } = setup()
    sync.start()
    pulls.length = 0
    state.gap = true
    sync.receive({ type: 'envelope', from: peer('p1'), result: 'held', fromAuthor: true })
    state.gap = false
    clock.advance(300)
    assert.deepEqual(pulls, [])
    sync.stop()
  })

  test('a gap with no known source asks subscribers', () => {
    const { sync, clock, state, pulls } = setup({ subscribers: ['p9'] })
    sync.start()
    pulls.length = 0
    state.gap = true
    sync.receive({ type: 'gap' })
    clock.advance(300)
    assert.deepEqual(pulls.map(p => p.peer), ['p9'])
    sync.stop()
  })

  test('a beacon ahead of us is pulled from its sender, unless we caught up meanwhile', () => {
    const { sync, clock, state, pulls } = setup()
    sync.start()
    pulls.length = 0
    sync.receive({ type: 'beacon', from: peer('p2'), vector: new Map([['me', 3], ['a', 7]]) })
    clock.advance(300)
    assert.deepEqual(pulls.map(p => p.peer), ['p2'])
    pulls.length = 0
    sync.receive({ type: 'beacon', from: peer('p3'), vector: new Map([['me', 3], ['a', 9]]) })
    state.vector.set('a', 9) // gossip delivered it before the repair ran
    clock.advance(300)
    assert.deepEqual(pulls, [])
    sync.stop()
  })

  test('a beacon confirms our own envelopes it covers', () => {
    const { sync, state } = setup()
    sync.start()
    sync.receive({ type: 'beacon', from: peer('p1'), vector: new Map([['me', 2]]) })
    assert.equal(state.confirmed, 2)
    sync.stop()
  })

  test('pulled data is announced once per burst, and a peer announcing it first suppresses ours', () => {
    const { sync, clock, announced } = setup()
    sync.start()
    for (let i = 0; i < 5; i++) sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true })
    clock.advance(1_500)
    assert.equal(announced(), 1, 'one announcement for the burst, after 1-2 s')
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true })
    sync.receive({ type: 'beacon', from: peer('p2'), vector: new Map([['me', 3], ['a', 5]]) })
    clock.advance(2_000)
    assert.equal(announced(), 1, 'p2 already announced what we hold')
    sync.stop()
  })

  test('while edits stream in, a beacon covering what ours was for cancels ours; the rest waits a round', () => {
    const { sync, clock, state, announced } = setup()
    sync.start()
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true })
    clock.advance(500)
    // More arrived after our announcement was armed for {a: 5}.
    state.vector.set('a', 6)
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true })
    sync.receive({ type: 'beacon', from: peer('p2'), vector: new Map([['me', 3], ['a', 5]]) })
    clock.advance(1_200)
    assert.equal(announced(), 0, 'p2 covered what ours was for; a:6 waits for its own round')
    clock.advance(600)
    assert.equal(announced(), 1, 'nobody covered a:6: we announce it')
    // A beacon behind what the pending announcement was for does not cancel it.
    state.vector.set('a', 7)
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true })
    sync.receive({ type: 'beacon', from: peer('p3'), vector: new Map([['me', 3], ['a', 6]]) })
    clock.advance(2_000)
    assert.equal(announced(), 2)
    sync.stop()
  })

  test('data that arrived by a pull is announced within 1-2 s', () => {
    const { sync, clock, announced } = setup()
    sync.start()
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true })
    clock.advance(2_000)
    assert.equal(announced(), 1)
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: false })
    clock.advance(2_000)
    assert.equal(announced(), 1, 'a pull that brought nothing is not announced')
    sync.stop()
  })

  test('data from a pull is not announced when every peer on the topic is known to hold all we hold', () => {
    const covering = new Map([['me', 3], ['a', 5]])
    // The only peer is the one we pulled from, and its reply showed all we hold: nothing to tell.
    const alone = setup({ subscribers: ['p1'] })
    alone.sync.start()
    alone.sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true, remote: covering })
    alone.clock.advance(2_000)
    assert.equal(alone.announced(), 0, 'no announcement after the pull')
    alone.clock.advance(30_000)
    assert.equal(alone.announced(), 0, 'nor at the periodic ticks: the vector counts as announced')
    alone.deliver('a', 6)
    alone.clock.advance(15_000)
    assert.equal(alone.announced(), 1, 'a later change is announced as usual')
    alone.sync.stop()

    // Another peer whose holdings we do not know: announce.
    const two = setup({ subscribers: ['p1', 'p2'] })
    two.sync.start()
    two.sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true, remote: covering })
    two.clock.advance(2_000)
    assert.equal(two.announced(), 1, 'p2 may lack it')
    two.sync.stop()

    // ... unless its beacon showed it holds it all.
    const known = setup({ subscribers: ['p1', 'p2'] })
    known.sync.start()
    known.sync.receive({ type: 'beacon', from: peer('p2'), vector: covering })
    known.sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true, remote: covering })
    known.clock.advance(2_000)
    assert.equal(known.announced(), 0, 'both peers hold all we hold')
    known.sync.stop()

    // We hold more than the peer we pulled from showed: it should learn that.
    const ahead = setup({ subscribers: ['p1'] })
    ahead.sync.start()
    const behind = new Map([['a', 5]])
    ahead.sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true, remote: behind })
    ahead.clock.advance(2_000)
    assert.equal(ahead.announced(), 1, 'p1 lacks our me:3')
    ahead.sync.stop()
  })

  test('gossiped data is acknowledged to its author when the author sent it, and not announced to the topic', () => {
    const { sync, clock, state, acks, announced } = setup()
    sync.start()
    state.vector.set('a', 6)
    sync.receive({ type: 'envelope', from: peer('a'), result: 'applied', fromAuthor: true })
    sync.receive({ type: 'envelope', from: peer('p1'), result: 'applied', fromAuthor: false })
    sync.receive({ type: 'envelope', from: peer('a'), result: 'duplicate', fromAuthor: true })
    assert.deepEqual(acks, ['a'], 'one ack, to the author, for what it sent us itself')
    clock.advance(2_000)
    assert.equal(announced(), 0, 'no early beacon for gossiped data')
    clock.advance(10_500)
    assert.equal(announced(), 1, 'the periodic tick announces the changed vector')
    sync.stop()
  })

  test('periodic beacons wait while the vector keeps moving, and go out within 2-4 s once it holds still', () => {
    const { sync, clock, deliver, announced } = setup()
    sync.start()
    for (let i = 0; i < 60; i++) {
      deliver('a', 6 + i)
      clock.advance(500)
    }
    assert.equal(announced(), 0, '30 s of edits streaming in: no periodic beacon')
    clock.advance(4_000)
    assert.equal(announced(), 1, 'looked at again every 1-2 s while moving: announced once it held still')
    clock.advance(60_000)
    assert.equal(announced(), 1)
    sync.stop()
  })

  test('a document that has synced lets a joining peer ask first, and pulls back only for more', () => {
    const covered = new Map([['me', 3], ['a', 4]])
    const more = new Map([['me', 3], ['a', 5], ['b', 1]])
    const { sync, clock, state, pulls, statuses } = setup({ subscribers: ['p1'] })
    sync.start()
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: false })
    pulls.length = 0

    // Never synced: a join is pulled at once (see 'opening asks every peer'); synced: grace first.
    state.subscribers.push(peer('p2'))
    sync.receive({ type: 'peer-joined', peer: peer('p2') })
    assert.equal(pulls.length, 0, 'no pull while p2 may still ask')
    sync.receive({ type: 'served', peer: peer('p2'), remote: covered, controlDiffers: false })
    clock.advance(1_000)
    assert.equal(pulls.length, 0, 'p2 showed nothing we lack: no pull back')
    assert.equal(statuses.at(-1), 'synced')

    // A joiner whose request shows more is pulled from at once.
    state.subscribers.push(peer('p3'))
    sync.receive({ type: 'peer-joined', peer: peer('p3') })
    sync.receive({ type: 'served', peer: peer('p3'), remote: more, controlDiffers: false })
    assert.deepEqual(pulls.map(p => p.peer), ['p3'])

    // Private documents: other control ops (a revocation is in no vector) are pulled at once too.
    state.subscribers.push(peer('p4'))
    sync.receive({ type: 'peer-joined', peer: peer('p4') })
    sync.receive({ type: 'served', peer: peer('p4'), remote: covered, controlDiffers: true })
    assert.deepEqual(pulls.map(p => p.peer), ['p3', 'p4'])

    // A joiner that never asks is pulled from when its grace (300-500 ms) ends.
    state.subscribers.push(peer('p5'))
    sync.receive({ type: 'peer-joined', peer: peer('p5') })
    clock.advance(250)
    assert.equal(pulls.length, 2)
    clock.advance(300)
    assert.deepEqual(pulls.map(p => p.peer), ['p3', 'p4', 'p5'])

    // A request that came before the subscription is judged at the join.
    sync.receive({ type: 'served', peer: peer('p6'), remote: covered, controlDiffers: false })
    state.subscribers.push(peer('p6'))
    sync.receive({ type: 'peer-joined', peer: peer('p6') })
    clock.advance(1_000)
    assert.equal(pulls.length, 3, 'p6 asked first and holds nothing we lack')

    // Requests from peers not joining are not judged (most show an edit still in flight).
    sync.receive({ type: 'served', peer: peer('p1'), remote: more, controlDiffers: false })
    assert.equal(pulls.length, 3)
    sync.stop()
  })

  test('a periodic beacon is spared when another peer\'s beacon already showed all we hold', () => {
    const { sync, clock, deliver, announced } = setup()
    sync.start()
    deliver('a', 6)
    sync.receive({ type: 'beacon', from: peer('p2'), vector: new Map([['me', 3], ['a', 6], ['b', 1]]) })
    clock.advance(25_000)
    assert.equal(announced(), 0, 'p2 told every peer on the topic what we hold, and more')
    deliver('a', 7)
    sync.receive({ type: 'beacon', from: peer('p2'), vector: new Map([['me', 3], ['a', 6]]) })
    clock.advance(12_500)
    assert.equal(announced(), 1, 'a beacon short of a:7 does not spare ours')
    sync.stop()
  })

  test('no periodic beacon when every peer on the topic pulled all we hold from us', () => {
    const { sync, clock, deliver, announced } = setup({ subscribers: ['p1'] })
    sync.start()
    deliver('a', 6)
    sync.receive({ type: 'served', peer: peer('p1'), remote: new Map([['a', 2]]), controlDiffers: false })
    clock.advance(25_000)
    assert.equal(announced(), 0, 'p1 read our reply: it holds a:6 and me:3')
    deliver('a', 7)
    clock.advance(25_000)
    assert.equal(announced(), 1, 'a:7 came after: p1 may lack it')
    sync.stop()
  })

  test('periodic beacons: only with listeners and only for a changed vector; an idle document sends nothing', () => {
    const { sync, clock, state, deliver, announced } = setup()
    sync.start()
    clock.advance(600_000)
    assert.equal(announced(), 0, 'the vector we opened with (the joins\' pulls exchange it): quiet, however long')
    deliver('a', 6)
    clock.advance(12_500)
    assert.equal(announced(), 1, 'changed vector: announced at the next tick')
    clock.advance(600_000)
    assert.equal(announced(), 1, 'unchanged since: quiet')
    state.subscribers = []
    deliver('a', 7)
    clock.advance(120_000)
    assert.equal(announced(), 1, 'nobody listens')
    sync.stop()
  })

  test('a document at rest keeps no timer: the tick ends with nothing to announce; a change arms it again', () => {
    const { sync, clock, deliver, announced } = setup({ subscribers: ['p1'] })
    sync.start()
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: false })
    assert.equal(clock.timersPending, 0, 'synced, nothing new since opening: nothing scheduled')
    deliver('a', 6)
    assert.equal(clock.timersPending, 1, 'a delivery arms the tick')
    deliver('a', 7)
    assert.equal(clock.timersPending, 1, 'armed once, however many deliveries')
    clock.advance(12_500)
    assert.equal(announced(), 1, 'the change is announced')
    assert.equal(clock.timersPending, 0, 'then the tick ends')
    clock.advance(600_000)
    assert.equal(announced(), 1)
    sync.receive({ type: 'sealed' })
    assert.equal(clock.timersPending, 1, 'a local edit arms it too')
    sync.stop()
  })

  test('a document alone on its topic keeps no timer; the first peer to join starts the periodic tick', () => {
    const { sync, clock, state, announced } = setup({ subscribers: [] })
    sync.start()
    assert.equal(clock.timersPending, 0, 'nobody to tell: nothing scheduled')
    state.vector.set('a', 6)
    clock.advance(120_000)
    assert.equal(announced(), 0)
    assert.equal(clock.timersPending, 0, 'a local change alone schedules nothing either')
    state.subscribers = [peer('p1')]
    sync.receive({ type: 'peer-joined', peer: peer('p1') })
    assert.ok(clock.timersPending > 0, 'the join started the tick')
    clock.advance(12_500)
    assert.equal(announced(), 1, 'the vector changed while alone is announced at the first tick')
    state.subscribers = []
    sync.receive({ type: 'peer-left', peer: peer('p1') })
    clock.advance(30_000)
    assert.equal(clock.timersPending, 0, 'alone again: the tick stops at its next turn')
    sync.stop()
  })

  test('a pull that leaves us behind the peer\'s claim is retried soon, at most three times in a row', () => {
    const { sync, clock, pulls } = setup()
    sync.start()
    pulls.length = 0
    const claim = new Map([['me', 3], ['a', 9]])
    for (let i = 0; i < 5; i++) {
      sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: false, remote: claim })
      clock.advance(300)
    }
    assert.deepEqual(pulls.map(p => p.peer), ['p1', 'p1', 'p1'], 'three retries, then other signs must come')
    pulls.length = 0
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true, remote: new Map([['a', 5]]) })
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: false, remote: claim })
    clock.advance(300)
    assert.deepEqual(pulls.map(p => p.peer), ['p1'], 'caught up once: the count starts again')
    sync.stop()
  })

  test('a neighbour whose heads digest differs is pulled from at once', () => {
    const { sync, pulls } = setup()
    sync.start()
    pulls.length = 0
    sync.receive({ type: 'heads-differ', peer: peer('p2') })
    assert.deepEqual(pulls.map(p => [p.peer, p.reason]), [['p2', 'heads digest differs']])
    sync.stop()
  })

  test('status: offline, connecting, syncing until a pull completes, synced, and back when the peer leaves', () => {
    const { sync, state, statuses } = setup({ subscribers: [] })
    state.online = false
    sync.start()
    assert.equal(sync.currentStatus, 'offline')
    state.online = true
    sync.receive({ type: 'connectivity' })
    assert.equal(sync.currentStatus, 'connecting')
    state.subscribers = [peer('p1')]
    sync.receive({ type: 'peer-joined', peer: peer('p1') })
    assert.equal(sync.currentStatus, 'syncing')
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: false })
    assert.equal(sync.currentStatus, 'synced')
    state.pulling = true
    sync.receive({ type: 'pull-started' })
    assert.equal(sync.currentStatus, 'syncing')
    state.pulling = false
    state.subscribers = []
    sync.receive({ type: 'peer-left', peer: peer('p1') })
    assert.equal(sync.currentStatus, 'connecting')
    state.subscribers = [peer('p1')]
    sync.receive({ type: 'peer-joined', peer: peer('p1') })
    assert.equal(sync.currentStatus, 'syncing', 'a peer that left must be synced with again')
    assert.deepEqual(statuses, ['connecting', 'syncing', 'synced', 'syncing', 'connecting', 'syncing'])
    sync.stop()
  })

  test('a failed pull does not count as synced; a peer that left mid-pull is not synced with', () => {
    const { sync, state } = setup({ subscribers: ['p1'] })
    sync.start()
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: false, applied: false })
    assert.equal(sync.currentStatus, 'syncing')
    state.subscribers = []
    sync.receive({ type: 'peer-left', peer: peer('p1') })
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: true, applied: true })
    assert.equal(sync.currentStatus, 'connecting')
    sync.stop()
  })

  test('syncing with no pull under way asks the peers in turn, ever more rarely, until one pull completes', () => {
    const { sync, clock, state, pulls } = setup({ subscribers: ['p1', 'p2'] })
    state.pulling = true
    sync.start()
    pulls.length = 0
    clock.advance(60_000)
    assert.equal(pulls.length, 0, 'no extra pull while the opening pulls run')
    state.pulling = false
    sync.receive({ type: 'pull-finished', peer: peer('p1'), ok: false, applied: false })
    sync.receive({ type: 'pull-finished', peer: peer('p2'), ok: false, applied: false })
    assert.equal(sync.currentStatus, 'syncing')
    // The fake pulls never start (as when a peer's circuit is open): each try schedules the next.
    clock.advance(2_000 + 4_000 + 8_000 + 16_000 + 30_000 + 30_000)
    assert.deepEqual(pulls.map(p => [p.peer, p.at - 60_000]),
      [['p1', 2_000], ['p2', 6_000], ['p1', 14_000], ['p2', 30_000], ['p1', 60_000], ['p2', 90_000]])
    assert.ok(pulls.every(p => p.reason === 'no current peer synced with yet'))
    sync.receive({ type: 'pull-finished', peer: peer('p2'), ok: true, applied: true })
    assert.equal(sync.currentStatus, 'synced')
    pulls.length = 0
    clock.advance(120_000)
    assert.deepEqual(pulls.map(p => p.reason).filter(r => r.startsWith('no current')), [], 'synced: no more tries')

    // The peer we synced with leaves; the one still there was never synced with: asked after 2 s.
    state.subscribers = [peer('p1')]
    sync.receive({ type: 'peer-left', peer: peer('p2') })
    assert.equal(sync.currentStatus, 'syncing')
    const left = clock.now
    clock.advance(2_000)
    const tries = pulls.filter(p => p.reason.startsWith('no current'))
    assert.deepEqual(tries.map(p => [p.peer, p.at - left]), [['p1', 2_000]])
    sync.stop()
  })

  test('nothing happens after stop', () => {
    const { sync, clock, state, pulls, announced } = setup()
    sync.start()
    pulls.length = 0
    sync.stop()
    state.gap = true
    sync.receive({ type: 'envelope', from: peer('p1'), result: 'held', fromAuthor: true })
    sync.receive({ type: 'envelope', from: peer('p1'), result: 'applied', fromAuthor: true })
    clock.advance(120_000)
    assert.deepEqual(pulls, [])
    assert.equal(announced(), 0)
  })
})
