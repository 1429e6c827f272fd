import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { Store } from '../store/store.js'
import type { Ed25519 } from '../platform/platform.js'
import { authorHex } from '../replica/version-vector.js'

/** The peer's libp2p key, created once and kept: it is also the author key of every envelope this peer writes. */
export async function loadOrCreatePeerKey (store: Store): Promise<Ed25519PrivateKey> {
  const stored = await store.getPeerKey()
  if (stored !== undefined) {
    const key = privateKeyFromProtobuf(stored)
    if (key.type !== 'Ed25519') throw new Error(`stored peer key is ${key.type}; weft needs Ed25519`)
    return key
  }
  const key = await generateKeyPair('Ed25519')
  await store.putPeerKey(privateKeyToProtobuf(key))
  return key
}

/** Signs as this peer. */
export class Signer {
  readonly publicKey: Uint8Array
  readonly author: string
  private readonly seed: Uint8Array

  constructor (key: Ed25519PrivateKey, private readonly ed25519: Ed25519) {
    this.publicKey = key.publicKey.raw
    this.seed = key.raw.subarray(0, 32)
    this.author = authorHex(this.publicKey)
  }

  sign (data: Uint8Array): Uint8Array {
    return this.ed25519.sign(this.seed, this.publicKey, data)
  }

  /** Lends the secret seed to `fn` (opening key boxes sealed to this peer) without keeping a copy elsewhere. */
  withSeed<T> (fn: (seed: Uint8Array) => T): T {
    return fn(this.seed)
  }
}
