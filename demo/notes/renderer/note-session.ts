import * as Y from 'yjs'
import { NOTE_BODY, type NotesBridge, type NoteSummary } from '../shared/bridge.js'

/** Origin of updates that came from the main side: they are not sent back. */
const FROM_MAIN = Symbol('from-main')

/**
 * The renderer's copy of one open note: its own Y.Doc, fed by the main side's
 * content and `note-update` events, sending every local change back as a Yjs
 * update. Yjs merges in any order, so events that overtake the open reply are
 * simply applied first.
 */
export class NoteSession {
  readonly doc = new Y.Doc()
  private closed = false
  summary: NoteSummary | undefined

  constructor (
    readonly id: string,
    private readonly bridge: NotesBridge,
    private readonly onError: (err: unknown) => void
  ) {
    this.doc.on('update', this.onUpdate)
  }

  get text (): Y.Text {
    return this.doc.getText(NOTE_BODY)
  }

  /** Asks the main side for the note; resolves once its content is in `doc`. */
  async load (): Promise<void> {
    const content = await this.bridge.openNote(this.id)
    this.summary = { id: content.id, title: content.title, preview: content.preview, updatedAt: content.updatedAt }
    this.applyFromMain(content.update)
  }

  applyFromMain (update: Uint8Array): void {
    if (!this.closed) Y.applyUpdate(this.doc, update, FROM_MAIN)
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === FROM_MAIN || this.closed) return
    this.bridge.editNote(this.id, { update }).catch(this.onError)
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.doc.off('update', this.onUpdate)
    this.doc.destroy()
    await this.bridge.closeNote(this.id).catch(() => {})
  }
}
