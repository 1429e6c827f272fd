import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import type { Ed25519 } from '../platform/platform.js'

// DER headers that turn raw 32-byte ed25519 keys into PKCS#8 / SPKI, so node:crypto
// (OpenSSL) signs and verifies without a JWK round trip per call.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

// Parsing a key costs more than verifying with it; authors repeat, so keep the parsed keys.
const MAX_CACHED_KEYS = 4096
const privateKeys = new Map<string, KeyObject>()
const publicKeys = new Map<string, KeyObject>()

function cached (cache: Map<string, KeyObject>, raw: Uint8Array, make: () => KeyObject): KeyObject {
  const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
  let key = cache.get(id)
  if (key === undefined) {
    if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value as string)
    key = make()
    cache.set(id, key)
  }
  return key
}

export const nodeEd25519: Ed25519 = {
  sign (seed, _publicKey, data) {
    const key = cached(privateKeys, seed, () => createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8'
    }))
    return new Uint8Array(sign(null, data, key))
  },
  verify (publicKey, data, signature) {
    if (publicKey.byteLength !== 32 || signature.byteLength !== 64) return false
    const key = cached(publicKeys, publicKey, () => createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, publicKey]),
      format: 'der',
      type: 'spki'
    }))
    try {
      return verify(null, data, key, signature)
    } catch {
      return false
    }
  }
}
