/**
 * ed25519 in pure JS (@noble/curves), for browsers: WebCrypto's Ed25519 is asynchronous and not in
 * every browser, while the engine signs and verifies synchronously.
 *
 * noble's own verify checks the cofactored equation [8]([S]B - [k]A - R) = 0; OpenSSL and
 * libsodium check [S]B - [k]A = R exactly. They differ on an R with a torsion part, which only a
 * hostile signer makes, and a replica that accepts an edit its peers refuse never converges with
 * them. So this backend checks the exact equation with noble's point arithmetic, after the shared
 * input rule (src/identity/ed25519-rules.ts).
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToNumberLE, equalBytes } from '@noble/curves/utils.js'
import { sha512 } from '@noble/hashes/sha2.js'
import type { Ed25519 } from '../platform/platform.js'
import { withSharedRule } from './ed25519-rules.js'

const { Point } = ed25519

function verifyExact (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    const r = signature.subarray(0, 32)
    const s = bytesToNumberLE(signature.subarray(32))
    const a = Point.fromBytes(publicKey, false)
    const hash = new Uint8Array(64 + data.byteLength)
    hash.set(r, 0)
    hash.set(publicKey, 32)
    hash.set(data, 64)
    const k = Point.Fn.create(bytesToNumberLE(sha512(hash)))
    return equalBytes(Point.BASE.multiplyUnsafe(s).subtract(a.multiplyUnsafe(k)).toBytes(), r)
  } catch {
    return false
  }
}

export const nobleEd25519: Ed25519 = withSharedRule({
  sign: (seed, _publicKey, data) => ed25519.sign(data, seed),
  verify: verifyExact
})
