/**
 * Per-message cost of private-document crypto next to the signature weft already pays, and next
 * to the per-message key derivation it replaced (`seal`/`open` in aead.ts, still used for key boxes):
 *   node --import tsx bench/trust-micro.ts
 */
import { randomBytes } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { Kind, seal, open } from '../src/trust/aead.js'
import { Epochs } from '../src/trust/epochs.js'
import { openKey } from '../src/trust/keybox.js'
import type { ControlOp } from '../src/wire/trust.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'

const key = randomBytes(32)
const doc = Uint8Array.from(randomBytes(32))
const aad = randomBytes(80)
const pt = randomBytes(40)
const header = randomBytes(40)
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

const s = seal(key, Kind.payload, doc, pt, aad)
const sealed = epochs.encrypt(Kind.payload, pt, header)!
const sig = nodeEd25519.sign(seed, pub, msg)
const results = {
  epochEncrypt: time('epoch encrypt 40 B (content)', 5000, () => epochs.encrypt(Kind.payload, pt, header)),
  epochDecrypt: time('epoch decrypt 40 B (content)', 5000, () => epochs.decrypt(Kind.payload, sealed, header)),
  seal: time('seal 40 B (key boxes; HKDF per message)', 5000, () => seal(key, Kind.payload, doc, pt, aad)),
  open: time('open 40 B (key boxes; HKDF per message)', 5000, () => open(key, Kind.payload, doc, s, aad)),
  sign: time('ed25519 sign (node)', 5000, () => nodeEd25519.sign(seed, pub, msg)),
  verify: time('ed25519 verify (node)', 5000, () => nodeEd25519.verify(pub, msg, sig))
}
console.log(JSON.stringify({
  ...results,
  contentBytesOverhead: sealed.byteLength - pt.byteLength,
  privateOverSignatureCost: (results.epochEncrypt + results.epochDecrypt) / (results.sign + results.verify)
}))
