/**
 * XChaCha20-Poly1305 for content (envelopes, checkpoints, presence): OpenSSL through node:crypto on
 * Node, @noble/ciphers elsewhere (browsers). Both produce the same bytes, so peers of either kind
 * read each other.
 *
 * Why not noble everywhere: content is sealed once per edit and opened once per edit per receiver,
 * as edits come, so V8 never keeps the pure-JS cipher hot. Measured at that cadence (one message
 * every few ms) noble took 100-300 µs per seal or open of a 40-byte update, against ~8 µs in a
 * warmed-up loop; OpenSSL's is native code and costs the same cold or warm. That difference was most
 * of a private document's extra edit latency over an open one.
 *
 * Node has ChaCha20-Poly1305 (IETF, 96-bit nonce) but not XChaCha, so the X part is built as the
 * XChaCha draft defines it: subkey = HChaCha20(key, nonce[0..16]), then ChaCha20-Poly1305 under the
 * subkey with nonce 0^4 ‖ nonce[16..24]. HChaCha20 is ChaCha20's block function without the final
 * addition of the input state; OpenSSL's raw ChaCha20 (IV = 32-bit LE counter ‖ 96-bit nonce, i.e.
 * exactly the 16 bytes HChaCha puts in words 12-15) returns the block with that addition, so
 * subtracting the known input words 0-3 (constants) and 12-15 (nonce[0..16]) recovers HChaCha's
 * output words.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'

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
const ZERO_BLOCK = new Uint8Array(64)

function hchacha20 (crypto: NodeCrypto, key: Uint8Array, nonce16: Uint8Array): Buffer {
  const block = crypto.createCipheriv('chacha20', key, nonce16).update(ZERO_BLOCK)
  const n = Buffer.from(nonce16.buffer, nonce16.byteOffset, 16)
  const out = Buffer.allocUnsafe(32)
  for (let i = 0; i < 4; i++) {
    out.writeUInt32LE((block.readUInt32LE(4 * i) - SIGMA[i]) >>> 0, 4 * i)
    out.writeUInt32LE((block.readUInt32LE(48 + 4 * i) - n.readUInt32LE(4 * i)) >>> 0, 16 + 4 * i)
  }
  return out
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
  if (nodeCrypto === undefined) return xchacha20poly1305(key, nonce, aad).encrypt(plaintext)
  const cipher = nodeCrypto.createCipheriv('chacha20-poly1305', hchacha20(nodeCrypto, key, nonce.subarray(0, 16)),
    ietfNonce(nonce), { authTagLength: XCHACHA_TAG_BYTES })
  cipher.setAAD(aad, { plaintextLength: plaintext.byteLength })
  // A fresh array of its own: Buffers may be views into a shared pool, which callers need not expect.
  const out = new Uint8Array(plaintext.byteLength + XCHACHA_TAG_BYTES)
  out.set(cipher.update(plaintext))
  cipher.final()
  out.set(cipher.getAuthTag(), plaintext.byteLength)
  return out
}

/** The plaintext, or undefined when the tag does not verify (wrong key, nonce, AAD or bytes). */
export function xchachaOpen (
  key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array
): Uint8Array | undefined {
  checkSizes(key, nonce)
  if (sealed.byteLength < XCHACHA_TAG_BYTES) return undefined
  if (nodeCrypto === undefined) {
    try {
      return xchacha20poly1305(key, nonce, aad).decrypt(sealed)
    } catch {
      return undefined
    }
  }
  const length = sealed.byteLength - XCHACHA_TAG_BYTES
  const decipher = nodeCrypto.createDecipheriv('chacha20-poly1305', hchacha20(nodeCrypto, key, nonce.subarray(0, 16)),
    ietfNonce(nonce), { authTagLength: XCHACHA_TAG_BYTES })
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

/** Which implementation this runtime uses (for benchmarks and tests). */
export const xchachaBackend: 'node:crypto' | '@noble/ciphers' =
  nodeCrypto === undefined ? '@noble/ciphers' : 'node:crypto'
