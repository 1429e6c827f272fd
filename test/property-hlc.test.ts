import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { HybridLogicalClock, compareHlc, packHlc, unpackHlc, type HlcStamp } from '../src/clock/hlc.js'

const MAX_DRIFT = 60_000
const BASE = 1_780_000_000_000

/** A step of the world: the wall clock moves (forward, back, or not at all), then a local event or a receive. */
const step = fc.record({
  // Mostly small moves, sometimes large jumps back (NTP corrections, a laptop waking up).
  clockMove: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -3_600_000, max: 3_600_000 })),
  kind: fc.constantFrom('now', 'receive'),
  // Remote stamps from far behind to past the drift bound, counters up to the 16-bit edge.
  remoteOffset: fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer({ min: -10_000_000, max: MAX_DRIFT + 10_000 })
  ),
  remoteLogical: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0xfff0, max: 0xffff }))
})

test('stamps only grow, receive() orders after both inputs, and drift stays bounded', () => {
  fc.assert(fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
    let physical = BASE
    let maxPhysical = physical
    let reported = 0
    const clock = new HybridLogicalClock({
      physicalNow: () => physical,
      maxDriftMs: MAX_DRIFT,
      onSkew: () => { reported++ }
    })
    let last: HlcStamp | undefined
    for (const s of steps) {
      physical = Math.max(0, physical + s.clockMove)
      maxPhysical = Math.max(maxPhysical, physical)
      let stamp: HlcStamp
      if (s.kind === 'now') {
        stamp = clock.now()
      } else {
        const remote = { wall: Math.max(0, physical + s.remoteOffset), logical: s.remoteLogical }
        const before = clock.peek()
        const reportedBefore = reported
        stamp = clock.receive(remote)
        if (remote.wall - physical > MAX_DRIFT) {
          // Merged, never refused: the clock follows only up to the drift bound, and says so.
          assert.equal(reported, reportedBefore + 1, 'a stamp beyond the bound is reported')
        } else {
          assert.equal(reported, reportedBefore)
          assert.ok(compareHlc(stamp, remote) > 0, 'the receive event orders after the remote stamp')
        }
        assert.ok(compareHlc(stamp, before) > 0, 'and after everything before it')
      }
      if (last !== undefined) {
        assert.ok(compareHlc(stamp, last) > 0, `${JSON.stringify(stamp)} after ${JSON.stringify(last)}`)
      }
      assert.ok(stamp.wall >= physical, 'never behind the wall clock')
      // Only a counter overflow may carry the clock one ms past the drift bound.
      assert.ok(stamp.wall <= maxPhysical + MAX_DRIFT + 1, `${stamp.wall - maxPhysical} ms ahead of any physical time`)
      last = stamp
    }
  }), { numRuns: 300 })
})

test('pack and unpack round-trip, and packed stamps compare like stamps', () => {
  const stamp = fc.record({
    wall: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
    logical: fc.integer({ min: 0, max: 0xffff })
  })
  fc.assert(fc.property(stamp, stamp, (a, b) => {
    assert.deepEqual(unpackHlc(packHlc(a)), { wall: a.wall, logical: a.logical })
    const packed = packHlc(a) - packHlc(b)
    assert.equal(Math.sign(compareHlc(a, b)), packed === 0n ? 0 : packed > 0n ? 1 : -1)
  }), { numRuns: 1000 })
})

test('out-of-range stamps are refused by pack and unpack', () => {
  fc.assert(fc.property(fc.oneof(
    fc.record({ wall: fc.integer({ min: 2 ** 48, max: 2 ** 53 - 1 }), logical: fc.constant(0) }),
    fc.record({ wall: fc.constant(0), logical: fc.integer({ min: 0x10000, max: 2 ** 31 }) }),
    fc.record({ wall: fc.double({ noInteger: true, noNaN: true, min: 0, max: 1e6 }), logical: fc.constant(0) }),
    fc.record({ wall: fc.integer({ max: -1 }), logical: fc.constant(0) })
  ), (bad) => {
    assert.throws(() => packHlc(bad), RangeError)
  }), { numRuns: 300 })
  fc.assert(fc.property(fc.bigInt({ min: 2n ** 64n, max: 2n ** 80n }), (packed) => {
    assert.throws(() => unpackHlc(packed), RangeError)
  }), { numRuns: 100 })
})
