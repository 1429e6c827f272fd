/**
 * Every signature of the trust layer, in one place, each over its own domain string so that a
 * signature made for one purpose can never be replayed as another (a control op as a redeem
 * proof, say). Signatures are over `domain ‖ encoding with the signature field empty`: protons
 * writes fields in field-number order, so the encoding is canonical.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { ControlOp } from '../wire/trust.js'
import { nobleEd25519 } from '../identity/ed25519-noble.js'

export const DOMAIN = {
  control: 'weft/control/v1\0',
  controlId: 'weft/control-id/v1\0',
  redeem: 'weft/redeem/v1\0'
} as const

const EMPTY = new Uint8Array(0)
const tagged = (domain: string, bytes: Uint8Array): Uint8Array => concatBytes(utf8ToBytes(domain), bytes)

/** Whatever can sign: a raw seed (document root or invite key) or the peer's `Signer`. */
export interface SigningKey {
  readonly publicKey: Uint8Array
  sign: (bytes: Uint8Array) => Uint8Array
}

export function seedKey (seed: Uint8Array): SigningKey {
  return { publicKey: ed25519.getPublicKey(seed), sign: bytes => ed25519.sign(bytes, seed) }
}

export function signAs (key: SigningKey, domain: string, bytes: Uint8Array): Uint8Array {
  return key.sign(tagged(domain, bytes))
}

/**
 * Checked with the pure-JS backend on every platform (control ops are rare), which applies the rule
 * envelopes follow (src/identity/ed25519-rules.ts): noble's own verify is cofactored and took
 * signatures that OpenSSL and libsodium refuse.
 */
export function verifyAs (publicKey: Uint8Array, domain: string, bytes: Uint8Array, signature: Uint8Array): boolean {
  return nobleEd25519.verify(publicKey, tagged(domain, bytes), signature)
}

export function controlSigningBytes (op: ControlOp): Uint8Array {
  return ControlOp.encode({ ...op, signature: EMPTY as Uint8Array<ArrayBuffer> })
}

/** An op's id: a hash of everything but its signature, so one op has one id. */
export function controlOpId (op: ControlOp): Uint8Array {
  return sha256(tagged(DOMAIN.controlId, controlSigningBytes(op)))
}

export function signControlOp (op: ControlOp, key: SigningKey): ControlOp {
  return { ...op, signature: signAs(key, DOMAIN.control, controlSigningBytes(op)) as Uint8Array<ArrayBuffer> }
}

export function verifyControlOp (op: ControlOp): boolean {
  return verifyAs(op.author, DOMAIN.control, controlSigningBytes(op), op.signature)
}

/** What the invite key signs to hand its role to `joiner`: bound to the document and the invite. */
export function redeemProofBytes (doc: Uint8Array, inviteId: Uint8Array, joiner: Uint8Array): Uint8Array {
  return concatBytes(doc, inviteId, joiner)
}
