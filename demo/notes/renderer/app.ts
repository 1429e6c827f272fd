import type { EditorView } from '@codemirror/view'
import type { NotesBridge, NotesEvent, NotesStatus, NoteSummary } from '../shared/bridge.js'
import { noteTitle } from '../shared/note-title.js'
import { h } from './dom.js'
import { createEditor } from './editor.js'
import { NoteSession } from './note-session.js'
import { renderNoteList } from './note-list.js'
import { describeNetwork, describeNote, shortPeerId } from './status-text.js'

/**
 * The notes UI: a list, an editor, a status badge, share and join. All state
 * the user cares about lives in the main process; this keeps a copy of the
 * list and status for drawing, and one NoteSession (its own Y.Doc) for the
 * note being edited.
 */
export class NotesApp {
  private notes: NoteSummary[] = []
  private status: NotesStatus | undefined
  private session: NoteSession | undefined
  private editor: EditorView | undefined
  private deleteArmed: ReturnType<typeof setTimeout> | undefined
  private readonly ui = buildLayout()
  private readonly unsubscribe: () => void
  private readonly clock: ReturnType<typeof setInterval>

  constructor (root: HTMLElement, private readonly bridge: NotesBridge) {
    root.replaceChildren(this.ui.root)
    this.unsubscribe = bridge.onEvent(event => { this.onEvent(event) })
    this.clock = setInterval(() => { this.drawList() }, 30_000)
    this.ui.newNote.onclick = () => { void this.run(async () => { await this.createNote() }) }
    this.ui.share.onclick = () => {
      void this.run(async () => {
        if (this.ui.sharePanel.hidden) await this.showShare()
        else this.hideShare()
      })
    }
    this.ui.closeShare.onclick = () => { this.hideShare() }
    this.ui.shareNotebook.onclick = () => { void this.run(async () => { await this.showShare(true) }) }
    this.ui.copy.onclick = () => { void this.copyLink() }
    this.ui.delete.onclick = () => { void this.run(async () => { await this.deleteCurrent() }) }
    this.ui.joinForm.onsubmit = event => { event.preventDefault(); void this.run(async () => { await this.join() }) }
    this.ui.offline.onchange = () => { void this.run(async () => { await bridge.setOffline(this.ui.offline.checked) }) }
  }

  async start (): Promise<void> {
    const [notes, status] = await Promise.all([this.bridge.listNotes(), this.bridge.status()])
    this.notes = notes
    this.status = status
    this.drawAll()
    if (notes.length > 0 && this.session === undefined) await this.select(notes[0].id)
  }

  private onEvent (event: NotesEvent): void {
    if (event.type === 'notes') {
      this.notes = event.notes
      if (this.session !== undefined && !this.notes.some(n => n.id === this.session?.id)) {
        void this.closeSession('This note was deleted on another device.')
      }
      this.drawList()
    } else if (event.type === 'status') {
      this.status = event.status
      this.drawAll()
    } else if (event.type === 'note-update' && event.id === this.session?.id) {
      this.session.applyFromMain(event.update)
    }
  }

  async select (id: string): Promise<void> {
    if (this.session?.id === id) return
    await this.closeSession()
    const session = new NoteSession(id, this.bridge, err => { this.showError(err) })
    this.session = session // before loading: updates that overtake the reply land in its Y.Doc
    await session.load()
    if (this.session !== session) return
    this.ui.editorHost.replaceChildren()
    this.editor = createEditor(this.ui.editorHost, session.text)
    session.doc.on('update', () => { this.drawTitle() })
    this.ui.root.classList.add('has-note')
    this.hideShare()
    this.drawAll()
    this.editor.focus()
  }

  private async closeSession (message?: string): Promise<void> {
    const session = this.session
    this.session = undefined
    this.editor?.destroy()
    this.editor = undefined
    this.ui.root.classList.remove('has-note')
    this.ui.emptyMessage.textContent = message ?? 'Pick a note, or start a new one.'
    this.hideShare()
    this.drawAll()
    await session?.close()
  }

  private async createNote (): Promise<void> {
    const note = await this.bridge.createNote()
    if (!this.notes.some(n => n.id === note.id)) this.notes = [note, ...this.notes]
    this.drawList()
    await this.select(note.id)
  }

  private async deleteCurrent (): Promise<void> {
    const session = this.session
    if (session === undefined) return
    if (this.deleteArmed === undefined) {
      this.ui.delete.textContent = 'Really delete?'
      this.ui.delete.classList.add('armed')
      this.deleteArmed = setTimeout(() => { this.disarmDelete() }, 3_000)
      return
    }
    this.disarmDelete()
    await this.closeSession()
    await this.bridge.deleteNote(session.id)
  }

  private disarmDelete (): void {
    clearTimeout(this.deleteArmed)
    this.deleteArmed = undefined
    this.ui.delete.textContent = 'Delete'
    this.ui.delete.classList.remove('armed')
  }

  private async showShare (notebook = false): Promise<void> {
    const link = await this.bridge.shareLink(notebook ? undefined : this.session?.id)
    this.ui.shareLink.value = link
    this.ui.shareWhat.textContent = notebook ? 'Link to the whole notebook' : 'Link to this note'
    this.ui.sharePanel.hidden = false
    this.ui.shareLink.select()
  }

  private hideShare (): void {
    this.ui.sharePanel.hidden = true
  }

  private async copyLink (): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.ui.shareLink.value)
      this.ui.copy.textContent = 'Copied'
    } catch {
      this.ui.shareLink.select()
      this.ui.copy.textContent = 'Press Ctrl+C'
    }
    setTimeout(() => { this.ui.copy.textContent = 'Copy' }, 1_500)
  }

  private async join (): Promise<void> {
    const link = this.ui.joinInput.value.trim()
    if (link === '') return
    const joined = await this.bridge.joinLink(link)
    this.ui.joinInput.value = ''
    this.notes = await this.bridge.listNotes()
    this.drawList()
    if (joined.kind === 'note') await this.select(joined.id)
  }

  /** Runs a UI action; a failure is shown, not thrown. */
  private async run (action: () => Promise<void>): Promise<void> {
    try {
      this.ui.error.hidden = true
      await action()
    } catch (err) {
      this.showError(err)
    }
  }

  private showError (err: unknown): void {
    const message = err instanceof Error ? err.message : String(err)
    this.ui.error.textContent = message.replace(/^Error invoking remote method '[^']+': (Error: )?/, '')
    this.ui.error.hidden = false
  }

  // ---- drawing -------------------------------------------------------------------

  private drawAll (): void {
    this.drawList()
    this.drawNetwork()
    this.drawTitle()
    this.drawBadge()
  }

  private drawList (): void {
    renderNoteList(this.ui.list, this.notes, this.session?.id, this.status, id => {
      void this.run(async () => { await this.select(id) })
    })
  }

  private drawNetwork (): void {
    const { label, tone } = describeNetwork(this.status)
    this.ui.network.className = `network ${tone}`
    this.ui.network.textContent = label
    this.ui.offline.checked = this.status?.offline ?? false
    this.ui.peer.textContent = this.status === undefined ? '' : `This device: ${shortPeerId(this.status.peerId)}`
    this.ui.peer.title = this.status?.addresses.join('\n') ?? ''
  }

  private drawTitle (): void {
    const session = this.session
    const title = session === undefined ? '' : noteTitle(session.text.toString())
    this.ui.title.textContent = session === undefined ? '' : title === '' ? 'Untitled' : title
  }

  private drawBadge (): void {
    const id = this.session?.id
    const state = id === undefined ? undefined : this.status?.notes[id]
    const { label, tone, pending } = describeNote(state, this.status?.offline ?? false)
    this.ui.badge.className = `badge ${tone}`
    this.ui.badge.textContent = label
    this.ui.pending.textContent = pending
    this.ui.pending.hidden = pending === ''
  }

  async destroy (): Promise<void> {
    clearInterval(this.clock)
    this.unsubscribe()
    await this.closeSession()
  }
}

function buildLayout () {
  const ui = {
    newNote: h('button', { class: 'primary', 'data-testid': 'new-note' }, '+ New note'),
    network: h('div', { class: 'network', 'data-testid': 'network' }),
    list: h('ul', { class: 'note-list', 'data-testid': 'note-list' }),
    joinInput: h('input', {
      type: 'text',
      placeholder: 'Paste a weft:// link',
      'aria-label': 'Link to join',
      'data-testid': 'join-input',
      spellcheck: 'false'
    }),
    joinForm: h('form', { class: 'join' }),
    offline: h('input', { type: 'checkbox', 'data-testid': 'offline-toggle' }),
    peer: h('div', { class: 'peer', 'data-testid': 'peer' }),
    title: h('h2', { class: 'note-title', 'data-testid': 'note-title' }),
    badge: h('span', { class: 'badge', 'data-testid': 'sync-badge' }),
    pending: h('span', { class: 'pending', 'data-testid': 'pending', hidden: true }),
    share: h('button', { 'data-testid': 'share' }, 'Share'),
    delete: h('button', { class: 'danger', 'data-testid': 'delete' }, 'Delete'),
    sharePanel: h('div', { class: 'share-panel', 'data-testid': 'share-panel', hidden: true }),
    shareWhat: h('span', { class: 'share-what' }),
    shareLink: h('input', { type: 'text', readonly: true, 'data-testid': 'share-link', 'aria-label': 'Share link' }),
    copy: h('button', {}, 'Copy'),
    shareNotebook: h('button', { class: 'link' }, 'Share the whole notebook'),
    closeShare: h('button', { class: 'close', 'aria-label': 'Close' }, '×'),
    editorHost: h('div', { class: 'editor', 'data-testid': 'editor' }),
    emptyMessage: h('p', {}, 'Pick a note, or start a new one.'),
    error: h('div', { class: 'error', role: 'alert', 'data-testid': 'error', hidden: true }),
    root: h('div', { class: 'app' })
  }
  ui.joinForm.append(ui.joinInput, h('button', { type: 'submit', 'data-testid': 'join' }, 'Join'))
  ui.sharePanel.append(
    h('div', { class: 'share-head' }, ui.shareWhat, ui.closeShare),
    h('div', { class: 'share-row' }, ui.shareLink, ui.copy),
    h('div', { class: 'share-foot' }, ui.shareNotebook, h('span', {}, 'Anyone with the link can read and edit.'))
  )
  ui.root.append(
    h('aside', { class: 'sidebar' },
      h('header', {}, h('h1', {}, 'weft notes'), ui.network),
      ui.newNote,
      ui.list,
      h('footer', {}, ui.joinForm, h('label', { class: 'toggle' }, ui.offline, 'Work offline'), ui.peer)
    ),
    h('main', { class: 'pane' },
      h('div', { class: 'toolbar' },
        ui.title,
        h('div', { class: 'status' }, ui.badge, ui.pending),
        h('div', { class: 'actions' }, ui.share, ui.delete)
      ),
      ui.sharePanel,
      ui.error,
      ui.editorHost,
      h('div', { class: 'empty' }, ui.emptyMessage)
    )
  )
  return ui
}
