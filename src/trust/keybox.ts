/**
 * Key boxes: an epoch key sealed to one member's ed25519 key, through X25519 on the same key
 * mapped to Montgomery form (libsodium's ed25519_pk_to_curve25519, age's ssh-ed25519 recipients).
 * Deriving the encryption key from the signing key binds it to the identity: no separate key
 * whose signature someone could forget to check. The box commits to its recipient and document.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { Kind, open, seal } from './aead.js'

export interface KeyBox {
  recipient: Uint8Array
  ephemeral: Uint8Array
  nonce: Uint8Array
  commit: Uint8Array
  sealed: Uint8Array
}

function kek (shared: Uint8Array, ephemeral: Uint8Array, recipientX: Uint8Array, doc: Uint8Array): Uint8Array {
  if (shared.every(b => b === 0)) throw new Error('low-order X25519 point')
  return hkdf(sha256, shared, concatBytes(ephemeral, recipientX), concatBytes(utf8ToBytes('weft/keybox/v1'), doc), 32)
}

const aad = (doc: Uint8Array, recipient: Uint8Array): Uint8Array =>
  concatBytes(utf8ToBytes('weft/keybox/v1'), doc, recipient)

/** Seals `epochKey` so that only the holder of `recipient`'s ed25519 secret can open it. */
export function sealKey (epochKey: Uint8Array, recipient: Uint8Array, doc: Uint8Array): KeyBox {
  const recipientX = ed25519.utils.toMontgomery(recipient)
  const eph = x25519.utils.randomSecretKey()
  const ephemeral = x25519.getPublicKey(eph)
  const key = kek(x25519.getSharedSecret(eph, recipientX), ephemeral, recipientX, doc)
  const { nonce, commit, ciphertext } = seal(key, Kind.keybox, doc, epochKey, aad(doc, recipient))
  return { recipient, ephemeral, nonce, commit, sealed: ciphertext }
}

/** Opens a box with the recipient's 32-byte ed25519 seed; undefined if it is not for this key or was altered. */
export function openKey (box: KeyBox, seed: Uint8Array, doc: Uint8Array): Uint8Array | undefined {
  const publicKey = ed25519.getPublicKey(seed)
  if (!publicKey.every((b, i) => b === box.recipient[i])) return undefined
  const recipientX = ed25519.utils.toMontgomery(publicKey)
  try {
    const shared = x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(seed), box.ephemeral)
    const key = kek(shared, box.ephemeral, recipientX, doc)
    const sealed = { nonce: box.nonce, commit: box.commit, ciphertext: box.sealed }
    return open(key, Kind.keybox, doc, sealed, aad(doc, box.recipient))
  } catch {
    return undefined
  }
}
