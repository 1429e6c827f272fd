import { DOC_ID_PATTERN } from '../../../src/doc-id.js'
import type * as Y from 'yjs'
import type { DocHandle } from '../../../src/index.js'
import type { NoteSummary } from '../shared/bridge.js'

type Entry = Omit<NoteSummary, 'id'>

/** A deleted note's tombstone: when, and by which device (peer id). */
export interface Tombstone {
  deletedAt: number
  by: string
}

/**
 * The notebook: a weft document whose Y.Map 'notes' maps note id ->
 * { title, updatedAt }, and whose Y.Map 'deleted' maps note id -> tombstone.
 * It is the list the UI shows; each note's text lives in its own document.
 * Entries are whole values, so a concurrent rename and touch resolve
 * last-writer-wins per note.
 *
 * The delete rule: a tombstone is final. A note with a tombstone is deleted
 * on every device whatever its entry says, so an edit made concurrently with
 * the delete (on a device that had not seen it yet, which rewrites the entry)
 * never brings the note back. The rule needs no clock: both sides converge on
 * the union of the two maps, and the tombstone wins over any entry.
 */
export class Notebook {
  constructor (readonly handle: DocHandle) {}

  get id (): string {
    return this.handle.id
  }

  private get map (): Y.Map<unknown> {
    return this.handle.doc.getMap('notes')
  }

  private get tombstones (): Y.Map<unknown> {
    return this.handle.doc.getMap('deleted')
  }

  /** Newest first. Malformed entries (a buggy or hostile peer) and deleted notes are left out. */
  list (): NoteSummary[] {
    const notes: NoteSummary[] = []
    for (const id of this.map.keys()) {
      const note = this.get(id)
      if (note !== undefined) notes.push(note)
    }
    return notes.sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id))
  }

  get (id: string): NoteSummary | undefined {
    if (!DOC_ID_PATTERN.test(id) || this.isDeleted(id)) return undefined
    const value = this.map.get(id) as Partial<Entry> | undefined
    if (value === undefined || value === null || typeof value !== 'object') return undefined
    return {
      id,
      title: typeof value.title === 'string' ? value.title : '',
      preview: typeof value.preview === 'string' ? value.preview.slice(0, 200) : '',
      updatedAt: typeof value.updatedAt === 'number' && Number.isFinite(value.updatedAt) ? value.updatedAt : 0
    }
  }

  has (id: string): boolean {
    return this.get(id) !== undefined
  }

  isDeleted (id: string): boolean {
    return this.tombstones.has(id)
  }

  /** Ids of every deleted note this notebook remembers. */
  deletedIds (): string[] {
    return [...this.tombstones.keys()].filter(id => DOC_ID_PATTERN.test(id))
  }

  tombstone (id: string): Tombstone | undefined {
    const value = this.tombstones.get(id) as Partial<Tombstone> | undefined
    if (value === undefined || value === null || typeof value !== 'object') return undefined
    return { deletedAt: Number(value.deletedAt) || 0, by: typeof value.by === 'string' ? value.by : '' }
  }

  /** Writes an entry; a deleted note stays deleted (its entry is not rewritten). */
  set (note: NoteSummary): void {
    if (this.isDeleted(note.id)) return
    this.map.set(note.id, { title: note.title, preview: note.preview, updatedAt: note.updatedAt })
  }

  /** Deletes a note for good: its entry goes and a tombstone stays, in one transaction. */
  delete (id: string, by: string, now = Date.now()): void {
    this.handle.doc.transact(() => {
      this.map.delete(id)
      this.tombstones.set(id, { deletedAt: now, by })
    })
  }

  /** Device names by peer id, as each device wrote its own (Y.Map 'devices'). */
  deviceNames (): Record<string, string> {
    const names: Record<string, string> = {}
    for (const [peer, name] of this.handle.doc.getMap('devices').entries()) {
      if (typeof name === 'string') names[peer] = name.slice(0, 40)
    }
    return names
  }

  /** Names this device under its peer id (peer lists) and its author key (history). */
  setDeviceName (peerId: string, author: string, name: string): void {
    this.handle.doc.transact(() => {
      for (const [map, key] of [['devices', peerId], ['authors', author]] as const) {
        const names = this.handle.doc.getMap(map)
        if (names.get(key) !== name) names.set(key, name)
      }
    })
  }

  /** The name of the device with this author key (history entries name authors by key). */
  authorName (author: string): string | undefined {
    const name = this.handle.doc.getMap('authors').get(author)
    return typeof name === 'string' ? name.slice(0, 40) : undefined
  }

  /** Calls `listener` with the ids added, removed and overwritten by each change, local or remote. */
  onChange (listener: (change: { added: string[], removed: string[], updated: string[] }) => void): () => void {
    const observer = (event: Y.YMapEvent<unknown>): void => {
      const change = { added: [] as string[], removed: [] as string[], updated: [] as string[] }
      for (const [key, { action }] of event.changes.keys) {
        if (!DOC_ID_PATTERN.test(key)) continue
        if (action === 'delete' || this.isDeleted(key)) change.removed.push(key)
        else (action === 'add' ? change.added : change.updated).push(key)
      }
      if (change.added.length + change.removed.length + change.updated.length > 0) listener(change)
    }
    const onTombstones = (event: Y.YMapEvent<unknown>): void => {
      const removed = [...event.keysChanged].filter(id => DOC_ID_PATTERN.test(id) && this.isDeleted(id))
      if (removed.length > 0) listener({ added: [], removed, updated: [] })
    }
    this.map.observe(observer)
    this.tombstones.observe(onTombstones)
    return () => {
      this.map.unobserve(observer)
      this.tombstones.unobserve(onTombstones)
    }
  }
}
