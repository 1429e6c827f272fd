import { DOC_ID_PATTERN } from '../../../src/doc-id.js'
import type * as Y from 'yjs'
import type { DocHandle } from '../../../src/index.js'
import type { NoteSummary } from '../shared/bridge.js'

type Entry = Omit<NoteSummary, 'id'>

/**
 * The notebook: a weft document whose Y.Map 'notes' maps note id ->
 * { title, updatedAt }. It is the list the UI shows; each note's text lives
 * in its own document. Entries are whole values, so a concurrent rename and
 * touch resolve last-writer-wins per note, and a delete removes the key.
 */
export class Notebook {
  constructor (readonly handle: DocHandle) {}

  get id (): string {
    return this.handle.id
  }

  private get map (): Y.Map<unknown> {
    return this.handle.doc.getMap('notes')
  }

  /** Newest first. Malformed entries (a buggy or hostile peer) are left out. */
  list (): NoteSummary[] {
    const notes: NoteSummary[] = []
    for (const id of this.map.keys()) {
      const note = this.get(id)
      if (note !== undefined) notes.push(note)
    }
    return notes.sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id))
  }

  get (id: string): NoteSummary | undefined {
    if (!DOC_ID_PATTERN.test(id)) return undefined
    const value = this.map.get(id) as Partial<Entry> | undefined
    if (value === undefined || value === null || typeof value !== 'object') return undefined
    return {
      id,
      title: typeof value.title === 'string' ? value.title : '',
      updatedAt: typeof value.updatedAt === 'number' && Number.isFinite(value.updatedAt) ? value.updatedAt : 0
    }
  }

  has (id: string): boolean {
    return this.get(id) !== undefined
  }

  set (note: NoteSummary): void {
    this.map.set(note.id, { title: note.title, updatedAt: note.updatedAt })
  }

  delete (id: string): void {
    this.map.delete(id)
  }

  /** Calls `listener` with the ids added, removed and overwritten by each change, local or remote. */
  onChange (listener: (change: { added: string[], removed: string[], updated: string[] }) => void): () => void {
    const observer = (event: Y.YMapEvent<unknown>): void => {
      const change = { added: [] as string[], removed: [] as string[], updated: [] as string[] }
      for (const [key, { action }] of event.changes.keys) {
        if (action === 'delete') change.removed.push(key)
        else if (DOC_ID_PATTERN.test(key)) (action === 'add' ? change.added : change.updated).push(key)
      }
      listener(change)
    }
    this.map.observe(observer)
    return () => { this.map.unobserve(observer) }
  }
}
