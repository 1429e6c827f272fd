import { decodeCheckpoint } from '../wire/codec.js'
import { vectorFromWire } from './version-vector.js'
import { headFor, type AnswerSource, type SyncAnswer } from './answer.js'

/**
 * A reply's envelopes stop adding up past this size: a blind replica cannot merge them into one
 * update, and the requester pulls the rest next (it sees the vector we send back still ahead).
 */
const MAX_BLIND_REPLY_BYTES = 16 * 1024 * 1024

/**
 * What a blind replica (one that pins a private document without its key) answers: the authors'
 * own envelopes, as they came; and, where those do not reach back far enough, the writer-signed
 * checkpoint it kept, with the authors' heads that vouch for it. It never makes an update of its
 * own: it has no plaintext to make one from.
 */
export async function answerBlind (source: AnswerSource, remote: ReadonlyMap<string, number>): Promise<SyncAnswer> {
  const { store } = source.ctx
  const missing = source.vv.missingFrom(remote)
  if (missing.length === 0) return { envelopes: [] }
  const keptBytes = await store.getCheckpoint(source.docId)
  const kept = keptBytes === undefined ? undefined : decodeCheckpoint(keptBytes, Infinity)
  const covered = kept === undefined ? new Map<string, number>() : vectorFromWire(kept.vv)

  // The checkpoint goes along when some author's envelopes from the requester's seq on are gone.
  let withCheckpoint = false
  for (const { author, from } of missing) {
    const upTo = covered.get(author) ?? 0
    if (from > upTo) continue
    const found = await store.envelopeRange(source.docId, author, from, upTo)
    if (found.length !== upTo - from + 1) withCheckpoint = true
  }
  const envelopes: Uint8Array[] = []
  let bytes = 0
  for (const { author, from, to } of missing) {
    const start = withCheckpoint ? Math.max(from, (covered.get(author) ?? 0) + 1) : from
    if (start > to || bytes > MAX_BLIND_REPLY_BYTES) continue
    for (const envelope of await store.envelopeRange(source.docId, author, start, to)) {
      if (bytes > MAX_BLIND_REPLY_BYTES) break
      envelopes.push(envelope)
      bytes += envelope.byteLength
    }
  }
  if (!withCheckpoint || kept === undefined) return { envelopes }
  const heads: Uint8Array[] = []
  for (const [author, seq] of covered) {
    if ((remote.get(author) ?? 0) >= seq) continue
    const head = await headFor(store, source.docId, author, seq)
    if (head !== undefined) heads.push(head)
  }
  return { envelopes, checkpoint: kept, heads }
}
