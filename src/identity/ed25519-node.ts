import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { createRequire } from 'node:module'
import type { Ed25519 } from '../platform/platform.js'
import { withSharedRule } from './ed25519-rules.js'

// DER headers that turn raw 32-byte ed25519 keys into PKCS#8 / SPKI, so node:crypto
// (OpenSSL) signs and verifies without a JWK round trip per call.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

// Parsing a key costs more than verifying with it; authors repeat, so keep the parsed keys.
const MAX_CACHED_KEYS = 4096

function keyCache<K> (): (raw: Uint8Array, make: () => K) => K {
  const cache = new Map<string, K>()
  return (raw, make) => {
    const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
    let key = cache.get(id)
    if (key === undefined) {
      if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value as string)
      key = make()
      cache.set(id, key)
    }
    return key
  }
}

/** ed25519 through node:crypto (OpenSSL): always there, the fallback. */
export function opensslEd25519 (): Ed25519 {
  const privateKey = keyCache<KeyObject>()
  const publicKey = keyCache<KeyObject>()
  return withSharedRule({
    sign (seed, _publicKey, data) {
      const key = privateKey(seed, () => createPrivateKey({
        key: Buffer.concat([PKCS8_PREFIX, seed]),
        format: 'der',
        type: 'pkcs8'
      }))
      return new Uint8Array(sign(null, data, key))
    },
    verify (raw, data, signature) {
      if (raw.byteLength !== 32 || signature.byteLength !== 64) return false
      const key = publicKey(raw, () => createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, raw]),
        format: 'der',
        type: 'spki'
      }))
      try {
        return verify(null, data, key, signature)
      } catch {
        return false
      }
    }
  })
}

/** The part of sodium-native (libsodium's N-API binding) weft uses. */
interface Sodium {
  crypto_sign_seed_keypair: (pk: Uint8Array, sk: Uint8Array, seed: Uint8Array) => void
  crypto_sign_detached: (sig: Uint8Array, message: Uint8Array, sk: Uint8Array) => void
  crypto_sign_verify_detached: (sig: Uint8Array, message: Uint8Array, pk: Uint8Array) => boolean
}

/**
 * ed25519 through libsodium (the optional dependency sodium-native), or undefined when it is not
 * installed or does not load on this platform. Every received envelope is verified once per peer,
 * the largest per-delivery cost weft adds to gossip: on the bench machine OpenSSL 3 takes ~60 µs
 * per verify and ~22 µs per sign, libsodium ~36 and ~14 µs. Both backends apply the shared input
 * rule first (src/identity/ed25519-rules.ts), so peers with and without it accept the same
 * signatures.
 */
export function sodiumEd25519 (): Ed25519 | undefined {
  let sodium: Sodium
  try {
    sodium = createRequire(import.meta.url)('sodium-native') as Sodium
  } catch {
    return undefined
  }
  const secretKey = keyCache<Uint8Array>()
  return withSharedRule({
    sign (seed, _publicKey, data) {
      const sk = secretKey(seed, () => {
        const sk = new Uint8Array(64)
        sodium.crypto_sign_seed_keypair(new Uint8Array(32), sk, seed)
        return sk
      })
      const signature = new Uint8Array(64)
      sodium.crypto_sign_detached(signature, data, sk)
      return signature
    },
    verify (publicKey, data, signature) {
      if (publicKey.byteLength !== 32 || signature.byteLength !== 64) return false
      return sodium.crypto_sign_verify_detached(signature, data, publicKey)
    }
  })
}

const preferred = process.env.WEFT_ED25519 === 'openssl' ? undefined : sodiumEd25519()

/** Which implementation `nodeEd25519` is: WEFT_ED25519=openssl forces the fallback (to compare them). */
export const nodeEd25519Backend: 'libsodium' | 'openssl' = preferred === undefined ? 'openssl' : 'libsodium'

export const nodeEd25519: Ed25519 = preferred ?? opensslEd25519()
