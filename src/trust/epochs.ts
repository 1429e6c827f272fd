/**
 * Epoch keys of a private document: which content keys this peer can open, which one it seals
 * with, and the ciphertext format. A Rotate op (root or admin) carries a fresh 32-byte key boxed
 * to every member with role >= reader and to open invites, plus the older keys wrapped under the
 * new one, so whoever holds the newest key can read the whole history (no forward secrecy, as in
 * Keyhive; removal rotates, so removed members cannot read what follows).
 *
 * Ciphertext = epochId (32) ‖ nonce (24) ‖ commit (32) ‖ XChaCha20-Poly1305 output; the AAD binds
 * the document, the kind, the epoch and the message's own header (author and seq, or signer).
 */
import { randomBytes, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { toString as toHex, fromString as fromHex } from 'uint8arrays'
import type { ControlOp, KeyBox, WrappedKey } from '../wire/trust.js'
import { COMMIT_BYTES, Kind, NONCE_BYTES, open, seal } from './aead.js'
import { sealKey } from './keybox.js'

const hex = (b: Uint8Array): string => toHex(b, 'base16')
const b = (x: Uint8Array): Uint8Array<ArrayBuffer> => x as Uint8Array<ArrayBuffer>
const ID_BYTES = 32

/** Opens a key box addressed to this peer (or to an invite key it holds). */
export type BoxOpener = (box: KeyBox) => Uint8Array | undefined

export class Epochs {
  private readonly keys = new Map<string, Uint8Array>()
  private current: { id: string, number: number } | undefined

  constructor (private readonly doc: Uint8Array) {}

  get currentId (): string | undefined { return this.current?.id }
  has (epochId: string): boolean { return this.keys.has(epochId) }

  /** Recomputes the keys this peer can open from the authorized ops (`rotates`, `invites`: id -> op). */
  refresh (rotates: Map<string, ControlOp>, invites: ControlOp[], openBox: BoxOpener): void {
    for (const inv of invites) {
      const epoch = hex(inv.invite!.epoch)
      if (this.keys.has(epoch)) continue
      for (const box of inv.invite!.boxes) {
        const key = openBox(box)
        if (key !== undefined) { this.keys.set(epoch, key); break }
      }
    }
    let progress = true
    while (progress) {
      progress = false
      for (const [id, op] of rotates) {
        if (!this.keys.has(id)) {
          for (const box of op.rotate!.boxes) {
            const key = openBox(box)
            if (key !== undefined) { this.keys.set(id, key); progress = true; break }
          }
        }
        const key = this.keys.get(id)
        if (key === undefined) continue
        for (const w of op.rotate!.previous) {
          const older = hex(w.epoch)
          if (this.keys.has(older)) continue
          const sealed = { nonce: w.nonce, commit: w.commit, ciphertext: w.sealed }
          const opened = open(key, Kind.wrap, this.doc, sealed, w.epoch)
          if (opened !== undefined) { this.keys.set(older, opened); progress = true }
        }
      }
    }
    let best: { id: string, number: number } | undefined
    for (const [id, op] of rotates) {
      if (!this.keys.has(id)) continue
      const n = op.rotate!.number
      if (best === undefined || n > best.number || (n === best.number && id < best.id)) best = { id, number: n }
    }
    this.current = best
  }

  /** The body of a new Rotate: a fresh key for `recipients`, every key held wrapped under it. */
  nextRotate (recipients: Uint8Array[]): { number: number, boxes: KeyBox[], previous: WrappedKey[] } {
    const key = randomBytes(32)
    const boxes = recipients.map(r => sealKey(key, r, this.doc)).map(x => ({
      recipient: b(x.recipient), ephemeral: b(x.ephemeral), nonce: b(x.nonce), commit: b(x.commit), sealed: b(x.sealed)
    }))
    const previous = [...this.keys].map(([id, old]) => {
      const epoch = fromHex(id, 'base16')
      const s = seal(key, Kind.wrap, this.doc, old, epoch)
      return { epoch: b(epoch), nonce: b(s.nonce), commit: b(s.commit), sealed: b(s.ciphertext) }
    })
    return { number: (this.current?.number ?? 0) + 1, boxes, previous }
  }

  /** The current key, boxed to one more recipient (an invite key). */
  boxCurrent (recipient: Uint8Array): { boxes: KeyBox[], epoch: Uint8Array } {
    if (this.current === undefined) return { boxes: [], epoch: new Uint8Array(0) }
    const x = sealKey(this.keys.get(this.current.id)!, recipient, this.doc)
    return {
      boxes: [{
        recipient: b(x.recipient),
        ephemeral: b(x.ephemeral),
        nonce: b(x.nonce),
        commit: b(x.commit),
        sealed: b(x.sealed)
      }],
      epoch: fromHex(this.current.id, 'base16')
    }
  }

  private aad (kind: Kind, epoch: Uint8Array, binding: Uint8Array): Uint8Array {
    return concatBytes(utf8ToBytes('weft/aad/v1'), this.doc, Uint8Array.of(kind), epoch, binding)
  }

  /** Seals under the current epoch; undefined while this peer holds no key. */
  encrypt (kind: Kind, plaintext: Uint8Array, binding: Uint8Array): Uint8Array | undefined {
    if (this.current === undefined) return undefined
    const epoch = fromHex(this.current.id, 'base16')
    const s = seal(this.keys.get(this.current.id)!, kind, this.doc, plaintext, this.aad(kind, epoch, binding))
    return concatBytes(epoch, s.nonce, s.commit, s.ciphertext)
  }

  /** The epoch a ciphertext names (hex), or undefined if it is too short to name one. */
  epochOf (bytes: Uint8Array): string | undefined {
    return bytes.byteLength < ID_BYTES + NONCE_BYTES + COMMIT_BYTES ? undefined : hex(bytes.subarray(0, ID_BYTES))
  }

  decrypt (kind: Kind, bytes: Uint8Array, binding: Uint8Array): Uint8Array | undefined {
    const id = this.epochOf(bytes)
    const key = id === undefined ? undefined : this.keys.get(id)
    if (key === undefined) return undefined
    const epoch = bytes.subarray(0, ID_BYTES)
    const nonce = bytes.subarray(ID_BYTES, ID_BYTES + NONCE_BYTES)
    const commit = bytes.subarray(ID_BYTES + NONCE_BYTES, ID_BYTES + NONCE_BYTES + COMMIT_BYTES)
    const ciphertext = bytes.subarray(ID_BYTES + NONCE_BYTES + COMMIT_BYTES)
    return open(key, kind, this.doc, { nonce, commit, ciphertext }, this.aad(kind, epoch, binding))
  }

  /** Recipients of the current epoch (hex keys), to tell whether membership moved on since. */
  recipients (rotates: Map<string, ControlOp>): Set<string> {
    const op = this.current === undefined ? undefined : rotates.get(this.current.id)
    return new Set((op?.rotate?.boxes ?? []).map(x => hex(x.recipient)))
  }
}
