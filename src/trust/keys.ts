/**
 * Document keys and ids. A private document is an ed25519 key pair: its id is the lowercase
 * base32 of the 32-byte public key (52 characters), so the id certifies every op its root
 * key signs. Open documents keep their 26-character random ids.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { base32 } from 'multiformats/bases/base32'

export const PRIVATE_DOC_ID_PATTERN = /^[a-z2-7]{52}$/

export interface DocKey {
  /** The 32-byte root seed: whoever holds it controls the document's admins. */
  seed: Uint8Array
  publicKey: Uint8Array
  id: string
}

export function isPrivateDocId (id: unknown): id is string {
  return typeof id === 'string' && PRIVATE_DOC_ID_PATTERN.test(id)
}

export function docIdOf (publicKey: Uint8Array): string {
  if (publicKey.byteLength !== 32) throw new TypeError('a document key is 32 bytes')
  return base32.baseEncode(publicKey)
}

/** The root public key a private document id stands for. */
export function docPublicKey (id: string): Uint8Array {
  if (!isPrivateDocId(id)) throw new TypeError(`${JSON.stringify(id)} is not a private document id`)
  return base32.baseDecode(id)
}

export function newDocKey (seed: Uint8Array = ed25519.utils.randomSecretKey()): DocKey {
  const publicKey = ed25519.getPublicKey(seed)
  return { seed, publicKey, id: docIdOf(publicKey) }
}
