import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { Kind, open, seal } from '../src/trust/aead.js'
import { openKey, sealKey } from '../src/trust/keybox.js'

const doc = Uint8Array.from(randomBytes(32))
const aad = new TextEncoder().encode('author|seq|epoch')

test('aead: a round trip, and every tampering, wrong key, wrong kind, wrong AAD or wrong commitment fails', () => {
  const key = randomBytes(32)
  const pt = new TextEncoder().encode('secret yjs update')
  const sealed = seal(key, Kind.payload, doc, pt, aad)
  assert.deepEqual(open(key, Kind.payload, doc, sealed, aad), pt)
  assert.ok(!Buffer.from(sealed.ciphertext).includes(Buffer.from('secret')), 'no plaintext in the ciphertext')
  assert.equal(open(randomBytes(32), Kind.payload, doc, sealed, aad), undefined, 'another key')
  assert.equal(open(key, Kind.checkpoint, doc, sealed, aad), undefined, 'another kind')
  assert.equal(open(key, Kind.payload, randomBytes(32), sealed, aad), undefined, 'another document')
  assert.equal(open(key, Kind.payload, doc, sealed, new Uint8Array(aad.length)), undefined, 'another AAD')
  const flipped = Uint8Array.from(sealed.ciphertext); flipped[0] ^= 1
  assert.equal(open(key, Kind.payload, doc, { ...sealed, ciphertext: flipped }, aad), undefined, 'tampered ciphertext')
  const commit = Uint8Array.from(sealed.commit); commit[5] ^= 1
  assert.equal(open(key, Kind.payload, doc, { ...sealed, commit }, aad), undefined, 'tampered commitment')
  assert.notDeepEqual(seal(key, Kind.payload, doc, pt, aad).nonce, sealed.nonce, 'random nonces')
})

test('key boxes: only the recipient opens one, and only for the document it was sealed in', () => {
  const epochKey = Uint8Array.from(randomBytes(32))
  const alice = ed25519.utils.randomSecretKey()
  const bob = ed25519.utils.randomSecretKey()
  const box = sealKey(epochKey, ed25519.getPublicKey(alice), doc)
  assert.deepEqual(openKey(box, alice, doc), epochKey)
  assert.equal(openKey(box, bob, doc), undefined, 'not for bob')
  assert.equal(openKey({ ...box, recipient: ed25519.getPublicKey(bob) }, bob, doc), undefined, 'relabelled for bob')
  assert.equal(openKey(box, alice, randomBytes(32)), undefined, 'another document')
})
