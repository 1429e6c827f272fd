/**
 * Per-message cost of private-document crypto next to the signature weft already pays:
 *   node --import tsx bench/trust-micro.ts
 */
import { randomBytes } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { Kind, seal, open } from '../src/trust/aead.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'

const key = randomBytes(32)
const doc = randomBytes(32)
const aad = randomBytes(80)
const pt = randomBytes(40)
const seed = ed25519.utils.randomSecretKey()
const pub = ed25519.getPublicKey(seed)
const msg = randomBytes(120)

/** Mean time per call after a warm-up, in µs. */
function time (label: string, n: number, fn: () => void): void {
  for (let i = 0; i < 2000; i++) fn()
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) fn()
  console.log(label, (Number(process.hrtime.bigint() - t) / n / 1000).toFixed(1), 'µs')
}

const s = seal(key, Kind.payload, doc, pt, aad)
time('seal 40 B', 5000, () => seal(key, Kind.payload, doc, pt, aad))
time('open 40 B', 5000, () => open(key, Kind.payload, doc, s, aad))
const sig = nodeEd25519.sign(seed, pub, msg)
time('ed25519 sign (node)', 5000, () => nodeEd25519.sign(seed, pub, msg))
time('ed25519 verify (node)', 5000, () => nodeEd25519.verify(pub, msg, sig))
