/**
 * A small seeded PRNG. Every fuzz input is generated from its own generator,
 * seeded by (run seed, target, index), so any input can be rebuilt from those
 * three values alone: a failure prints them, and `--only t --index i` replays it.
 */
export class Rng {
  private state: number

  constructor (seed: number) {
    this.state = seed >>> 0
  }

  static for (seed: number, target: string, index: number): Rng {
    // FNV-1a over the three parts: cheap, and distinct inputs get unrelated streams.
    let h = 0x811c9dc5
    for (const ch of `${seed}:${target}:${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193)
    return new Rng(h)
  }

  /** mulberry32: 32 bits of state is plenty for picking mutations. */
  next (): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [0, n). */
  int (n: number): number {
    return Math.floor(this.next() * n)
  }

  bool (p = 0.5): boolean {
    return this.next() < p
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(items.length)]
  }

  bytes (n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = this.int(256)
    return out
  }
}
