import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { VersionVector, countRanges, vectorFromWire } from '../src/replica/version-vector.js'

const AUTHORS = ['aa', 'bb', 'cc', 'dd']
/** A remote vector as peers exchange them: author -> highest contiguous seq. */
const remoteVector = fc.dictionary(fc.constantFrom(...AUTHORS), fc.integer({ min: 0, max: 30 }))
  .map(d => new Map(Object.entries(d)))
/** Envelope ids as they arrive: any authors, any seqs, repeats included. */
const arrivals = fc.array(fc.tuple(fc.constantFrom(...AUTHORS), fc.integer({ min: 1, max: 25 })), { maxLength: 80 })

/** The merge of vectors: each author raised to the highest seq any of them names. */
function merge (...vectors: Array<Map<string, number>>): Map<string, number> {
  const v = new VersionVector()
  for (const m of vectors) v.raiseTo(m)
  return new Map(v.entries())
}

const merged = (...vectors: Array<Map<string, number>>): Record<string, number> => Object.fromEntries(merge(...vectors))

function vectorOf (ids: Array<[string, number]>): VersionVector {
  const v = new VersionVector()
  for (const [author, seq] of ids) v.add(author, seq)
  return v
}

test('merging vectors is commutative, associative and idempotent', () => {
  fc.assert(fc.property(remoteVector, remoteVector, remoteVector, (a, b, c) => {
    assert.deepEqual(merged(a, b), merged(b, a))
    assert.deepEqual(merged(merge(a, b), c), merged(a, merge(b, c)))
    assert.deepEqual(merged(a, a), merged(a))
    // Pointwise max, with zero entries left out.
    for (const author of AUTHORS) {
      assert.equal(merged(a, b)[author] ?? 0, Math.max(a.get(author) ?? 0, b.get(author) ?? 0))
    }
  }), { numRuns: 200 })
})

test('the vector is the same whatever order and however often ids arrive, and has() is exact', () => {
  fc.assert(fc.property(arrivals, fc.func(fc.integer()), (ids, key) => {
    const shuffled = [...ids, ...ids.slice(0, 10)].sort((x, y) => key(x) - key(y))
    const a = vectorOf(ids)
    const b = vectorOf(shuffled)
    assert.deepEqual(a.toRecord(), b.toRecord())
    const seen = new Set(ids.map(([author, seq]) => `${author}:${seq}`))
    for (const author of AUTHORS) {
      let head = 0
      while (seen.has(`${author}:${head + 1}`)) head++
      assert.equal(a.get(author), head, 'highest contiguous seq')
      const above = [...seen].some(id => id.startsWith(`${author}:`) && Number(id.split(':')[1]) > head)
      assert.equal(a.hasGap(author), above)
      for (let seq = 1; seq <= 26; seq++) assert.equal(a.has(author, seq), seen.has(`${author}:${seq}`))
    }
  }), { numRuns: 150 })
})

test('missing ranges are exactly the difference, and isBehind agrees with them', () => {
  fc.assert(fc.property(arrivals, remoteVector, (ids, remote) => {
    const local = vectorOf(ids)
    const ranges = local.missingFrom(remote)
    const listed = new Set<string>()
    for (const r of ranges) {
      assert.ok(r.from >= 1 && r.from <= r.to)
      for (let s = r.from; s <= r.to; s++) {
        assert.ok(!listed.has(`${r.author}:${s}`), 'ranges do not overlap')
        listed.add(`${r.author}:${s}`)
      }
    }
    assert.equal(countRanges(ranges), listed.size)
    for (const author of AUTHORS) {
      for (let s = 1; s <= 31; s++) {
        const expected = s <= local.get(author) && s > (remote.get(author) ?? 0)
        assert.equal(listed.has(`${author}:${s}`), expected, `${author}:${s}`)
      }
    }
    // isBehind(remote) is "remote has something I lack": the missing ranges seen from the other side.
    const remoteVv = new VersionVector()
    remoteVv.raiseTo(remote)
    assert.equal(local.isBehind(remote), remoteVv.missingFrom(new Map(local.entries())).length > 0)
    local.raiseTo(remote)
    assert.equal(local.isBehind(remote), false, 'raised to a vector, never behind it')
    assert.deepEqual(local.missingFrom(remote).length === 0, !remoteVv.isBehind(new Map(local.entries())))
  }), { numRuns: 200 })
})

test('a vector survives the wire, with duplicate entries merged by max', () => {
  const entry = fc.tuple(fc.constantFrom(1, 2, 3), fc.integer({ min: 0, max: 2 ** 53 - 1 }))
  fc.assert(fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
    const wire = entries.map(([a, seq]) => ({ author: new Uint8Array(32).fill(a), seq }))
    const v = vectorFromWire(wire)
    for (const [a] of entries) {
      const hex = Buffer.from(new Uint8Array(32).fill(a)).toString('hex')
      assert.equal(v.get(hex), Math.max(...entries.filter(e => e[0] === a).map(e => e[1])))
    }
    assert.equal(v.size, new Set(entries.map(e => e[0])).size)
  }), { numRuns: 150 })
})
