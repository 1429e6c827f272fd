/**
 * The pin set: documents the daemon keeps open, replicated and provided in the
 * DHT. Persisted as `<data-dir>/pins.json`:
 *
 *   { "version": 1, "pins": { "<docId>": { "pinnedAt": "2026-11-24T10:00:00.000Z" } } }
 *
 * Invariant: `add`/`remove` resolve only after the new set is durable on disk
 * (atomic write + fsync), so a pin acknowledged by the admin API survives a
 * SIGKILL. Writes are serialized; concurrent calls each see their own change
 * persisted.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isValidDocId } from './doc-id.js'
import { PINS_FILE, writeFileAtomic } from './files.js'

export interface PinInfo {
  pinnedAt: string
}

interface PinsFileV1 {
  version: 1
  pins: Record<string, PinInfo>
}

export class PinStoreError extends Error {
  override name = 'PinStoreError'
}

export class PinStore {
  readonly path: string
  private readonly pins = new Map<string, PinInfo>()
  private writing: Promise<void> = Promise.resolve()
  private readonly now: () => Date

  private constructor (path: string, now: () => Date) {
    this.path = path
    this.now = now
  }

  /**
   * Loads the pin set from the data dir (empty if there is no file yet). A corrupt file is an
   * error, never silently emptied.
   */
  static async open (dataDir: string, options: { now?: () => Date } = {}): Promise<PinStore> {
    const store = new PinStore(join(dataDir, PINS_FILE), options.now ?? (() => new Date()))
    let text: string | undefined
    try {
      text = await readFile(store.path, 'utf8')
    } catch (err: any) {
      if (err?.code !== 'ENOENT') throw err
    }
    if (text != null) {
      let parsed: any
      try {
        parsed = JSON.parse(text)
      } catch (err: any) {
        throw new PinStoreError(
          `${store.path} is not valid JSON (${err?.message}); fix or remove it (pins will be lost)`)
      }
      if (parsed?.version !== 1 || parsed.pins == null || typeof parsed.pins !== 'object') {
        throw new PinStoreError(`${store.path}: unknown format (expected {"version":1,"pins":{...}})`)
      }
      for (const [id, info] of Object.entries(parsed.pins as Record<string, any>)) {
        if (!isValidDocId(id)) throw new PinStoreError(`${store.path}: ${JSON.stringify(id)} is not a document id`)
        store.pins.set(id, { pinnedAt: typeof info?.pinnedAt === 'string' ? info.pinnedAt : new Date(0).toISOString() })
      }
    }
    return store
  }

  has (id: string): boolean {
    return this.pins.has(id)
  }

  /** Pinned ids, sorted. */
  list (): string[] {
    return [...this.pins.keys()].sort()
  }

  get (id: string): PinInfo | undefined {
    return this.pins.get(id)
  }

  get size (): number {
    return this.pins.size
  }

  /** Pins `ids`; resolves once durable. Returns the ids that were not pinned before. */
  async add (...ids: string[]): Promise<string[]> {
    for (const id of ids) {
      if (!isValidDocId(id)) throw new PinStoreError(`${JSON.stringify(id)} is not a document id`)
    }
    const added: string[] = []
    const pinnedAt = this.now().toISOString()
    for (const id of ids) {
      if (!this.pins.has(id)) {
        this.pins.set(id, { pinnedAt })
        added.push(id)
      }
    }
    try {
      await this.persist()
    } catch (err) {
      for (const id of added) this.pins.delete(id) // not durable: not pinned
      throw err
    }
    return added
  }

  /** Unpins `id`; resolves once durable. Returns whether it was pinned. */
  async remove (id: string): Promise<boolean> {
    const info = this.pins.get(id)
    if (info == null) return false
    this.pins.delete(id)
    try {
      await this.persist()
    } catch (err) {
      this.pins.set(id, info)
      throw err
    }
    return true
  }

  /** Waits for pending writes. */
  async flush (): Promise<void> {
    await this.writing
  }

  private async persist (): Promise<void> {
    // Each call snapshots the set when its turn comes, so the last write wins with the latest state.
    const run = this.writing.catch(() => {}).then(async () => {
      const sorted = [...this.pins.entries()].sort(([a], [b]) => a < b ? -1 : 1)
      const file: PinsFileV1 = { version: 1, pins: Object.fromEntries(sorted) }
      await writeFileAtomic(this.path, JSON.stringify(file, null, 2) + '\n')
    })
    this.writing = run
    await run
  }
}
