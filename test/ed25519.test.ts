import { test } from 'node:test'
import assert from 'node:assert/strict'
import { verify as opensslVerify, createPublicKey } from 'node:crypto'
import fc from 'fast-check'
import { ed25519, ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js'
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { opensslEd25519, sodiumEd25519, nodeEd25519Backend } from '../src/identity/ed25519-node.js'
import { nobleEd25519 } from '../src/identity/ed25519-noble.js'
import { acceptableSignatureInput } from '../src/identity/ed25519-rules.js'
import type { Ed25519 } from '../src/platform/platform.js'
import { DOMAIN, seedKey, signAs, verifyAs } from '../src/trust/signed.js'

const { Point } = ed25519
const L = Point.Fn.ORDER
const sodium = sodiumEd25519()
const backends: Array<[string, Ed25519]> = [['openssl', opensslEd25519()], ['noble', nobleEd25519]]
if (sodium !== undefined) backends.push(['libsodium', sodium])

test('sodium-native is installed here, so nodeEd25519 is libsodium', () => {
  // an optional dependency: this records that the install under test really has it
  assert.ok(sodium !== undefined, 'sodium-native did not load')
  assert.equal(nodeEd25519Backend, process.env.WEFT_ED25519 === 'openssl' ? 'openssl' : 'libsodium')
})

test('every backend accepts every backend\'s honest signatures and refuses altered ones', () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.nat(),
    (seed, message, flip) => {
      const publicKey = ed25519.getPublicKey(seed)
      for (const [signerName, signer] of backends) {
        const signature = signer.sign(seed, publicKey, message)
        const badSignature = signature.slice()
        badSignature[flip % 64] ^= 1 << (flip % 8)
        const badMessage = new Uint8Array([...message, 0])
        for (const [name, backend] of backends) {
          assert.equal(backend.verify(publicKey, message, signature), true, `${name} refused ${signerName}'s signature`)
          assert.equal(backend.verify(publicKey, message, badSignature), false, `${name} took an altered signature`)
          assert.equal(backend.verify(publicKey, badMessage, signature), false, `${name} took an altered message`)
        }
      }
    }
  ), { numRuns: 60 })
})

// Crafted signatures only a hostile signer would make: each is accepted by one raw library and
// refused by another, which is why the shared rule exists.
const challenge = (r: Uint8Array, publicKey: Uint8Array, message: Uint8Array): bigint =>
  Point.Fn.create(bytesToNumberLE(sha512(new Uint8Array([...r, ...publicKey, ...message]))))
const signatureOf = (r: Uint8Array, s: bigint): Uint8Array => new Uint8Array([...r, ...numberToBytesLE(s, 32)])
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const rawOpenssl = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean =>
  opensslVerify(null, message,
    createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }), signature)
const message = new TextEncoder().encode('an edit')
const seed = new Uint8Array(32).fill(42)
const { scalar: secret, pointBytes: honestKey } = ed25519.utils.getExtendedPublicKey(seed)

function assertAllRefuse (publicKey: Uint8Array, signature: Uint8Array): void {
  for (const [name, backend] of backends) {
    assert.equal(backend.verify(publicKey, message, signature), false, `${name} accepted`)
  }
}

test('a small-order key: raw OpenSSL accepts a signature anyone can forge for it, every backend refuses', () => {
  const identityKey = Point.ZERO.toBytes()
  const s = 12345n
  // [S]B - [k]·0 = R for any message
  const signature = signatureOf(Point.BASE.multiply(s).toBytes(), s)
  assert.equal(rawOpenssl(identityKey, message, signature), true)
  assert.equal(acceptableSignatureInput(identityKey, signature), false)
  assertAllRefuse(identityKey, signature)
})

test('an identity R from the key\'s owner: raw OpenSSL accepts, every backend refuses', () => {
  const r = Point.ZERO.toBytes()
  const signature = signatureOf(r, Point.Fn.mul(challenge(r, honestKey, message), secret)) // [k·a]B - [k]A = 0
  assert.equal(rawOpenssl(honestKey, message, signature), true)
  assertAllRefuse(honestKey, signature)
})

test('an R with a torsion part: noble\'s cofactored check accepts, every backend refuses', () => {
  const torsion = Point.fromHex(ED25519_TORSION_SUBGROUP[1])
  const nonce = 987654321n
  const r = Point.BASE.multiply(nonce).add(torsion).toBytes()
  const signature = signatureOf(r, Point.Fn.add(nonce, Point.Fn.mul(challenge(r, honestKey, message), secret)))
  assert.equal(ed25519.verify(signature, message, honestKey, { zip215: false }), true)
  assert.equal(acceptableSignatureInput(honestKey, signature), true) // not small order: the equation refuses it
  assertAllRefuse(honestKey, signature)
})

test('an S at or above the group order, and a key encoded above p, are refused before any library', () => {
  const signature = nobleEd25519.sign(seed, honestKey, message)
  const s = bytesToNumberLE(signature.subarray(32))
  const unreduced = signatureOf(signature.subarray(0, 32), s + L)
  assert.equal(acceptableSignatureInput(honestKey, unreduced), false)
  assertAllRefuse(honestKey, unreduced)
  const aboveP = new Uint8Array(32).fill(0xff)
  aboveP[31] = 0x7f
  assert.equal(acceptableSignatureInput(aboveP, signature), false)
  // every small-order point in both sign-bit encodings, as key and as R
  for (const hex of ED25519_TORSION_SUBGROUP) {
    const bytes = Point.fromHex(hex).toBytes()
    for (const encoded of [bytes, Uint8Array.from(bytes, (b, i) => i === 31 ? b ^ 0x80 : b)]) {
      assert.equal(acceptableSignatureInput(encoded, signature), false, `key ${hex}`)
      const withR = new Uint8Array([...encoded, ...signature.subarray(32)])
      assert.equal(acceptableSignatureInput(honestKey, withR), false, `R ${hex}`)
    }
  }
  assert.equal(acceptableSignatureInput(honestKey, signature), true)
})

test('control ops follow the same rule: an honest one verifies, one with a torsioned R does not', () => {
  const bytes = new TextEncoder().encode('a grant')
  const tagged = new Uint8Array([...new TextEncoder().encode(DOMAIN.control), ...bytes])
  assert.equal(verifyAs(honestKey, DOMAIN.control, bytes, signAs(seedKey(seed), DOMAIN.control, bytes)), true)
  const torsion = Point.fromHex(ED25519_TORSION_SUBGROUP[1])
  const nonce = 424242n
  const r = Point.BASE.multiply(nonce).add(torsion).toBytes()
  const k = Point.Fn.create(bytesToNumberLE(sha512(new Uint8Array([...r, ...honestKey, ...tagged]))))
  const signature = signatureOf(r, Point.Fn.add(nonce, Point.Fn.mul(k, secret)))
  assert.equal(ed25519.verify(signature, tagged, honestKey), true) // what verifyAs used to run
  assert.equal(verifyAs(honestKey, DOMAIN.control, bytes, signature), false)
})
