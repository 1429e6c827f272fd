import type { EditorView } from '@codemirror/view'
import type { NotesBridge, NotesEvent, NotesStatus, NoteSummary } from '../shared/bridge.js'
import { h } from './dom.js'
import { createEditor } from './editor.js'
import { bindShortcuts, type Command } from './keyboard.js'
import { HistoryPanel, describeLastEdit } from './history-panel.js'
import { buildLayout } from './layout.js'
import { NoteSession } from './note-session.js'
import { renderNoteList } from './note-list.js'
import { NotePresence, colorFor, type Visitor } from './presence.js'
import { describeNetwork, describeNote, peerName } from './status-text.js'

/** Below this width the sidebar folds away and slides over the note on demand. */
const NARROW = '(max-width: 720px)'

/**
 * The notes UI: a list, an editor, a sync badge, share and join, search and
 * shortcuts. All state the user cares about lives in the main process; this
 * keeps a copy of the list and status for drawing, and one NoteSession (its
 * own Y.Doc) plus its presence for the note being edited.
 */
export class NotesApp {
  private notes: NoteSummary[] = []
  private status: NotesStatus | undefined
  private session: NoteSession | undefined
  private presence: NotePresence | undefined
  private editor: EditorView | undefined
  private deleteArmed: ReturnType<typeof setTimeout> | undefined
  private search: { query: string, ids: Set<string> } | undefined
  private searchTimer: ReturnType<typeof setTimeout> | undefined
  private emptyReason: string | undefined
  private readonly ui = buildLayout()
  private readonly history: HistoryPanel
  private historyTimer: ReturnType<typeof setTimeout> | undefined
  private lastEditDirty = false
  private readonly cleanups: Array<() => void> = []

  constructor (root: HTMLElement, private readonly bridge: NotesBridge) {
    root.replaceChildren(this.ui.root)
    this.history = new HistoryPanel(bridge, action => { void this.run(action) })
    this.ui.sharePanel.after(this.history.root)
    const clock = setInterval(() => { this.drawList(); this.drawBadge() }, 20_000)
    this.cleanups.push(
      bridge.onEvent(event => { this.onEvent(event) }),
      () => { clearInterval(clock) },
      bindShortcuts(document, command => { this.command(command) })
    )
    const ui = this.ui
    ui.newNote.onclick = () => { this.command('new-note') }
    ui.share.onclick = () => { ui.sharePanel.hidden ? this.command('share') : this.hideShare() }
    ui.closeShare.onclick = () => { this.hideShare() }
    ui.history.onclick = () => {
      void this.run(async () => {
        if (this.history.open || this.session === undefined) { this.history.hide(); return }
        this.hideShare()
        await this.history.show(this.session.id)
      })
    }
    ui.shareNotebook.onclick = () => { void this.run(async () => { await this.showShare(true) }) }
    ui.copy.onclick = () => { void this.copyLink() }
    ui.delete.onclick = () => { void this.run(async () => { await this.deleteCurrent() }) }
    ui.joinForm.onsubmit = event => { event.preventDefault(); void this.run(async () => { await this.join() }) }
    ui.offline.onchange = () => { void this.run(async () => { await bridge.setOffline(ui.offline.checked) }) }
    ui.search.oninput = () => { this.searchSoon() }
    ui.deviceName.onchange = () => { void this.run(async () => { await this.rename() }) }
    ui.deviceName.onkeydown = (event: KeyboardEvent) => { if (event.key === 'Enter') ui.deviceName.blur() }
    ui.toggleSidebar.onclick = () => { this.command('toggle-sidebar') }
  }

  async start (): Promise<void> {
    const [notes, status] = await Promise.all([this.bridge.listNotes(), this.bridge.status()])
    this.notes = notes
    this.status = status
    this.drawAll()
    const wide = !window.matchMedia(NARROW).matches
    if (notes.length > 0 && this.session === undefined && wide) await this.select(notes[0].id)
  }

  /** A shortcut, a button or the Electron menu. */
  command (command: Command): void {
    switch (command) {
      case 'new-note': void this.run(async () => { await this.createNote() }); break
      case 'share': void this.run(async () => { await this.showShare() }); break
      case 'search':
        this.ui.root.classList.add('sidebar-open')
        this.ui.search.focus()
        this.ui.search.select()
        break
      case 'toggle-sidebar': this.ui.root.classList.toggle('sidebar-open'); break
      case 'close-panels': this.closePanels(); break
    }
  }

  /** Escape: the innermost open thing closes (share panel, search, error, the folded-out sidebar). */
  private closePanels (): void {
    if (!this.ui.sharePanel.hidden) {
      this.hideShare()
    } else if (this.history.open) {
      this.history.hide()
    } else if (this.search !== undefined || document.activeElement === this.ui.search) {
      this.ui.search.value = ''
      this.search = undefined
      this.ui.search.blur()
      this.drawList()
    } else if (!this.ui.error.hidden) {
      this.ui.error.hidden = true
    } else if (this.ui.root.classList.contains('sidebar-open')) {
      this.ui.root.classList.remove('sidebar-open')
    } else {
      this.disarmDelete()
      return
    }
    this.editor?.focus()
  }

  private onEvent (event: NotesEvent): void {
    if (event.type === 'notes') {
      this.notes = event.notes
      const open = this.session
      if (open !== undefined && !this.notes.some(n => n.id === open.id)) void this.closeIfDeleted(open)
      if (this.search !== undefined) this.searchSoon()
      this.drawList()
    } else if (event.type === 'status') {
      this.status = event.status
      this.presence?.setName(event.status.deviceName)
      this.drawAll()
    } else if (event.type === 'note-update' && event.id === this.session?.id) {
      this.session.applyFromMain(event.update)
      this.lastEditSoon()
    } else if (event.type === 'command') {
      this.command(event.command)
    } else if (event.type === 'presence' && event.id === this.session?.id) {
      this.presence?.applyFromMain(event.update)
    }
  }

  /**
   * The open note is missing from a list event. The event may simply predate the note (one queued
   * before it was created here), so ask the main side, whose answer is current, before closing it.
   */
  private async closeIfDeleted (session: NoteSession): Promise<void> {
    const notes = await this.bridge.listNotes()
    if (this.session === session && !notes.some(n => n.id === session.id)) {
      await this.closeSession('This note was deleted on another device.')
    }
  }

  async select (id: string): Promise<void> {
    this.ui.root.classList.remove('sidebar-open')
    if (this.session?.id === id) return
    await this.closeSession()
    const session = new NoteSession(id, this.bridge, err => { this.showError(err) })
    this.session = session // before loading: updates that overtake the reply land in its Y.Doc
    await session.load()
    if (this.session !== session) return
    this.ui.editorHost.replaceChildren()
    this.presence = new NotePresence(id, session.doc, this.bridge, this.status?.deviceName ?? 'Me',
      visitors => { this.drawVisitors(visitors) })
    this.editor = createEditor(this.ui.editorHost, session.text, this.presence.awareness)
    this.ui.root.classList.add('has-note')
    this.hideShare()
    session.doc.on('update', () => { this.lastEditSoon() })
    this.drawAll()
    this.drawVisitors([])
    this.lastEditSoon(0)
    this.editor.focus()
  }

  /** The "edited … by …" line, from the note's history: at most every 1.5 s while edits flow, and after the last. */
  private lastEditSoon (delayMs = 1_500): void {
    this.lastEditDirty = true
    if (this.historyTimer !== undefined && delayMs > 0) return
    clearTimeout(this.historyTimer)
    this.historyTimer = setTimeout(() => {
      this.historyTimer = undefined
      this.lastEditDirty = false
      const session = this.session
      if (session === undefined) return
      this.bridge.noteHistory(session.id).then(points => {
        if (this.session === session) this.ui.editedBy.textContent = describeLastEdit(points)
        if (this.lastEditDirty && this.session === session) this.lastEditSoon() // edits while we asked
      }, () => {})
    }, delayMs)
  }

  private async closeSession (reason?: string): Promise<void> {
    const session = this.session
    this.session = undefined
    this.presence?.close()
    this.presence = undefined
    this.editor?.destroy()
    this.editor = undefined
    this.ui.root.classList.remove('has-note')
    this.emptyReason = reason
    this.ui.editedBy.textContent = ''
    this.history.hide()
    this.hideShare()
    this.disarmDelete()
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
    this.history.hide()
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
    this.ui.joinInput.value = '' // at once: joining may wait a few seconds for an offline device
    const joined = await this.bridge.joinLink(link).catch((err: unknown) => {
      this.ui.joinInput.value = link
      throw err
    })
    this.notes = await this.bridge.listNotes()
    this.status = await this.bridge.status()
    this.drawAll()
    if (joined.kind === 'note' && joined.waiting !== true) await this.select(joined.id)
  }

  private async rename (): Promise<void> {
    const name = this.ui.deviceName.value.trim()
    if (name === '' || name === this.status?.deviceName) {
      this.ui.deviceName.value = this.status?.deviceName ?? ''
      return
    }
    await this.bridge.setDeviceName(name)
  }

  private searchSoon (): void {
    clearTimeout(this.searchTimer)
    this.searchTimer = setTimeout(() => {
      const query = this.ui.search.value
      if (query.trim() === '') {
        this.search = undefined
        this.drawList()
        return
      }
      void this.run(async () => {
        const ids = await this.bridge.searchNotes(query)
        if (this.ui.search.value !== query) return
        this.search = { query, ids: new Set(ids) }
        this.drawList()
      })
    }, 80)
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
    this.drawBadge()
    this.drawEmpty()
  }

  private drawList (): void {
    renderNoteList(this.ui.list, this.notes, this.session?.id, this.status, {
      select: id => { void this.run(async () => { await this.select(id) }) },
      cancelJoin: id => { void this.run(async () => { await this.bridge.cancelJoin(id) }) }
    }, this.search)
  }

  private drawNetwork (): void {
    const { label, tone } = describeNetwork(this.status)
    this.ui.network.className = `network ${tone}`
    this.ui.network.textContent = label
    this.ui.offline.checked = this.status?.offline ?? false
    if (document.activeElement !== this.ui.deviceName) this.ui.deviceName.value = this.status?.deviceName ?? ''
    this.ui.deviceName.title = this.status?.addresses.join('\n') ?? ''
    const peers = this.status?.connectedPeers ?? []
    this.ui.peers.replaceChildren(...(peers.length === 0
      ? [h('span', { class: 'muted' }, 'No other device connected')]
      : [h('span', { class: 'muted' }, 'Connected: '), ...peers.map(p => {
          const name = peerName(this.status, p)
          return h('span', { class: 'peer-chip', 'data-testid': 'peer', title: p },
            h('span', { class: 'swatch', style: `background:${colorFor(name)}` }), name)
        })]))
  }

  private drawBadge (): void {
    const id = this.session?.id
    const state = id === undefined ? undefined : this.status?.notes[id]
    const { label, tone, pending } = describeNote(state, this.status?.offline ?? false)
    this.ui.badge.className = `badge ${tone}`
    this.ui.badge.textContent = label
    const confirmed = state?.confirmedAt
    this.ui.badge.title = confirmed === undefined
      ? 'No other device has confirmed this note yet'
      : `Last confirmed by another device at ${new Date(confirmed).toLocaleString()}`
    this.ui.pending.textContent = pending
    this.ui.pending.hidden = pending === ''
  }

  private drawVisitors (visitors: Visitor[]): void {
    this.ui.visitors.replaceChildren(...visitors.map(v =>
      h('span', { class: 'visitor', 'data-testid': 'visitor', style: `--c:${v.color}`, title: `${v.name} is here` },
        v.name)))
  }

  private drawEmpty (): void {
    this.ui.emptyMessage.replaceChildren(...(this.notes.length === 0
      ? [h('h2', {}, 'Your notebook is empty'),
          h('p', {}, 'Press Ctrl+N (⌘N on a Mac) to write your first note. Notes are saved on this device as you ' +
            'type and work offline.'),
          h('p', {}, 'Have notes on another device? Share its notebook there and paste the link under "Join".')]
      : [h('h2', {}, this.emptyReason ?? 'No note open'),
          h('p', {}, 'Pick a note on the left, press Ctrl+N for a new one, or Ctrl+K to search.')]))
  }

  async destroy (): Promise<void> {
    for (const cleanup of this.cleanups.splice(0)) cleanup()
    clearTimeout(this.searchTimer)
    clearTimeout(this.historyTimer)
    await this.closeSession()
  }
}
