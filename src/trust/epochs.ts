/**
 * Epoch keys of a private document: which content keys this peer can open, which one it seals
 * with, and the ciphertext format. A Rotate op (root or admin) carries a fresh 32-byte key boxed
 * to every member with role >= reader and to open invites, plus the older keys wrapped under the
 * new one, so whoever holds the newest key can read the whole history (no forward secrecy, as in
 * Keyhive; removal rotates, so removed members cannot read what follows).
 *
 * Key commitment is per epoch, not per message: the Rotate states a hash of its key, and a key
 * unboxed, unwrapped or taken from an invite counts only if it matches. Poly1305 does not commit
 * to its key ("invisible salamanders": one ciphertext that opens differently under two keys), so
 * what must hold is that every replica opens an epoch's messages with the same key; a dishonest
 * admin boxing different keys to different members fails the check. Each message then pays only
 * XChaCha20-Poly1305 (native on Node, see xchacha.ts) under a content key derived once per epoch,
 * with a 24-byte nonce: a random prefix per sealer and a counter (XChaChaKey; never derived from
 * (author, seq): a restored backup reuses seqs).
 *
 * Ciphertext = epoch tag (first 16 bytes of the epoch id) ‖ nonce (24) ‖ XChaCha20-Poly1305
 * output; the AAD binds the kind, the full epoch id and the message's own header (author and seq,
 * or signer), in 32 bytes (see Epochs.aad); the content key binds the document.
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { fromString as fromHex } from 'uint8arrays'
import type { ControlOp, KeyBox, WrappedKey } from '../wire/trust.js'
import { Kind, constantTimeEqual, open, seal } from './aead.js'
import { sealKey } from './keybox.js'
import { XChaChaKey, bytesKey } from './xchacha.js'
import { authorHex } from '../replica/version-vector.js'

const hex = authorHex
const b = (x: Uint8Array): Uint8Array<ArrayBuffer> => x as Uint8Array<ArrayBuffer>
const TAG_BYTES = 16
const NONCE_BYTES = 24
const AEAD_TAG_BYTES = 16
const COMMIT_LABEL = utf8ToBytes('weft/epoch-commit/v1')
const CONTENT_LABEL = utf8ToBytes('weft/content/v1')
const AAD_LABEL = utf8ToBytes('weft/aad/v3')
const LEGACY_AAD_LABEL = utf8ToBytes('weft/aad/v2')
/** AAD digests kept per epoch (see Epochs.aad). */
const MAX_DIGESTS = 4096

/** What a Rotate states about its key: a hash that binds the key to the document. */
export function epochCommitment (key: Uint8Array, doc: Uint8Array): Uint8Array {
  return sha256(concatBytes(COMMIT_LABEL, doc, key))
}

/** Opens a key box addressed to this peer (or to an invite key it holds). */
export type BoxOpener = (box: KeyBox) => Uint8Array | undefined

interface EpochKey {
  /** The full epoch id (the Rotate op's id), bound into every message's AAD. */
  id: Uint8Array
  /** The per-epoch content key (HKDF of the epoch key over the document), with its nonces and subkeys. */
  content: XChaChaKey
  /** The epoch key itself: wrapped under later epochs' keys for newcomers. */
  key: Uint8Array
  /** AAD digests by (kind, sender); see Epochs.aad. */
  digests: Map<string, Uint8Array>
}

export class Epochs {
  private readonly keys = new Map<string, EpochKey>()
  /** Epoch tag (hex of the id's first 16 bytes) -> epoch id (hex). */
  private readonly tags = new Map<string, string>()
  private current: { id: string, number: number } | undefined

  constructor (private readonly doc: Uint8Array) {}

  get currentId (): string | undefined { return this.current?.id }
  has (epochId: string): boolean { return this.keys.has(epochId) }

  /** Keeps `key` for epoch `id` if it is the one that epoch's Rotate committed to. */
  private accept (id: string, key: Uint8Array, rotate: ControlOp | undefined): boolean {
    const commit = rotate?.rotate?.commit
    if (commit === undefined || !constantTimeEqual(epochCommitment(key, this.doc), commit)) return false
    const content = hkdf(sha256, key, undefined, concatBytes(CONTENT_LABEL, this.doc), 32)
    this.keys.set(id, { id: fromHex(id, 'base16'), content: new XChaChaKey(content), key, digests: new Map() })
    this.tags.set(id.slice(0, TAG_BYTES * 2), id)
    return true
  }

  /** Recomputes the keys this peer can open from the authorized ops (`rotates`, `invites`: id -> op). */
  refresh (rotates: Map<string, ControlOp>, invites: ControlOp[], openBox: BoxOpener): void {
    for (const inv of invites) {
      const epoch = hex(inv.invite!.epoch)
      if (this.keys.has(epoch)) continue
      for (const box of inv.invite!.boxes) {
        const key = openBox(box)
        if (key !== undefined && this.accept(epoch, key, rotates.get(epoch))) break
      }
    }
    let progress = true
    while (progress) {
      progress = false
      for (const [id, op] of rotates) {
        if (!this.keys.has(id)) {
          for (const box of op.rotate!.boxes) {
            const key = openBox(box)
            if (key !== undefined && this.accept(id, key, op)) { progress = true; break }
          }
        }
        const held = this.keys.get(id)
        if (held === undefined) continue
        for (const w of op.rotate!.previous) {
          const older = hex(w.epoch)
          if (this.keys.has(older)) continue
          const sealed = { nonce: w.nonce, commit: w.commit, ciphertext: w.sealed }
          const opened = open(held.key, Kind.wrap, this.doc, sealed, w.epoch)
          if (opened !== undefined && this.accept(older, opened, rotates.get(older))) progress = true
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

  /** The body of a new Rotate: a fresh key for `recipients`, its commitment, every key held wrapped under it. */
  nextRotate (recipients: Uint8Array[]): {
    number: number, boxes: KeyBox[], previous: WrappedKey[], commit: Uint8Array
  } {
    const key = randomBytes(32)
    const boxes = recipients.map(r => sealKey(key, r, this.doc)).map(x => ({
      recipient: b(x.recipient), ephemeral: b(x.ephemeral), nonce: b(x.nonce), commit: b(x.commit), sealed: b(x.sealed)
    }))
    const previous = [...this.keys].map(([id, old]) => {
      const epoch = fromHex(id, 'base16')
      const s = seal(key, Kind.wrap, this.doc, old.key, epoch)
      return { epoch: b(epoch), nonce: b(s.nonce), commit: b(s.commit), sealed: b(s.ciphertext) }
    })
    return { number: (this.current?.number ?? 0) + 1, boxes, previous, commit: epochCommitment(key, this.doc) }
  }

  /** The current key, boxed to one more recipient (an invite key). */
  boxCurrent (recipient: Uint8Array): { boxes: KeyBox[], epoch: Uint8Array } {
    if (this.current === undefined) return { boxes: [], epoch: new Uint8Array(0) }
    const x = sealKey(this.keys.get(this.current.id)!.key, recipient, this.doc)
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

  /**
   * The AAD of a message: SHA-256(label ‖ kind ‖ epoch id ‖ who)[0..24] ‖ seq (64-bit big-endian),
   * 32 bytes, the most the WebAssembly cipher takes (xchacha.ts). `who` is the author, signer or
   * origin the message is bound to and `seq` the envelope's number (0 for other kinds); the digest
   * depends only on (kind, epoch, who), so it is computed once per sender, not once per message.
   */
  private aad (kind: Kind, epoch: EpochKey, who: Uint8Array, seq: number): Uint8Array {
    const id = bytesKey(who, String.fromCharCode(kind))
    let digest = epoch.digests.get(id)
    if (digest === undefined) {
      // Bounded: a peer sees few senders per epoch; a flood of origins only costs a digest each.
      if (epoch.digests.size >= MAX_DIGESTS) epoch.digests.clear()
      digest = sha256(concatBytes(AAD_LABEL, Uint8Array.of(kind), epoch.id, who)).subarray(0, 24)
      epoch.digests.set(id, digest)
    }
    const out = new Uint8Array(32)
    out.set(digest)
    const view = new DataView(out.buffer)
    view.setUint32(24, Math.floor(seq / 2 ** 32))
    view.setUint32(28, seq >>> 0)
    return out
  }

  /**
   * The AAD messages sealed before this format had (label v2 ‖ kind ‖ epoch id ‖ binding, where a
   * payload's binding was author ‖ seq): tried when the current one fails, so that private
   * documents stored by earlier versions stay readable.
   */
  private legacyAad (kind: Kind, epoch: EpochKey, who: Uint8Array, seq: number): Uint8Array {
    const tail = kind === Kind.payload ? 8 : 0
    const out = new Uint8Array(LEGACY_AAD_LABEL.byteLength + 1 + epoch.id.byteLength + who.byteLength + tail)
    out.set(LEGACY_AAD_LABEL)
    out[LEGACY_AAD_LABEL.byteLength] = kind
    out.set(epoch.id, LEGACY_AAD_LABEL.byteLength + 1)
    out.set(who, LEGACY_AAD_LABEL.byteLength + 1 + epoch.id.byteLength)
    if (tail > 0) {
      const view = new DataView(out.buffer)
      view.setUint32(out.byteLength - 8, Math.floor(seq / 2 ** 32))
      view.setUint32(out.byteLength - 4, seq >>> 0)
    }
    return out
  }

  /** Seals under the current epoch; undefined while this peer holds no key. */
  encrypt (kind: Kind, plaintext: Uint8Array, who: Uint8Array, seq = 0): Uint8Array | undefined {
    if (this.current === undefined) return undefined
    const epoch = this.keys.get(this.current.id)!
    const nonce = epoch.content.nextNonce()
    const sealed = epoch.content.seal(nonce, this.aad(kind, epoch, who, seq), plaintext)
    const out = new Uint8Array(TAG_BYTES + NONCE_BYTES + sealed.byteLength)
    out.set(epoch.id.subarray(0, TAG_BYTES))
    out.set(nonce, TAG_BYTES)
    out.set(sealed, TAG_BYTES + NONCE_BYTES)
    return out
  }

  /** The epoch a ciphertext names (hex id), or undefined if it names none this peer knows of or is too short. */
  epochOf (bytes: Uint8Array): string | undefined {
    if (bytes.byteLength < TAG_BYTES + NONCE_BYTES + AEAD_TAG_BYTES) return undefined
    return this.tags.get(hex(bytes.subarray(0, TAG_BYTES)))
  }

  decrypt (kind: Kind, bytes: Uint8Array, who: Uint8Array, seq = 0): Uint8Array | undefined {
    const id = this.epochOf(bytes)
    const epoch = id === undefined ? undefined : this.keys.get(id)
    if (epoch === undefined) return undefined
    const nonce = bytes.subarray(TAG_BYTES, TAG_BYTES + NONCE_BYTES)
    const sealed = bytes.subarray(TAG_BYTES + NONCE_BYTES)
    return epoch.content.open(nonce, this.aad(kind, epoch, who, seq), sealed) ??
      epoch.content.open(nonce, this.legacyAad(kind, epoch, who, seq), sealed)
  }

  /** Recipients of the current epoch (hex keys), to tell whether membership moved on since. */
  recipients (rotates: Map<string, ControlOp>): Set<string> {
    const op = this.current === undefined ? undefined : rotates.get(this.current.id)
    return new Set((op?.rotate?.boxes ?? []).map(x => hex(x.recipient)))
  }
}
