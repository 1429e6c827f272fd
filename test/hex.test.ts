import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { toString as uint8ArrayToString, fromString as uint8ArrayFromString } from 'uint8arrays'
import { hex } from '../src/util/hex.js'

// hex() keys maps of authors, signatures and gossip message ids: it must be exactly base16,
// one string per byte sequence, and read back to the same bytes.
test('hex writes exactly what base16 writes, and reads back, for views into larger buffers too', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), fc.nat(8), (whole, skip) => {
    // a view into a larger buffer, as decoded protobuf fields are
    const bytes = whole.subarray(Math.min(skip, whole.byteLength))
    const out = hex(bytes)
    assert.equal(out, uint8ArrayToString(bytes, 'base16'))
    assert.deepEqual(uint8ArrayFromString(out, 'base16'), bytes)
  }), { numRuns: 500 })
  assert.equal(hex(new Uint8Array([0, 1, 0xab, 0xff])), '0001abff')
})
