/**
 * The seam between the trust layer and sync: what the gossip validator, the pull client and the
 * replica ask before anything is forwarded, stored or applied. Open documents have no policy
 * (everyone may write), so the open path pays nothing.
 */
import { WireError, type Envelope } from '../wire/codec.js'
import { authorHex } from '../replica/version-vector.js'

export interface AccessPolicy {
  canWrite: (author: string, seq: number) => boolean
  canSignCheckpoint: (signer: string) => boolean
  /** Whose delivery confirmations (beacons, sync requests) count. */
  isMember: (key: string) => boolean
  /** False until the document's root op is here: nothing can be judged before (a joiner's first moments). */
  settled?: () => boolean
}

/** Throws `unauthorized` (a gossipsub Reject, so the sender's score drops) unless `envelope`'s author may write it. */
export function checkWrite (policy: AccessPolicy | undefined, envelope: Envelope): void {
  if (policy === undefined) return
  if (!policy.canWrite(authorHex(envelope.author), envelope.seq)) {
    // Not the sender's fault: ignored (no score penalty), and fetched again once the ops are here.
    if (policy.settled?.() === false) throw new WireError('acl-pending', 'no control ops yet to judge it by')
    const who = authorHex(envelope.author).slice(0, 8)
    throw new WireError('unauthorized', `author ${who} may not write seq ${envelope.seq}`)
  }
}

/**
 * A private document's envelope under an epoch whose key has not arrived (yet): not applied, not a
 * fault. A blind replica (a pinner) reads nothing and keeps every authorized envelope as it came.
 */
export function checkReadable (
  access: { canRead: (payload: Uint8Array) => boolean, readonly blind?: boolean } | undefined, envelope: Envelope
): void {
  if (access !== undefined && access.blind !== true && !access.canRead(envelope.payload)) {
    throw new WireError('no-key', 'no key for this envelope\'s epoch (yet)')
  }
}

export function checkCheckpointSigner (policy: AccessPolicy | undefined, signer: Uint8Array): void {
  if (policy === undefined) return
  if (!policy.canSignCheckpoint(authorHex(signer))) {
    throw new WireError('unauthorized', 'checkpoint signer is not an active writer')
  }
}
