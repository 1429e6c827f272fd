/**
 * Delivery acks (/weft/ack/1.0.0): a neighbour's "I hold yours up to seq" per document, decoded
 * and checked as `DeliveryAcks.serve` does (its clock stamp unpacked, as the engine's
 * `observeStamp` does) before each entry reaches `Replica.confirm` (src/sync/ack.ts), which
 * refuses a seq above what this peer wrote.
 */
import { DeliveryAck, MAX_ACK_ENTRIES, WIRE_VERSION, WireError, decodeDeliveryAck } from '../src/wire/codec.js'
import { stampOf } from '../src/sync/validate.js'
import { mutate } from './mutate.js'
import type { Rng } from './rng.js'
import { ACCEPTED, FuzzFailure, checkNoFault, refused, type Target } from './target.js'

const MAX_BYTES = 4 * 1024 * 1024
const docIds = Array.from({ length: 20 }, (_, i) => `doc${String(i).padStart(23, 'b')}`)

function seeds (): Uint8Array[] {
  return [
    DeliveryAck.encode({ version: WIRE_VERSION, entries: [{ docId: docIds[0], seq: 3 }], hlc: 123456789n << 16n }),
    DeliveryAck.encode({ version: WIRE_VERSION, entries: docIds.map((docId, i) => ({ docId, seq: i * 1000 + 1 })) }),
    DeliveryAck.encode({ version: 2, entries: [{ docId: '', seq: Number.MAX_SAFE_INTEGER }] }),
    DeliveryAck.encode({ version: WIRE_VERSION, entries: [] })
  ]
}

export function ackTarget (): Target {
  const corpus = seeds()
  return {
    name: 'ack',
    maxBytes: MAX_BYTES,
    viewCheck: true,
    generate: (rng: Rng) => mutate(rng, rng.pick(corpus), corpus, { protobuf: true, oversizeTo: MAX_BYTES }),
    run: (input) => {
      try {
        const ack = decodeDeliveryAck(input, MAX_BYTES)
        if (ack.version !== WIRE_VERSION) return refused('bad-version')
        if (ack.hlc !== 0n) stampOf('delivery ack', ack.hlc)
        if (ack.entries.length > MAX_ACK_ENTRIES) throw new FuzzFailure(`${ack.entries.length} entries decoded`)
        for (const { docId, seq } of ack.entries) {
          if (typeof docId !== 'string' || typeof seq !== 'number' || !(seq >= 0)) {
            throw new FuzzFailure(`entry decoded as ${typeof docId} ${String(seq)}`)
          }
        }
        return ACCEPTED
      } catch (err) {
        if (!(err instanceof WireError)) throw err
        checkNoFault('WireError', err)
        return refused(err.reason)
      }
    }
  }
}
