import { test } from 'node:test'
import assert from 'node:assert/strict'
import { VersionVector, countRanges } from '../src/replica/version-vector.js'

test('version vector: contiguous heads, seqs above a gap, duplicates recognised', () => {
  const vv = new VersionVector()
  assert.equal(vv.add('a', 1), true)
  assert.equal(vv.add('a', 3), true)
  assert.equal(vv.get('a'), 1)
  assert.equal(vv.hasGap('a'), true)
  assert.equal(vv.has('a', 3), true)
  assert.equal(vv.add('a', 3), false, 'duplicate above the gap')
  assert.equal(vv.add('a', 2), true)
  assert.equal(vv.get('a'), 3, 'filling the gap absorbs what was above it')
  assert.equal(vv.hasGap(), false)
  assert.equal(vv.add('a', 1), false, 'duplicate below the head')
})

test('version vector: missing ranges, behind-ness and raising to a checkpoint', () => {
  const vv = new VersionVector()
  for (let s = 1; s <= 10; s++) vv.add('a', s)
  vv.add('b', 1)
  const ranges = vv.missingFrom(new Map([['a', 4]]))
  assert.deepEqual(ranges, [{ author: 'a', from: 5, to: 10 }, { author: 'b', from: 1, to: 1 }])
  assert.equal(countRanges(ranges), 7)
  assert.equal(vv.isBehind(new Map([['a', 10], ['b', 1]])), false)
  assert.equal(vv.isBehind(new Map([['c', 1]])), true)
  vv.add('b', 5)
  vv.raiseTo([['b', 3]])
  assert.equal(vv.get('b'), 3)
  vv.raiseTo([['b', 4]])
  assert.equal(vv.get('b'), 5, 'raising up to a gap joins the seqs held above it')
})
