import { fromString as fromHex } from 'uint8arrays'
import type { VersionEntry } from '../wire/codec.js'
import { hex } from '../util/hex.js'

/** An author's key (or a signature) as map keys and logs show it: lowercase hex. */
export function authorHex (key: Uint8Array): string {
  return hex(key)
}

/** The author key (hex) a peer writes under: its Ed25519 libp2p key; none for other key types. */
export function peerAuthor (peer: { publicKey?: { type: string, raw: Uint8Array } }): string | undefined {
  return peer.publicKey?.type === 'Ed25519' ? authorHex(peer.publicKey.raw) : undefined
}

export function authorBytes (hex: string): Uint8Array<ArrayBuffer> {
  return fromHex(hex, 'base16') as Uint8Array<ArrayBuffer>
}

/** A run of sequence numbers one author wrote: `from..to` inclusive. */
export interface SeqRange { author: string, from: number, to: number }

/**
 * Author -> highest contiguous sequence number, plus the numbers seen above a
 * gap, so `(author, seq)` answers "have I got it?" exactly. That exactness is
 * what makes delivery idempotent: a duplicate is recognised, never re-applied.
 */
export class VersionVector {
  private readonly contiguous = new Map<string, number>()
  /** Created on the first gap (most documents never see one; an empty Map is ~180 bytes). */
  private aboveGap: Map<string, Set<number>> | undefined

  get (author: string): number {
    return this.contiguous.get(author) ?? 0
  }

  has (author: string, seq: number): boolean {
    return seq <= this.get(author) || (this.aboveGap?.get(author)?.has(seq) ?? false)
  }

  /** Records `(author, seq)`; returns false when it was known already. */
  add (author: string, seq: number): boolean {
    if (this.has(author, seq)) return false
    let head = this.get(author)
    if (seq !== head + 1) {
      this.aboveGap ??= new Map()
      let above = this.aboveGap.get(author)
      if (above === undefined) this.aboveGap.set(author, above = new Set())
      above.add(seq)
      return true
    }
    head = seq
    const above = this.aboveGap?.get(author)
    if (above !== undefined) {
      while (above.delete(head + 1)) head++
      if (above.size === 0) this.dropGap(author)
    }
    this.contiguous.set(author, head)
    return true
  }

  /** True when envelopes of `author` above a gap are waiting for the gap to fill. */
  hasGap (author?: string): boolean {
    return this.aboveGap !== undefined && (author === undefined || this.aboveGap.has(author))
  }

  private dropGap (author: string): void {
    this.aboveGap?.delete(author)
    if (this.aboveGap?.size === 0) this.aboveGap = undefined
  }

  /** Raises each author to at least the given seq (a checkpoint covers everything up to it). */
  raiseTo (entries: Iterable<[string, number]>): void {
    for (const [author, seq] of entries) {
      if (seq <= this.get(author)) continue
      this.contiguous.set(author, seq)
      const above = this.aboveGap?.get(author)
      if (above !== undefined) {
        for (const s of above) if (s <= seq) above.delete(s)
        let head = seq
        while (above.delete(head + 1)) head++
        this.contiguous.set(author, head)
        if (above.size === 0) this.dropGap(author)
      }
    }
  }

  entries (): IterableIterator<[string, number]> {
    return this.contiguous.entries()
  }

  get size (): number {
    return this.contiguous.size
  }

  toRecord (): Record<string, number> {
    return Object.fromEntries(this.contiguous)
  }

  toWire (): VersionEntry[] {
    return [...this.contiguous].map(([author, seq]) => ({ author: authorBytes(author), seq }))
  }

  /** Everything this vector covers that `remote` lacks, as per-author ranges. */
  missingFrom (remote: ReadonlyMap<string, number>): SeqRange[] {
    const ranges: SeqRange[] = []
    for (const [author, seq] of this.contiguous) {
      const theirs = remote.get(author) ?? 0
      if (seq > theirs) ranges.push({ author, from: theirs + 1, to: seq })
    }
    return ranges
  }

  /** True when `remote` covers something this vector does not. */
  isBehind (remote: ReadonlyMap<string, number>): boolean {
    for (const [author, seq] of remote) if (seq > this.get(author)) return true
    return false
  }
}

export function vectorFromWire (entries: VersionEntry[]): Map<string, number> {
  const vector = new Map<string, number>()
  for (const { author, seq } of entries) {
    if (author.byteLength !== 32 || !Number.isSafeInteger(seq) || seq < 0) continue
    const hex = authorHex(author)
    vector.set(hex, Math.max(seq, vector.get(hex) ?? 0))
  }
  return vector
}

export function countRanges (ranges: SeqRange[]): number {
  return ranges.reduce((n, r) => n + r.to - r.from + 1, 0)
}
