/**
 * XChaCha20-Poly1305 for content (envelopes, checkpoints, presence) and key material. HChaCha20
 * comes from @noble/ciphers everywhere; the IETF ChaCha20-Poly1305 under the subkey comes, on Node,
 * from @chainsafe/as-chacha20poly1305 (WebAssembly; the module libp2p-noise seals every small frame
 * with) when the AAD fits its 32-byte limit, and from @noble/ciphers otherwise and in browsers
 * (Chromium refuses to compile WebAssembly modules over 4 KB synchronously on its main thread).
 * Both give the standard bytes, so peers of either kind read each other.
 *
 * Why not noble everywhere, or OpenSSL: content is sealed once per edit and opened once per edit
 * per receiver, between a peer's other work, so caches are never hot for it. Measured at that
 * cadence (one 40-byte message every 3 ms, 8 MB of other memory traffic in between; median):
 * noble 190-250 µs per seal or open, OpenSSL through node:crypto 130-165 µs (most of it creating
 * the cipher context), the WebAssembly module 37-48 µs. That cost was most of a private document's
 * extra CPU per edit over an open one.
 *
 * as-chacha20poly1305 compares tags with an early exit. No outsider can time it: the validator
 * checks an envelope's or checkpoint's signature and the writer's access before anything is
 * decrypted, and presence is accepted only from members, so only holders of the key reach a
 * decryption.
 *
 * XChaCha as the draft defines it: subkey = HChaCha20(key, nonce[0..16]), then ChaCha20-Poly1305
 * under the subkey with nonce 0^4 ‖ nonce[16..24].
 */
import { chacha20poly1305, hchacha } from '@noble/ciphers/chacha.js'
import { randomBytes } from '@noble/hashes/utils.js'

export const XCHACHA_NONCE_BYTES = 24
export const XCHACHA_TAG_BYTES = 16
/** The longest AAD the WebAssembly cipher takes; content AADs are a 32-byte digest (epochs.ts). */
export const FAST_AAD_BYTES = 32

interface WasmAead {
  seal: (key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array) => Uint8Array
  open: (key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array) => Uint8Array | null
}

/** The WebAssembly ChaCha20-Poly1305 on Node; undefined in browsers or if it fails to load. */
function loadWasmAead (): WasmAead | undefined {
  // Through createRequire, found via getBuiltinModule (Node >= 22.3): the browser build never bundles it.
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const nodeModule = proc?.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined
  if (nodeModule === undefined) return undefined
  try {
    const lib = nodeModule.createRequire(import.meta.url)('@chainsafe/as-chacha20poly1305') as {
      newInstance: () => unknown
      ChaCha20Poly1305: new (ctx: unknown) => WasmAead
    }
    return new lib.ChaCha20Poly1305(lib.newInstance())
  } catch {
    return undefined
  }
}

const wasmAead = loadWasmAead()
/** "expand 32-byte k", the ChaCha constants (input words 0-3). */
const SIGMA_WORDS = Uint32Array.from([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574])

function words (b: Uint8Array): Uint32Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return Uint32Array.from({ length: b.byteLength / 4 }, (_, i) => v.getUint32(4 * i, true))
}

/** HChaCha20(key, nonce[0..16]): the subkey XChaCha encrypts under. */
function hchacha20 (key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const out = new Uint32Array(8)
  hchacha(SIGMA_WORDS, words(key), words(nonce16), out)
  const bytes = new Uint8Array(32)
  const v = new DataView(bytes.buffer)
  out.forEach((w, i) => { v.setUint32(4 * i, w, true) })
  return bytes
}

/** ChaCha20-Poly1305 (IETF) under the subkey, with nonce 0^4 ‖ nonce[16..24]: ciphertext ‖ tag. */
function ietfSeal (subkey: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const iv = ietfNonce(nonce)
  if (wasmAead !== undefined && aad.byteLength <= FAST_AAD_BYTES) return wasmAead.seal(subkey, iv, plaintext, aad)
  return chacha20poly1305(subkey, iv, aad).encrypt(plaintext)
}

function ietfOpen (subkey: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.byteLength < XCHACHA_TAG_BYTES) return undefined
  const iv = ietfNonce(nonce)
  if (wasmAead !== undefined && aad.byteLength <= FAST_AAD_BYTES) {
    // Nothing decrypted is returned unless the tag verifies (the module returns null then).
    return wasmAead.open(subkey, iv, sealed, aad) ?? undefined
  }
  try {
    return chacha20poly1305(subkey, iv, aad).decrypt(sealed)
  } catch {
    return undefined
  }
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

/**
 * A Map key for short byte strings (a nonce prefix, a sender's key), one character per byte:
 * cheaper per message than hex, and the same on every runtime (no Buffer in browsers).
 */
export function bytesKey (bytes: Uint8Array, first = ''): string {
  let key = first
  for (let i = 0; i < bytes.byteLength; i++) key += String.fromCharCode(bytes[i])
  return key
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
    const id = bytesKey(prefix)
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
export const xchachaBackend: '@chainsafe/as-chacha20poly1305' | '@noble/ciphers' =
  wasmAead === undefined ? '@noble/ciphers' : '@chainsafe/as-chacha20poly1305'
