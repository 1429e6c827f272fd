/**
 * XChaCha20-Poly1305 for content (envelopes, checkpoints, presence): OpenSSL through node:crypto on
 * Node, @noble/ciphers elsewhere (browsers). Both produce the same bytes, so peers of either kind
 * read each other.
 *
 * Why not noble everywhere: content is sealed once per edit and opened once per edit per receiver,
 * between a peer's other work, so neither the pure-JS cipher nor the CPU caches are ever hot for
 * it. Measured at that cadence (one 40-byte message every few ms, other work in between) noble took
 * 90-230 µs per seal or open, against ~30 µs in a warmed-up loop; OpenSSL's took 55-60 µs. That
 * difference, with a random nonce and an HChaCha20 per message (see XChaChaKey), was most of a
 * private document's extra edit latency over an open one.
 *
 * Node has ChaCha20-Poly1305 (IETF, 96-bit nonce) but not XChaCha, so the X part is built as the
 * XChaCha draft defines it: subkey = HChaCha20(key, nonce[0..16]), then ChaCha20-Poly1305 under the
 * subkey with nonce 0^4 ‖ nonce[16..24]. HChaCha20 is ChaCha20's block function without the final
 * addition of the input state; OpenSSL's raw ChaCha20 (IV = 32-bit LE counter ‖ 96-bit nonce, i.e.
 * exactly the 16 bytes HChaCha puts in words 12-15) returns the block with that addition, so
 * subtracting the known input words 0-3 (constants) and 12-15 (nonce[0..16]) recovers HChaCha's
 * output words.
 */
import { chacha20poly1305, hchacha } from '@noble/ciphers/chacha.js'
import { randomBytes } from '@noble/hashes/utils.js'

type NodeCrypto = typeof import('node:crypto')

export const XCHACHA_NONCE_BYTES = 24
export const XCHACHA_TAG_BYTES = 16

/** node:crypto when this runtime is Node and its OpenSSL has both ciphers; undefined in browsers. */
function loadNodeCrypto (): NodeCrypto | undefined {
  // getBuiltinModule (Node >= 22.3) keeps `node:crypto` out of the import graph the browser build bundles.
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const crypto = proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined
  if (crypto === undefined) return undefined
  const ciphers = crypto.getCiphers()
  return ciphers.includes('chacha20') && ciphers.includes('chacha20-poly1305') ? crypto : undefined
}

const nodeCrypto = loadNodeCrypto()
/** "expand 32-byte k", the ChaCha constants (input words 0-3). */
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]
const SIGMA_WORDS = Uint32Array.from(SIGMA)
const ZERO_BLOCK = new Uint8Array(64)

/** HChaCha20(key, nonce[0..16]): the subkey XChaCha encrypts under. */
function hchacha20 (key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  if (nodeCrypto === undefined) {
    const words = (b: Uint8Array): Uint32Array => {
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
      return Uint32Array.from({ length: b.byteLength / 4 }, (_, i) => v.getUint32(4 * i, true))
    }
    const out = new Uint32Array(8)
    hchacha(SIGMA_WORDS, words(key), words(nonce16), out)
    const bytes = new Uint8Array(32)
    const v = new DataView(bytes.buffer)
    out.forEach((w, i) => { v.setUint32(4 * i, w, true) })
    return bytes
  }
  const block = nodeCrypto.createCipheriv('chacha20', key, nonce16).update(ZERO_BLOCK)
  const n = Buffer.from(nonce16.buffer, nonce16.byteOffset, 16)
  const out = new Uint8Array(32)
  const v = new DataView(out.buffer)
  for (let i = 0; i < 4; i++) {
    v.setUint32(4 * i, (block.readUInt32LE(4 * i) - SIGMA[i]) >>> 0, true)
    v.setUint32(16 + 4 * i, (block.readUInt32LE(48 + 4 * i) - n.readUInt32LE(4 * i)) >>> 0, true)
  }
  return out
}

/** ChaCha20-Poly1305 (IETF) under the subkey, with nonce 0^4 ‖ nonce[16..24]: ciphertext ‖ tag. */
function ietfSeal (subkey: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const iv = ietfNonce(nonce)
  if (nodeCrypto === undefined) return chacha20poly1305(subkey, iv, aad).encrypt(plaintext)
  const cipher = nodeCrypto.createCipheriv('chacha20-poly1305', subkey, iv, { authTagLength: XCHACHA_TAG_BYTES })
  cipher.setAAD(aad, { plaintextLength: plaintext.byteLength })
  // A fresh array of its own: Buffers may be views into a shared pool, which callers need not expect.
  const out = new Uint8Array(plaintext.byteLength + XCHACHA_TAG_BYTES)
  out.set(cipher.update(plaintext))
  cipher.final()
  out.set(cipher.getAuthTag(), plaintext.byteLength)
  return out
}

function ietfOpen (subkey: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.byteLength < XCHACHA_TAG_BYTES) return undefined
  const iv = ietfNonce(nonce)
  if (nodeCrypto === undefined) {
    try {
      return chacha20poly1305(subkey, iv, aad).decrypt(sealed)
    } catch {
      return undefined
    }
  }
  const length = sealed.byteLength - XCHACHA_TAG_BYTES
  const decipher = nodeCrypto.createDecipheriv('chacha20-poly1305', subkey, iv, { authTagLength: XCHACHA_TAG_BYTES })
  decipher.setAAD(aad, { plaintextLength: length })
  decipher.setAuthTag(sealed.subarray(length))
  const plaintext = new Uint8Array(length)
  plaintext.set(decipher.update(sealed.subarray(0, length)))
  try {
    // Nothing decrypted is returned unless the tag verifies here.
    decipher.final()
  } catch {
    return undefined
  }
  return plaintext
}

function ietfNonce (nonce: Uint8Array): Uint8Array {
  const iv = new Uint8Array(12)
  iv.set(nonce.subarray(16, 24), 4)
  return iv
}

function checkSizes (key: Uint8Array, nonce: Uint8Array): void {
  if (key.byteLength !== 32) throw new RangeError('XChaCha20-Poly1305 key must be 32 bytes')
  if (nonce.byteLength !== XCHACHA_NONCE_BYTES) throw new RangeError('XChaCha20-Poly1305 nonce must be 24 bytes')
}

/** Ciphertext ‖ 16-byte tag, the layout noble's `xchacha20poly1305(...).encrypt` returns. */
export function xchachaSeal (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  checkSizes(key, nonce)
  return ietfSeal(hchacha20(key, nonce.subarray(0, 16)), nonce, aad, plaintext)
}

/** The plaintext, or undefined when the tag does not verify (wrong key, nonce, AAD or bytes). */
export function xchachaOpen (
  key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array
): Uint8Array | undefined {
  checkSizes(key, nonce)
  return ietfOpen(hchacha20(key, nonce.subarray(0, 16)), nonce, aad, sealed)
}

/** Subkeys kept per key: one per sender nonce prefix in use (see XChaChaKey). */
const MAX_SUBKEYS = 256

/**
 * One long-lived XChaCha20-Poly1305 key (an epoch's content key), sealing and opening many short
 * messages. The bytes are plain XChaCha20-Poly1305 with 24-byte nonces; what differs is how nonces
 * are made and what is kept between messages:
 * - this sealer's nonces are a random 16-byte prefix, drawn once per key object, followed by an
 *   8-byte message counter. A nonce never repeats under one key: not within this object (the
 *   counter), and not across objects, processes, peers or a restored backup, each of which draws
 *   its own prefix (a repeat needs two equal 128-bit random draws, as likely as with fully random
 *   24-byte nonces). Nothing is derived from (author, seq), which a restored backup reuses.
 * - HChaCha20 depends only on the prefix, so its subkey is computed once per prefix: once for this
 *   sealer, once per sending peer and session for an opener. Measured at edit cadence, the
 *   per-message HChaCha20 and random nonce were over half of a seal's cost.
 */
export class XChaChaKey {
  private readonly subkeys = new Map<string, Uint8Array>()
  private prefix: Uint8Array | undefined
  private counter = 0

  constructor (private readonly key: Uint8Array) {
    if (key.byteLength !== 32) throw new RangeError('XChaCha20-Poly1305 key must be 32 bytes')
  }

  private subkey (nonce: Uint8Array): Uint8Array {
    const prefix = nonce.subarray(0, 16)
    let id = ''
    for (let i = 0; i < 16; i++) id += String.fromCharCode(prefix[i])
    let subkey = this.subkeys.get(id)
    if (subkey === undefined) {
      // Bounded: a sender cycling prefixes only makes its own messages cost a derivation each.
      if (this.subkeys.size >= MAX_SUBKEYS) this.subkeys.clear()
      subkey = hchacha20(this.key, prefix)
      this.subkeys.set(id, subkey)
    }
    return subkey
  }

  /** A nonce no other message under this key has used (see the class comment). */
  nextNonce (): Uint8Array {
    this.prefix ??= randomBytes(16)
    const nonce = new Uint8Array(XCHACHA_NONCE_BYTES)
    nonce.set(this.prefix)
    const count = this.counter++
    const v = new DataView(nonce.buffer)
    v.setUint32(16, count >>> 0, true)
    v.setUint32(20, Math.floor(count / 2 ** 32), true)
    return nonce
  }

  seal (nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    checkSizes(this.key, nonce)
    return ietfSeal(this.subkey(nonce), nonce, aad, plaintext)
  }

  open (nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
    if (nonce.byteLength !== XCHACHA_NONCE_BYTES) return undefined
    return ietfOpen(this.subkey(nonce), nonce, aad, sealed)
  }
}

/** Which implementation this runtime uses (for benchmarks and tests). */
export const xchachaBackend: 'node:crypto' | '@noble/ciphers' =
  nodeCrypto === undefined ? '@noble/ciphers' : 'node:crypto'
