/**
 * One acceptance rule for ed25519 signatures, whichever library checks them.
 *
 * Peers must agree on which envelopes are valid, or a replica that accepts an author's edit and one
 * that refuses it never converge (and keep asking each other for it). ed25519 libraries differ only
 * on inputs no honest signer produces, which is exactly what a hostile author would send: OpenSSL
 * accepts small-order keys and an identity R that libsodium refuses, and @noble/curves checks the
 * cofactored equation, which accepts an R with a torsion part that the other two refuse. So every
 * backend first applies the rule below (libsodium's, the strictest), and the pure-JS backend checks
 * the cofactorless equation (src/identity/ed25519-noble.ts). test/ed25519.test.ts crafts each case.
 */
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js'
import type { Ed25519 } from '../platform/platform.js'

const hexBytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], b => parseInt(b, 16))

// y = 2^255 - 19 (p) little-endian, the first encoding that is not canonical.
const P_BYTES = hexBytes('ed' + 'ff'.repeat(30) + '7f')
// The group order L little-endian: a signature's S must be below it.
const L_BYTES = hexBytes('edd3f55c1a631258d69cf7a2def9de14' + '00'.repeat(15) + '10')

/** Compares two 32-byte little-endian numbers, the top bit of `a` masked off when `mask`. */
function compareLE (a: Uint8Array, aOffset: number, b: Uint8Array, mask: boolean): number {
  for (let i = 31; i >= 0; i--) {
    const x = i === 31 && mask ? a[aOffset + i] & 0x7f : a[aOffset + i]
    if (x !== b[i]) return x < b[i] ? -1 : 1
  }
  return 0
}

// The y coordinates (sign bit masked) of the eight small-order points, plus p and p + 1: the only
// other encodings of y = 0 and y = 1 below 2^255. Seven in all, libsodium's blocklist.
const SMALL_ORDER_Y: Uint8Array[] = (() => {
  const ys = new Map<string, Uint8Array>()
  for (const hex of ED25519_TORSION_SUBGROUP) {
    const y = hexBytes(hex)
    y[31] &= 0x7f
    ys.set(y.join(), y)
  }
  const pPlusOne = P_BYTES.slice()
  pPlusOne[0]++
  for (const y of [P_BYTES, pPlusOne]) ys.set(y.join(), y)
  return [...ys.values()]
})()

function smallOrderEncoding (bytes: Uint8Array, offset: number): boolean {
  for (const y of SMALL_ORDER_Y) if (compareLE(bytes, offset, y, true) === 0) return true
  return false
}

/**
 * Whether a key and signature may be checked at all: 32 and 64 bytes; the key a canonical encoding
 * of a point that is not of small order; R not of small order (in any encoding); S below L.
 */
export function acceptableSignatureInput (publicKey: Uint8Array, signature: Uint8Array): boolean {
  return publicKey.byteLength === 32 && signature.byteLength === 64 &&
    compareLE(publicKey, 0, P_BYTES, true) < 0 &&
    !smallOrderEncoding(publicKey, 0) &&
    !smallOrderEncoding(signature, 0) &&
    compareLE(signature, 32, L_BYTES, false) < 0
}

/** `backend` with the shared rule in front of its verify. */
export function withSharedRule (backend: Ed25519): Ed25519 {
  return {
    sign: (seed, publicKey, data) => backend.sign(seed, publicKey, data),
    verify: (publicKey, data, signature) =>
      acceptableSignatureInput(publicKey, signature) && backend.verify(publicKey, data, signature)
  }
}
