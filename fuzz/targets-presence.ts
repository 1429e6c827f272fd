/**
 * Presence messages: the awareness gate's checks (size cap, envelope decode,
 * full parse of the y-protocols update) and then what the channel does with
 * an admitted message, `applyAwarenessUpdate` on a live Awareness.
 */
import * as Y from 'yjs'
import { Awareness, applyAwarenessUpdate } from 'y-protocols/awareness'
import * as encoding from 'lib0/encoding'
import {
  AwarenessWireError, decodeAwarenessMessage, encodeAwarenessMessage, inspectAwarenessUpdate
} from '../src/presence/wire.js'
import { DEFAULT_AWARENESS_LIMITS } from '../src/presence/gate.js'
import type { Fixture } from './fixture.js'
import { mutate } from './mutate.js'
import type { Rng } from './rng.js'
import { ACCEPTED, FuzzFailure, checkNoFault, refused, type Target, type Verdict } from './target.js'

const JSON_STATES = [
  'null', '{}', '[]', '1e400', '"x"', '{"__proto__":{"a":1}}', '{"user":{"name":"\\ud800"}}',
  '['.repeat(5000) + ']'.repeat(5000), '{"a":' + '['.repeat(100) + ']'.repeat(100) + '}', 'true', '-0', 'nul'
]

/** An awareness update built field by field: client count, then (clientID, clock, JSON state) each. */
function craftedUpdate (rng: Rng): Uint8Array {
  const enc = encoding.createEncoder()
  const count = rng.pick([0, 1, 2, 16, 17, 2 ** 31, 2 ** 53 - 1])
  encoding.writeVarUint(enc, count)
  for (let i = 0; i < Math.min(count, 20); i++) {
    encoding.writeVarUint(enc, rng.pick([0, 77, 2 ** 32 - 1, 2 ** 53 - 1, rng.int(1000)]))
    encoding.writeVarUint(enc, rng.pick([0, 1, 2 ** 32, 2 ** 53 - 1]))
    encoding.writeVarString(enc, rng.pick(JSON_STATES))
  }
  return encoding.toUint8Array(enc)
}

export function presenceTarget (fx: Fixture): Target {
  const limits = DEFAULT_AWARENESS_LIMITS
  let awareness = new Awareness(new Y.Doc())
  let applied = 0
  return {
    name: 'presence',
    maxBytes: limits.maxMessageBytes,
    viewCheck: true,
    generate: (rng) => rng.bool(0.3)
      ? encodeAwarenessMessage({
        kind: rng.bool() ? 'update' : 'query',
        origin: rng.pick(['12D3KooWFuzzOriginPeer', '', 'x'.repeat(129), '\u0000\ud800']),
        nonce: rng.pick([0, 2 ** 53 - 1, rng.int(1000)]),
        update: rng.bool() ? craftedUpdate(rng) : mutate(rng, craftedUpdate(rng), fx.awareness)
      })
      : mutate(rng, rng.pick(fx.awareness), fx.awareness, { oversizeTo: limits.maxMessageBytes }),
    run: (input): Verdict => {
      if (input.byteLength > limits.maxMessageBytes) return refused('too-large')
      let update: Uint8Array
      try {
        update = decodeAwarenessMessage(input).update
        inspectAwarenessUpdate(update, limits.maxClientsPerMessage)
      } catch (err) {
        if (!(err instanceof AwarenessWireError)) throw err
        checkNoFault('AwarenessWireError', err)
        return refused(err.reason)
      }
      try {
        applyAwarenessUpdate(awareness, update, 'fuzz')
      } catch (err: any) {
        throw new FuzzFailure(`admitted presence update broke applyAwarenessUpdate: ${err?.stack ?? err}`)
      }
      // Remote states pile up in the Awareness: start over now and then, as peers come and go.
      if (++applied % 1000 === 0) {
        awareness.destroy()
        awareness = new Awareness(new Y.Doc())
      }
      return ACCEPTED
    }
  }
}
