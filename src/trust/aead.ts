/**
 * Sealing of key material (key boxes, older epoch keys wrapped under newer ones), from libraries
 * only: XChaCha20-Poly1305 (xchacha.ts: OpenSSL on Node, @noble/ciphers elsewhere) under a
 * per-message subkey from HKDF-SHA256 (@noble/hashes), plus a 32-byte key-commitment tag sent in
 * clear. Poly1305 alone does not commit to the key ("invisible salamanders": one ciphertext that
 * opens differently under two keys); the tag is derived with the subkey, and receivers compare it
 * in constant time before decrypting (Secsync's robustness tag). Nonces are random. Content, far
 * more frequent, is sealed in epochs.ts under a per-epoch key whose commitment its Rotate op
 * carries.
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { xchachaOpen, xchachaSeal } from './xchacha.js'

export const NONCE_BYTES = 24
export const COMMIT_BYTES = 32

export interface Sealed { nonce: Uint8Array, commit: Uint8Array, ciphertext: Uint8Array }

/** What a message is (envelope payload, checkpoint, presence, key box): part of every label. */
export enum Kind { payload = 1, checkpoint = 2, presence = 3, keybox = 4, wrap = 5 }

type Subkeys = { aeadKey: Uint8Array, commit: Uint8Array }

function subkeys (key: Uint8Array, nonce: Uint8Array, kind: Kind, context: Uint8Array): Subkeys {
  const okm = hkdf(sha256, key, nonce, concatBytes(utf8ToBytes('weft/msg/v1'), Uint8Array.of(kind), context), 64)
  return { aeadKey: okm.subarray(0, 32), commit: okm.subarray(32) }
}

export function constantTimeEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  let diff = 0
  for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

/** Encrypts `plaintext` under a 32-byte `key`; `context` (e.g. the document key) and `aad` are bound. */
export function seal (
  key: Uint8Array, kind: Kind, context: Uint8Array, plaintext: Uint8Array, aad: Uint8Array
): Sealed {
  const nonce = randomBytes(NONCE_BYTES)
  const { aeadKey, commit } = subkeys(key, nonce, kind, context)
  return { nonce, commit: commit.slice(), ciphertext: xchachaSeal(aeadKey, nonce, aad, plaintext) }
}

/** Decrypts, or returns undefined for a wrong key, a wrong commitment, or tampered bytes or AAD. */
export function open (
  key: Uint8Array, kind: Kind, context: Uint8Array, sealed: Sealed, aad: Uint8Array
): Uint8Array | undefined {
  if (sealed.nonce.byteLength !== NONCE_BYTES || sealed.commit.byteLength !== COMMIT_BYTES) return undefined
  const { aeadKey, commit } = subkeys(key, sealed.nonce, kind, context)
  if (!constantTimeEqual(commit, sealed.commit)) return undefined
  return xchachaOpen(aeadKey, sealed.nonce, aad, sealed.ciphertext)
}
