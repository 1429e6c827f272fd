/**
 * Per-message cost of private-document crypto next to the signature weft already pays, and next
 * to the per-message key derivation it replaced (`seal`/`open` in aead.ts, still used for key boxes):
 *   node --import tsx bench/trust-micro.ts
 * Two measures: a hot loop (mean after 2,000 warm-up calls), and "paced": one call every 3 ms, as
 * edits come, each after 8 MB of other memory traffic (what a peer's other work between two edits
 * does to the CPU caches), median of 300. The hot loop flatters code a real peer never runs often
 * enough to keep hot: noble's XChaCha20-Poly1305 measured ~30 µs hot, 90-230 µs paced.
 */
import { randomBytes } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { Kind, seal, open } from '../src/trust/aead.js'
import { Epochs } from '../src/trust/epochs.js'
import { openKey } from '../src/trust/keybox.js'
import type { ControlOp } from '../src/wire/trust.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'
import { xchachaBackend } from '../src/trust/xchacha.js'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'

const key = randomBytes(32)
const doc = Uint8Array.from(randomBytes(32))
const aad = randomBytes(80)
const pt = randomBytes(40)
const header = randomBytes(32)
const seed = ed25519.utils.randomSecretKey()
const pub = ed25519.getPublicKey(seed)
const msg = randomBytes(120)

const epochs = new Epochs(doc)
const { number, boxes, previous, commit } = epochs.nextRotate([pub])
const rotateOp = { rotate: { number, boxes, previous, commit } } as unknown as ControlOp
epochs.refresh(new Map([['ab'.repeat(32), rotateOp]]), [], box => openKey(box, seed, doc))

/** Mean time per call after a warm-up, in µs. */
function time (label: string, n: number, fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn()
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) fn()
  const us = Number(process.hrtime.bigint() - t) / n / 1000
  console.log(label.padEnd(36), us.toFixed(1), 'µs')
  return us
}

const otherWork = new Float64Array(1 << 20)
/** Median time per call with calls 3 ms apart, each after other memory traffic (after 20 unmeasured), in µs. */
async function paced (label: string, fn: () => void): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < 320; i++) {
    for (let j = 0; j < otherWork.length; j += 8) otherWork[j] += 1
    const t = performance.now()
    fn()
    if (i >= 20) times.push((performance.now() - t) * 1000)
    await new Promise(resolve => setTimeout(resolve, 3))
  }
  const us = times.sort((a, b) => a - b)[times.length >> 1]
  console.log(label.padEnd(36), us.toFixed(1), 'µs')
  return us
}

const s = seal(key, Kind.payload, doc, pt, aad)
const sealed = epochs.encrypt(Kind.payload, pt, header, 5)!
const sig = nodeEd25519.sign(seed, pub, msg)
const nonce = randomBytes(24)
const nobleSealed = xchacha20poly1305(key, nonce, aad).encrypt(pt)
console.log(`content cipher: ${xchachaBackend}`)
const pacedResults = {
  // Each paced run starts from a fresh state of its own function: run the noble reference first,
  // so weft's path gets no JIT warmth from it (they share no code on Node).
  nobleEncrypt: await paced('paced: noble xchacha encrypt 40 B', () => xchacha20poly1305(key, nonce, aad).encrypt(pt)),
  nobleDecrypt: await paced('paced: noble xchacha decrypt 40 B', () => xchacha20poly1305(key, nonce, aad)
    .decrypt(nobleSealed)),
  epochEncrypt: await paced('paced: epoch encrypt 40 B (content)', () => epochs.encrypt(Kind.payload, pt, header, 5)),
  epochDecrypt: await paced('paced: epoch decrypt 40 B (content)',
    () => epochs.decrypt(Kind.payload, sealed, header, 5)),
  verify: await paced('paced: ed25519 verify (node)', () => nodeEd25519.verify(pub, msg, sig))
}
const results = {
  epochEncrypt: time('epoch encrypt 40 B (content)', 5000, () => epochs.encrypt(Kind.payload, pt, header, 5)),
  epochDecrypt: time('epoch decrypt 40 B (content)', 5000, () => epochs.decrypt(Kind.payload, sealed, header, 5)),
  seal: time('seal 40 B (key boxes; HKDF per message)', 5000, () => seal(key, Kind.payload, doc, pt, aad)),
  open: time('open 40 B (key boxes; HKDF per message)', 5000, () => open(key, Kind.payload, doc, s, aad)),
  sign: time('ed25519 sign (node)', 5000, () => nodeEd25519.sign(seed, pub, msg)),
  verify: time('ed25519 verify (node)', 5000, () => nodeEd25519.verify(pub, msg, sig))
}
console.log(JSON.stringify({
  ...results,
  paced: pacedResults,
  contentBytesOverhead: sealed.byteLength - pt.byteLength,
  privateOverSignatureCost: (results.epochEncrypt + results.epochDecrypt) / (results.sign + results.verify)
}))
