import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { Kind, open, seal } from '../src/trust/aead.js'
import { openKey, sealKey } from '../src/trust/keybox.js'
import { Epochs, epochCommitment } from '../src/trust/epochs.js'
import type { ControlOp, KeyBox } from '../src/wire/trust.js'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { XChaChaKey, xchachaBackend, xchachaOpen, xchachaSeal } from '../src/trust/xchacha.js'
import { execFileSync } from 'node:child_process'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'

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

test('xchacha: the XChaCha draft\'s AEAD vector, and the same bytes as @noble/ciphers (what browsers use)', () => {
  // On Node this exercises the WebAssembly cipher for AADs up to 32 bytes and noble above (xchacha.ts).
  assert.equal(xchachaBackend, '@chainsafe/as-chacha20poly1305')
  const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
  const key = h('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f')
  const nonce = h('404142434445464748494a4b4c4d4e4f5051525354555657')
  const vectorAad = h('50515253c0c1c2c3c4c5c6c7')
  const pt = new TextEncoder().encode('Ladies and Gentlemen of the class of \'99: If I could offer you only one tip ' +
    'for the future, sunscreen would be it.')
  const expected = 'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39' +
    'ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9' +
    '768812f615c68b13b52ec0875924c1c7987947deafd8780acf49'
  assert.equal(Buffer.from(xchachaSeal(key, nonce, vectorAad, pt)).toString('hex'), expected)
  assert.deepEqual(xchachaOpen(key, nonce, vectorAad, h(expected)), pt)
  for (let i = 0; i < 200; i++) {
    const k = Uint8Array.from(randomBytes(32))
    const n = Uint8Array.from(randomBytes(24))
    const a = Uint8Array.from(randomBytes(i % 50))
    const p = Uint8Array.from(randomBytes((i * 37) % 700))
    const sealed = xchachaSeal(k, n, a, p)
    assert.deepEqual(sealed, xchacha20poly1305(k, n, a).encrypt(p), `seal ${i} differs from noble`)
    assert.deepEqual(xchachaOpen(k, n, a, sealed), p)
    const flipped = Uint8Array.from(sealed); flipped[i % sealed.length] ^= 1 << (i % 8)
    assert.equal(xchachaOpen(k, n, a, flipped), undefined, `tampered byte ${i % sealed.length} opens`)
    const otherNonce = Uint8Array.from(n); otherNonce[i % 24] ^= 1
    assert.equal(xchachaOpen(k, otherNonce, a, sealed), undefined, `nonce byte ${i % 24} changed and it opens`)
  }
  assert.equal(xchachaOpen(key, nonce, vectorAad, new Uint8Array(15)), undefined, 'shorter than a tag')
})

test('xchacha: an XChaChaKey\'s nonces never repeat, and its messages are plain XChaCha20-Poly1305', () => {
  const key = Uint8Array.from(randomBytes(32))
  const a = new XChaChaKey(key)
  const b = new XChaChaKey(key)
  const seen = new Set<string>()
  for (let i = 0; i < 300; i++) {
    const sender = i % 3 === 0 ? b : a
    const nonce = sender.nextNonce()
    const hexNonce = Buffer.from(nonce).toString('hex')
    assert.ok(!seen.has(hexNonce), `nonce ${i} repeats`)
    seen.add(hexNonce)
    const p = Uint8Array.from(randomBytes(i % 90))
    const sealed = sender.seal(nonce, aad, p)
    // Any holder of the key opens it, with nothing shared but the key; so does a plain implementation.
    assert.deepEqual((sender === a ? b : a).open(nonce, aad, sealed), p)
    assert.deepEqual(xchacha20poly1305(key, nonce, aad).decrypt(sealed), p)
    assert.deepEqual(a.open(nonce, aad, xchacha20poly1305(key, nonce, aad).encrypt(p)), p)
    const flipped = Uint8Array.from(sealed); flipped[i % sealed.length] ^= 1
    assert.equal(a.open(nonce, aad, flipped), undefined, 'tampered')
    assert.equal(new XChaChaKey(Uint8Array.from(randomBytes(32))).open(nonce, aad, sealed), undefined, 'another key')
  }
  // Two key objects draw different prefixes: what keeps nonces apart across peers, sessions and restored backups.
  assert.notDeepEqual(a.nextNonce().subarray(0, 16), b.nextNonce().subarray(0, 16))
  assert.equal(a.open(new Uint8Array(23), aad, new Uint8Array(40)), undefined, 'short nonce')
})

test('xchacha: without the WebAssembly cipher (as in browsers) the noble fallback gives the same bytes', () => {
  const script = `
    delete process.getBuiltinModule
    const { xchachaBackend, xchachaSeal, XChaChaKey } = await import('./src/trust/xchacha.ts')
    const h = s => Uint8Array.from(Buffer.from(s, 'hex'))
    const key = h('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f')
    const nonce = h('404142434445464748494a4b4c4d4e4f5051525354555657')
    const sealed = xchachaSeal(key, nonce, h('50515253c0c1c2c3c4c5c6c7'), new TextEncoder().encode('hello'))
    const k = new XChaChaKey(key)
    const n = k.nextNonce()
    const pt = new TextEncoder().encode('content')
    console.log(JSON.stringify({ xchachaBackend, sealed: Buffer.from(sealed).toString('hex'),
      n: Buffer.from(n).toString('hex'), k: Buffer.from(k.seal(n, new Uint8Array(3), pt)).toString('hex') }))`
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url), encoding: 'utf8'
  }))
  assert.equal(out.xchachaBackend, '@noble/ciphers')
  const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
  const key = h('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f')
  const vectorAad = h('50515253c0c1c2c3c4c5c6c7')
  assert.equal(out.sealed, Buffer.from(xchachaSeal(key, h('404142434445464748494a4b4c4d4e4f5051525354555657'),
    vectorAad, new TextEncoder().encode('hello'))).toString('hex'))
  assert.deepEqual(new XChaChaKey(key).open(h(out.n), new Uint8Array(3), h(out.k)), new TextEncoder().encode('content'))
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

/** A Rotate op as the ACL hands it to `Epochs.refresh` (only the body matters there). */
function rotateOp (body: ReturnType<Epochs['nextRotate']>): ControlOp {
  const { number, boxes, previous, commit } = body
  return { rotate: { number, boxes, previous, commit } } as unknown as ControlOp
}

test('epochs: members open each other\'s content; tampering, another kind, another header or no key fail', () => {
  const alice = ed25519.utils.randomSecretKey()
  const bob = ed25519.utils.randomSecretKey()
  const eve = ed25519.utils.randomSecretKey()
  const opener = (seed: Uint8Array) => (box: KeyBox) => openKey(box, seed, doc)
  const a = new Epochs(doc)
  const first = a.nextRotate([ed25519.getPublicKey(alice), ed25519.getPublicKey(bob)])
  const rotates = new Map([['aa'.repeat(32), rotateOp(first)]])
  a.refresh(rotates, [], opener(alice))
  const b = new Epochs(doc)
  b.refresh(rotates, [], opener(bob))
  const e = new Epochs(doc)
  e.refresh(rotates, [], opener(eve))
  assert.equal(a.currentId, 'aa'.repeat(32))
  assert.equal(b.currentId, 'aa'.repeat(32))
  assert.equal(e.currentId, undefined, 'eve holds no key')

  const author = Uint8Array.from(randomBytes(32))
  const pt = new TextEncoder().encode('secret yjs update')
  const sealed = a.encrypt(Kind.payload, pt, author, 7)!
  assert.equal(sealed.byteLength, pt.byteLength + 56, 'epoch tag 16 + nonce 24 + Poly1305 tag 16')
  assert.ok(!Buffer.from(sealed).includes(Buffer.from('secret')))
  assert.deepEqual(b.decrypt(Kind.payload, sealed, author, 7), pt)
  assert.deepEqual(b.decrypt(Kind.payload, sealed, author, 7), pt, 'again, with the AAD digest cached')
  assert.equal(e.decrypt(Kind.payload, sealed, author, 7), undefined, 'no key')
  assert.equal(b.decrypt(Kind.checkpoint, sealed, author, 7), undefined, 'another kind')
  assert.equal(b.decrypt(Kind.payload, sealed, Uint8Array.from(randomBytes(32)), 7), undefined, 'another author')
  assert.equal(b.decrypt(Kind.payload, sealed, author, 8), undefined, 'another seq')
  assert.equal(b.decrypt(Kind.payload, sealed, author, 7 + 2 ** 32), undefined, 'another seq, high half')
  for (const at of [0, 20, sealed.byteLength - 1]) {
    const flipped = Uint8Array.from(sealed); flipped[at] ^= 1
    assert.equal(b.decrypt(Kind.payload, flipped, author, 7), undefined, `byte ${at} flipped`)
  }
  assert.equal(b.decrypt(Kind.payload, sealed.subarray(0, 50), author, 7), undefined, 'truncated')
  const origin = new TextEncoder().encode('12D3KooWExampleOriginPeerIdThatIsLongerThan32Bytes')
  const presence = a.encrypt(Kind.presence, pt, origin)!
  assert.deepEqual(b.decrypt(Kind.presence, presence, origin), pt, 'a binding longer than 32 bytes')
})

test('epochs: content sealed in the earlier format (full AAD, label v2) still opens', () => {
  const alice = ed25519.utils.randomSecretKey()
  const first = new Epochs(doc).nextRotate([ed25519.getPublicKey(alice)])
  const epochHex = 'cd'.repeat(32)
  const b = new Epochs(doc)
  b.refresh(new Map([[epochHex, rotateOp(first)]]), [], box => openKey(box, alice, doc))
  // What an earlier weft wrote: tag ‖ nonce ‖ XChaCha20-Poly1305 under the per-epoch content key,
  // with AAD 'weft/aad/v2' ‖ kind ‖ epoch id ‖ author ‖ seq (64-bit big-endian).
  const epochKey = openKey(first.boxes[0], alice, doc)!
  const content = hkdf(sha256, epochKey, undefined, Buffer.concat([Buffer.from('weft/content/v1'), doc]), 32)
  const epochId = Buffer.from(epochHex, 'hex')
  const author = Uint8Array.from(randomBytes(32))
  const seq = Buffer.alloc(8); seq.writeUInt32BE(9, 4)
  const legacyAad = Buffer.concat([Buffer.from('weft/aad/v2'), Buffer.of(Kind.payload), epochId, author, seq])
  const nonce = Uint8Array.from(randomBytes(24))
  const pt = new TextEncoder().encode('written before the AAD digest')
  const old = Buffer.concat([epochId.subarray(0, 16), nonce, xchacha20poly1305(content, nonce, legacyAad).encrypt(pt)])
  assert.deepEqual(b.decrypt(Kind.payload, old, author, 9), pt)
  assert.equal(b.decrypt(Kind.payload, old, author, 10), undefined, 'the old format still binds the seq')
  const checkpointAad = Buffer.concat([Buffer.from('weft/aad/v2'), Buffer.of(Kind.checkpoint), epochId, author])
  const oldCheckpoint = Buffer.concat([epochId.subarray(0, 16), nonce,
    xchacha20poly1305(content, nonce, checkpointAad).encrypt(pt)])
  assert.deepEqual(b.decrypt(Kind.checkpoint, oldCheckpoint, author), pt, 'a checkpoint: bound to its signer alone')
})

test('epochs: a key that is not the one its Rotate committed to is refused, boxed, wrapped or invited', () => {
  const alice = ed25519.utils.randomSecretKey()
  const bob = ed25519.utils.randomSecretKey()
  const opener = (seed: Uint8Array) => (box: KeyBox) => openKey(box, seed, doc)
  const admin = new Epochs(doc)
  const honest = admin.nextRotate([ed25519.getPublicKey(alice), ed25519.getPublicKey(bob)])
  // A dishonest admin boxes another key to bob under the same commitment: bob must not take it.
  const other = Uint8Array.from(randomBytes(32))
  const split = { ...honest, boxes: [honest.boxes[0], sealKey(other, ed25519.getPublicKey(bob), doc)] } as typeof honest
  const rotates = new Map([['01'.repeat(32), rotateOp(split)]])
  const b = new Epochs(doc)
  b.refresh(rotates, [], opener(bob))
  assert.equal(b.currentId, undefined, 'bob refuses a key its Rotate did not commit to')
  const a = new Epochs(doc)
  a.refresh(rotates, [], opener(alice))
  assert.equal(a.currentId, '01'.repeat(32), 'alice\'s box matches the commitment')
  // A Rotate without a commitment gives no key to anyone.
  const bare = new Epochs(doc)
  bare.refresh(new Map([['02'.repeat(32), rotateOp({ ...honest, commit: new Uint8Array(0) })]]), [], opener(alice))
  assert.equal(bare.currentId, undefined)
  // An invite whose box holds a key other than the epoch's committed one is refused too.
  const invitee = ed25519.utils.randomSecretKey()
  const inviteOp = {
    invite: {
      invitePub: ed25519.getPublicKey(invitee),
      role: 2,
      boxes: [sealKey(other, ed25519.getPublicKey(invitee), doc)],
      epoch: Buffer.from('01'.repeat(32), 'hex')
    }
  } as unknown as ControlOp
  const i = new Epochs(doc)
  i.refresh(rotates, [inviteOp], opener(invitee))
  assert.equal(i.has('01'.repeat(32)), false)
  // A later epoch that wraps a bogus key for epoch 01: a newcomer takes the later key, not the bogus one.
  const later = Uint8Array.from(randomBytes(32))
  const epoch01 = Uint8Array.from(Buffer.from('01'.repeat(32), 'hex'))
  const wrapped = seal(later, Kind.wrap, doc, other, epoch01)
  const second = {
    number: 2,
    boxes: [sealKey(later, ed25519.getPublicKey(invitee), doc)],
    previous: [{ epoch: epoch01, nonce: wrapped.nonce, commit: wrapped.commit, sealed: wrapped.ciphertext }],
    commit: epochCommitment(later, doc)
  } as unknown as ReturnType<Epochs['nextRotate']>
  const n = new Epochs(doc)
  n.refresh(new Map([...rotates, ['03'.repeat(32), rotateOp(second)]]), [], opener(invitee))
  assert.equal(n.currentId, '03'.repeat(32))
  assert.equal(n.has('01'.repeat(32)), false, 'the wrapped key is not the one epoch 01 committed to')
})
