/**
 * The heads exchange (/weft/heads/1.0.0): a neighbour's digest, and its reply listing one
 * hash per shared document. Both are decoded, then compared with what this peer holds,
 * exactly as `HeadsExchange.serve` and `exchange` do (src/sync/heads.ts).
 */
import {
  HeadsDigest, HeadsReply, WIRE_VERSION, WireError, decodeHeadsDigest, decodeHeadsReply
} from '../src/wire/codec.js'
import { vectorHash } from '../src/sync/heads.js'
import { mutate } from './mutate.js'
import type { Rng } from './rng.js'
import { ACCEPTED, checkNoFault, refused, type Target, type Verdict } from './target.js'

const MAX_BYTES = 8 * 1024 * 1024
const encoder = new TextEncoder()
const docIds = Array.from({ length: 40 }, (_, i) => `doc${String(i).padStart(23, 'a')}`)
const heads = docIds.map((docId, i) => ({ docId, vectorHash: vectorHash([['a'.repeat(64), i + 1]]) }))

function seeds (): Uint8Array[] {
  return [
    HeadsDigest.encode({ version: WIRE_VERSION, count: heads.length, digest: new Uint8Array(32).fill(7) }),
    HeadsReply.encode({ version: WIRE_VERSION, same: true, entries: [] }),
    HeadsReply.encode({
      version: WIRE_VERSION,
      same: false,
      entries: heads.map(h => ({ ...h, vectorHash: h.vectorHash as Uint8Array<ArrayBuffer> }))
    }),
    HeadsReply.encode({
      version: WIRE_VERSION, same: false, entries: [{ docId: docIds[0], vectorHash: encoder.encode('x') }]
    })
  ]
}

function refusal (err: unknown): Verdict {
  if (!(err instanceof WireError)) throw err
  checkNoFault('WireError', err)
  return refused(err.reason)
}

/** Whatever decodes is compared with our heads as the exchange compares them. */
function compare (reply: HeadsReply): void {
  const theirs = new Map(reply.entries.map(e => [e.docId, e.vectorHash]))
  for (const h of heads) {
    const other = theirs.get(h.docId)
    if (other === undefined) continue
    void (other.byteLength === h.vectorHash.byteLength && other.every((x, i) => x === h.vectorHash[i]))
  }
}

export function headsTarget (): Target {
  const corpus = seeds()
  return {
    name: 'heads',
    maxBytes: MAX_BYTES,
    viewCheck: true,
    generate: (rng: Rng) => mutate(rng, rng.pick(corpus), corpus, { protobuf: true, oversizeTo: MAX_BYTES }),
    run: (input) => {
      // The same bytes as a digest (what a server reads) and as a reply (what a client reads).
      try {
        const digest = decodeHeadsDigest(input, MAX_BYTES)
        void (digest.count === heads.length && digest.digest.byteLength === 32)
      } catch (err) {
        refusal(err)
      }
      try {
        compare(decodeHeadsReply(input, MAX_BYTES))
        return ACCEPTED
      } catch (err) {
        return refusal(err)
      }
    }
  }
}
