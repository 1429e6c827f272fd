import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  HybridLogicalClock, compareHlc, packHlc, unpackHlc, type ClockSkewEvent, type HlcStamp
} from '../src/clock/hlc.js'

/** A wall clock the test moves by hand. */
function manualClock (start: number): { now: () => number, set: (t: number) => void } {
  let t = start
  return { now: () => t, set: (v: number) => { t = v } }
}

describe('hybrid logical clock', () => {
  test('now() follows the wall clock when it moves forward', () => {
    const wall = manualClock(1_000)
    const clock = new HybridLogicalClock({ physicalNow: wall.now })
    assert.deepEqual(clock.now(), { wall: 1_000, logical: 0 })
    wall.set(1_005)
    assert.deepEqual(clock.now(), { wall: 1_005, logical: 0 })
  })

  test('now() stays monotonic when the wall clock steps back', () => {
    const wall = manualClock(10_000)
    const clock = new HybridLogicalClock({ physicalNow: wall.now })
    const before = clock.now()
    wall.set(4_000) // NTP correction, or a user changing the time
    const stamps = [clock.now(), clock.now(), clock.now()]
    let previous = before
    for (const s of stamps) {
      assert.ok(compareHlc(s, previous) > 0, `${JSON.stringify(s)} must order after ${JSON.stringify(previous)}`)
      assert.equal(s.wall, 10_000, 'physical time never goes backwards')
      previous = s
    }
    wall.set(10_001)
    assert.deepEqual(clock.now(), { wall: 10_001, logical: 0 })
  })

  test('stamps within one millisecond are ordered by the counter', () => {
    const clock = new HybridLogicalClock({ physicalNow: () => 500 })
    assert.deepEqual([clock.now(), clock.now(), clock.now()].map(s => s.logical), [0, 1, 2])
  })

  test('the counter overflowing carries into the wall component, keeping order', () => {
    const clock = new HybridLogicalClock({ physicalNow: () => 7 })
    let last = clock.now()
    for (let i = 0; i < 0x10000 + 5; i++) {
      const next = clock.now()
      assert.ok(compareHlc(next, last) > 0)
      assert.ok(next.logical <= 0xffff)
      last = next
    }
    assert.equal(last.wall, 8)
  })

  test('receive() merges a remote stamp ahead of us: later local stamps order after it', () => {
    const clock = new HybridLogicalClock({ physicalNow: () => 1_000, maxDriftMs: 60_000 })
    const remote: HlcStamp = { wall: 5_000, logical: 7 }
    const received = clock.receive(remote)
    assert.ok(compareHlc(received, remote) > 0)
    assert.deepEqual(received, { wall: 5_000, logical: 8 })
    assert.ok(compareHlc(clock.now(), remote) > 0)
  })

  test('receive() of a stamp behind us keeps our clock and still advances it', () => {
    const clock = new HybridLogicalClock({ physicalNow: () => 9_000 })
    const local = clock.now()
    const received = clock.receive({ wall: 100, logical: 50 })
    assert.ok(compareHlc(received, local) > 0)
    assert.equal(received.wall, 9_000)
  })

  test('receive() with equal walls takes the larger counter plus one', () => {
    const clock = new HybridLogicalClock({ physicalNow: () => 3_000 })
    clock.now(); clock.now() // logical 1
    assert.deepEqual(clock.receive({ wall: 3_000, logical: 10 }), { wall: 3_000, logical: 11 })
    assert.deepEqual(clock.receive({ wall: 3_000, logical: 2 }), { wall: 3_000, logical: 12 })
  })

  test('a remote stamp beyond the max drift is accepted but clamped, and reported', () => {
    const events: ClockSkewEvent[] = []
    const clock = new HybridLogicalClock({ physicalNow: () => 1_000, maxDriftMs: 500, onSkew: e => events.push(e) })
    const before = clock.now()
    const received = clock.receive({ wall: 7_200_000, logical: 3 })
    assert.ok(compareHlc(received, before) > 0, 'still monotonic')
    assert.equal(received.wall, 1_500, 'the clock moves at most maxDriftMs ahead of physical time')
    assert.equal(clock.isTooFarAhead({ wall: 1_501, logical: 0 }), true)
    assert.deepEqual(events, [{ direction: 'ahead', offsetMs: 7_199_000, maxDriftMs: 500 }])
    // exactly at the limit is an ordinary receive, not a skew
    assert.deepEqual(clock.receive({ wall: 1_500, logical: 9 }), { wall: 1_500, logical: 10 })
    assert.equal(events.length, 1)
  })

  test('a slow clock keeps its own pace: far-ahead stamps never drag it more than maxDriftMs', () => {
    const wall = manualClock(0)
    const clock = new HybridLogicalClock({ physicalNow: wall.now, maxDriftMs: 60_000 })
    for (let t = 0; t < 10; t++) {
      wall.set(t * 1_000)
      clock.receive({ wall: t * 1_000 + 7_200_000, logical: 0 })
      assert.ok(clock.now().wall <= t * 1_000 + 60_000)
    }
  })

  test('observeFresh reports a fresh stamp far behind (our clock may be the fast one)', () => {
    const events: ClockSkewEvent[] = []
    const onSkew = (e: ClockSkewEvent): void => { events.push(e) }
    const clock = new HybridLogicalClock({ physicalNow: () => 7_200_000, maxDriftMs: 60_000, onSkew })
    clock.observeFresh({ wall: 7_200_000 - 60_000, logical: 0 })
    assert.equal(events.length, 0)
    clock.observeFresh({ wall: 0, logical: 0 })
    assert.deepEqual(events, [{ direction: 'behind', offsetMs: -7_200_000, maxDriftMs: 60_000 }])
    assert.deepEqual(clock.peek(), { wall: 0, logical: 0 }, 'observing does not move the clock')
  })

  test('pack/unpack round-trips and packed stamps compare like stamps', () => {
    const stamps: HlcStamp[] = [
      { wall: 0, logical: 0 },
      { wall: 1_732_000_000_000, logical: 0 },
      { wall: 1_732_000_000_000, logical: 65_535 },
      { wall: 2 ** 48 - 1, logical: 1 }
    ]
    for (const s of stamps) assert.deepEqual(unpackHlc(packHlc(s)), s)
    for (let i = 1; i < stamps.length; i++) assert.ok(packHlc(stamps[i]) > packHlc(stamps[i - 1]))
    assert.throws(() => packHlc({ wall: 2 ** 48, logical: 0 }), RangeError)
    assert.throws(() => packHlc({ wall: 1, logical: 70_000 }), RangeError)
    assert.throws(() => unpackHlc(-1n), RangeError)
  })
})
