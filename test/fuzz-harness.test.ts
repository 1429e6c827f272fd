import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runTarget, type Failure } from '../fuzz/harness.js'
import { buildFixture } from '../fuzz/fixture.js'
import { verdictOf, wireTargets } from '../fuzz/targets-wire.js'
import { mutate, parseFields } from '../fuzz/mutate.js'
import { ACCEPTED, refused, type Target } from '../fuzz/target.js'
import { Envelope, WireError } from '../src/wire/codec.js'

// The fuzzer must be able to fail: each broken decoder below breaks the contract in one
// way, and the harness has to report it, while the real decoder on the same inputs passes.

const fixture = buildFixture()
/** The same inputs for every decoder; no time bound that load could trip. */
const RUN = { seed: 1, start: 0, count: 400, inputMs: 60_000 }

async function failuresOf (decode: Target['run'], viewCheck = false): Promise<Failure[]> {
  const fx = await fixture
  const failures: Failure[] = []
  const target: Target = {
    name: 'broken',
    viewCheck,
    generate: (rng) => mutate(rng, rng.pick(fx.envelopes), fx.envelopes, { protobuf: true }),
    run: decode
  }
  const stats = await runTarget(target, { ...RUN, onFailure: f => failures.push(f) })
  assert.equal(stats.failures, failures.length)
  return failures
}

test('an exception that escapes the decoder is a failure', async () => {
  const failures = await failuresOf(input => { Envelope.decode(input); return ACCEPTED })
  assert.ok(failures.length > 0)
  assert.equal(failures[0].kind, 'exception')
})

test('a JS fault wrapped in the declared error type is still a failure', async () => {
  const failures = await failuresOf(input => {
    try {
      const e = Envelope.decode(input)
      if (e.payload.length < 40) (undefined as unknown as { x: number }).x = 1
      return ACCEPTED
    } catch (err: any) {
      // Wrapped the way decodeWith wraps, classified the way the wire targets classify.
      return verdictOf(new WireError('malformed', `does not decode: ${err.message}`))
    }
  })
  const hidden = /hides a JS fault: does not decode: Cannot set propert/
  assert.ok(failures.some(f => hidden.test(f.message)), failures[0]?.message)
})

test('an allocation out of proportion to the input is a failure', async () => {
  const failures = await failuresOf(input => {
    // Trusts the first length field: a mutated length claims up to 2^32 bytes.
    const field = parseFields(input)?.find(f => f.wireType === 2)
    const claimed = field === undefined ? 0 : input[field.valueStart] | (input[field.valueStart + 1] << 7) * 4096
    const buffer = new Uint8Array(Math.min(claimed, 2 ** 28))
    return buffer.length > 1 ? ACCEPTED : refused('short')
  })
  assert.ok(failures.some(f => f.kind === 'allocation'), failures.map(f => f.kind).join())
})

test('reading past the end of the input is a failure', async () => {
  const failures = await failuresOf(input => {
    const room = input.buffer.byteLength - input.byteOffset
    const peek = new Uint8Array(input.buffer, input.byteOffset, Math.min(input.byteLength + 1, room))
    return peek[input.byteLength] === 0x0a ? refused('peeked') : ACCEPTED
  }, true)
  assert.ok(failures.some(f => f.kind === 'view-mismatch'))
})

test('the real envelope target passes on the same inputs', async () => {
  const [envelope] = wireTargets(await fixture)
  const failures: Failure[] = []
  const stats = await runTarget(envelope, { ...RUN, onFailure: f => failures.push(f) })
  assert.deepEqual(failures, [])
  assert.ok(stats.accepted > 0 && Object.keys(stats.refused).length > 3, JSON.stringify(stats))
})
