/**
 * Equivocation: two validly signed envelopes by one author for one seq, with different content.
 * The pair is its own proof (anyone can check it with the author's public key alone), so a peer
 * that sees one can hand it to others without being trusted itself.
 */
import { Envelope, envelopeSigningBytes } from '../wire/codec.js'
import type { Ed25519 } from '../platform/platform.js'

export interface ForkProof { a: Uint8Array, b: Uint8Array }

const equal = (x: Uint8Array, y: Uint8Array): boolean => x.byteLength === y.byteLength && x.every((v, i) => v === y[i])

/** True when `proof` shows its author signed two different envelopes for one (document, seq). */
export function verifyForkProof (proof: ForkProof, ed25519: Ed25519): boolean {
  let a: Envelope, b: Envelope
  try {
    a = Envelope.decode(proof.a)
    b = Envelope.decode(proof.b)
  } catch {
    return false
  }
  if (a.docId !== b.docId || a.seq !== b.seq || !equal(a.author, b.author)) return false
  const sa = envelopeSigningBytes(a)
  const sb = envelopeSigningBytes(b)
  if (equal(sa, sb)) return false
  return ed25519.verify(a.author, sa, a.signature) && ed25519.verify(b.author, sb, b.signature)
}
