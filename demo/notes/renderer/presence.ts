import { Awareness, applyAwarenessUpdate } from 'y-protocols/awareness'
import type * as Y from 'yjs'
import type { NotesBridge } from '../shared/bridge.js'

const FROM_MAIN = Symbol('presence-from-main')

/** Who else is in a note: a name and a colour per device. */
export interface Visitor { clientId: number, name: string, color: string }

/**
 * This device's presence in one open note: an Awareness on the note's Y.Doc
 * (what the editor draws remote cursors from). Local changes (our cursor,
 * our name) go to the main side, which announces them on weft's presence
 * topic; other devices' states come back as awareness updates.
 */
export class NotePresence {
  readonly awareness: Awareness
  private closed = false

  constructor (
    private readonly noteId: string,
    doc: Y.Doc,
    private readonly bridge: NotesBridge,
    name: string,
    private readonly onVisitors: (visitors: Visitor[]) => void
  ) {
    this.awareness = new Awareness(doc)
    this.awareness.on('update', this.onUpdate)
    this.setName(name)
  }

  setName (name: string): void {
    const color = colorFor(name)
    this.awareness.setLocalStateField('user', { name, color, colorLight: `${color}33` })
  }

  applyFromMain (update: Uint8Array): void {
    if (!this.closed) applyAwarenessUpdate(this.awareness, update, FROM_MAIN)
  }

  visitors (): Visitor[] {
    const visitors: Visitor[] = []
    for (const [clientId, state] of this.awareness.getStates()) {
      const user = (state as { user?: { name?: unknown, color?: unknown } }).user
      if (clientId === this.awareness.clientID || typeof user?.name !== 'string') continue
      visitors.push({ clientId, name: user.name, color: typeof user.color === 'string' ? user.color : '#888' })
    }
    return visitors
  }

  private readonly onUpdate = (
    { added, updated, removed }: { added: number[], updated: number[], removed: number[] },
    origin: unknown
  ): void => {
    if (this.closed) return
    const changed = [...added, ...updated, ...removed]
    if (origin !== FROM_MAIN && changed.includes(this.awareness.clientID)) {
      const state = this.awareness.getLocalState()
      this.bridge.updatePresence(this.noteId, this.awareness.clientID, state).catch(() => {})
    }
    if (changed.some(c => c !== this.awareness.clientID)) this.onVisitors(this.visitors())
  }

  close (): void {
    if (this.closed) return
    this.bridge.updatePresence(this.noteId, this.awareness.clientID, null).catch(() => {})
    this.closed = true
    this.awareness.off('update', this.onUpdate)
    this.awareness.destroy()
  }
}

const PALETTE = ['#d9480f', '#2b8a3e', '#1971c2', '#9c36b5', '#c2255c', '#0b7285', '#5f3dc4', '#e67700']

/** A stable colour per name, so a device looks the same everywhere. */
export function colorFor (name: string): string {
  let hash = 0
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0
  return PALETTE[hash % PALETTE.length]
}
