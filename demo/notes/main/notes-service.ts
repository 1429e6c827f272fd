/**
 * The notes app's main-process side: one weft peer, a notebook (the list) and
 * one weft document per note. Platform-free Node code: Electron's main process
 * only forwards IPC to it (electron/main.ts), and the tests drive it directly.
 *
 * Local-first: every operation works against the local LevelDB replica and
 * returns without waiting for the network. Peers this device has shared notes
 * with are remembered and redialled, so edits made apart merge as soon as a
 * peer reappears.
 */
import { join } from 'node:path'
import { hostname } from 'node:os'
import * as Y from 'yjs'
import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { createWeft, REMOTE_ORIGIN, type DocHandle, type Weft, type WeftOptions } from '../../../src/index.js'
import { networkKnobs, normalizeOptions } from '../../../src/options.js'
import {
  NOTE_BODY, type HistoryPoint, type JoiningNote, type JoinResult, type NoteContent, type NoteEdit, type NotesEvent,
  type NotesStatus, type NoteSummary, type NoteSyncState
} from '../shared/bridge.js'
import { notePreview, noteTitle } from '../shared/note-title.js'
import { formatLink, parseLink } from '../shared/links.js'
import { AppStateFile, MAX_NAME } from './app-state.js'
import { lockDataDir } from './data-dir-lock.js'
import { PresenceRelay } from './presence-relay.js'
import { historyPoints } from './history.js'
import { Notebook } from './notebook.js'
import { offlineGate } from './offline-gate.js'
import { Reconnector, type ReconnectorOptions } from './reconnector.js'

const log = logger('weft:notes')

/** Origin of updates that came from the renderer's Y.Doc: not echoed back to it. */
const FROM_RENDERER = Symbol('notes:renderer')
/** Origin of edits made here (text splices, a new note's first text). */
const LOCAL_EDIT = Symbol('notes:local')

export interface NotesServiceOptions {
  /**
   * Where this device keeps its notes: the engine's LevelDB in `<dataDir>/weft`, app state in
   * `<dataDir>/notes.json`.
   */
  dataDir: string
  /** Interface to listen on. Default '0.0.0.0' (reachable on the LAN). */
  host?: string
  /** TCP port. Default: the port used last time (so peers that remember this device find it again), else any. */
  port?: number
  /**
   * Extra engine options (tests: loopback tuning, beacon interval, a partition gater). `dataDir`
   * and `listen` are set here.
   */
  weft?: WeftOptions
  reconnect?: ReconnectorOptions
  /** A local edit updates the note's list entry at most this often. Default 1 000 ms. */
  touchIntervalMs?: number
  /** How long joining a note by link waits for its content before listing it as "waiting". Default 3 000 ms. */
  joinWaitMs?: number
}

interface OpenNote {
  handle: DocHandle
  detach: () => void
  touchTimer?: ReturnType<typeof setTimeout>
  touchPending?: boolean
  titleTimer?: ReturnType<typeof setTimeout>
  /** Peers a sync round finished with while they replicated the note (they hold it, even empty). */
  syncedWith: Set<string>
}

export class NotesService {
  private readonly notes = new Map<string, OpenNote>()
  private readonly opening = new Map<string, Promise<OpenNote>>()
  /** Notes the renderer has open: their changes are pushed as `note-update` events. */
  private readonly watched = new Set<string>()
  private readonly listeners = new Set<(event: NotesEvent) => void>()
  private readonly timers = new Map<'status' | 'notes' | 'peers' | 'confirmed', ReturnType<typeof setTimeout>>()
  /** Confirmation times not yet written to notes.json. */
  private readonly confirmations = new Map<string, number>()
  /** Presence of the renderer in the notes it has open. */
  private readonly presence = new Map<string, PresenceRelay>()
  private notebook!: Notebook
  private detachNotebook: () => void = () => {}
  private offline = false
  private stopping: Promise<void> | undefined
  private reconnector!: Reconnector
  private readonly touchIntervalMs: number
  private readonly joinWaitMs: number
  private unlock: () => Promise<void> = async () => {}

  private constructor (readonly weft: Weft, private readonly state: AppStateFile, options: NotesServiceOptions) {
    this.touchIntervalMs = options.touchIntervalMs ?? 1_000
    this.joinWaitMs = options.joinWaitMs ?? 3_000
  }

  /**
   * Starts the weft peer on `dataDir` and opens the notebook and every note in it. Rejects with a
   * DataDirInUseError while another app runs on the same data dir.
   */
  static async start (options: NotesServiceOptions): Promise<NotesService> {
    const unlock = await lockDataDir(options.dataDir)
    try {
      const service = await NotesService.startLocked(options)
      service.unlock = unlock
      return service
    } catch (err) {
      await unlock()
      throw err
    }
  }

  private static async startLocked (options: NotesServiceOptions): Promise<NotesService> {
    const state = await AppStateFile.load(join(options.dataDir, 'notes.json'))
    // eslint-disable-next-line prefer-const -- the gate's closure reads it before it is assigned
    let service: NotesService | undefined
    const gate = offlineGate(() => service?.offline ?? false, networkKnobs(options.weft ?? {}).connectionGater)
    const weftOptions = (port: number): WeftOptions => ({
      ...normalizeOptions(options.weft ?? {}),
      dataDir: join(options.dataDir, 'weft'),
      listen: [`/ip4/${options.host ?? '0.0.0.0'}/tcp/${port}`],
      network: { ...networkKnobs(options.weft ?? {}), connectionGater: gate }
    })
    const remembered = options.port === undefined ? state.current.port : undefined
    let weft: Weft
    try {
      weft = await createWeft(weftOptions(options.port ?? remembered ?? 0))
    } catch (err) {
      if (remembered === undefined) throw err
      log('port %d is taken (%s): listening on another one', remembered, (err as Error).message)
      weft = await createWeft(weftOptions(0))
    }
    service = new NotesService(weft, state, options)
    try {
      await service.init(options)
    } catch (err) {
      await weft.stop()
      throw err
    }
    return service
  }

  private async init (options: NotesServiceOptions): Promise<void> {
    const notebookHandle = this.state.current.notebookId !== undefined
      ? await this.weft.open(this.state.current.notebookId)
      : await this.weft.create()
    const port = listenPort(this.weft.multiaddrs)
    await this.state.update(s => { s.notebookId = notebookHandle.id; if (port !== undefined) s.port = port })
    this.useNotebook(new Notebook(notebookHandle))
    await Promise.all(this.notebook.list().map(async note => await this.ensureOpen(note.id)))
    await Promise.all(Object.keys(this.state.current.joins).map(async id => await this.ensureOpen(id)))
    await this.forgetDeleted()

    this.weft.on('connections', this.onConnections)
    this.reconnector = new Reconnector(
      this.weft,
      () => Object.entries(this.state.current.peers).map(([id, peer]) => ({ id, addresses: peer.addresses })),
      () => this.offline || this.stopping !== undefined,
      options.reconnect
    )
    this.reconnector.start()
    log('notes started as %s with %d notes', this.weft.peerId, this.notebook.list().length)
  }

  // ---- events ----------------------------------------------------------------

  /** Listens to everything the renderer is told; returns the unsubscribe function. */
  onEvent (listener: (event: NotesEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  private emit (event: NotesEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (err) {
        log.error('event listener failed: %e', err)
      }
    }
  }

  /** Coalesces bursts (a sync applying hundreds of updates) into one event. */
  private soon (what: 'status' | 'notes' | 'peers' | 'confirmed', run: () => void, delayMs = 30): void {
    if (this.timers.has(what) || this.stopping !== undefined) return
    this.timers.set(what, setTimeout(() => { this.timers.delete(what); run() }, delayMs))
  }

  private readonly statusChanged = (): void => {
    this.soon('status', () => { this.emit({ type: 'status', status: this.status() }) })
  }

  private readonly listChanged = (): void => {
    this.soon('notes', () => { this.emit({ type: 'notes', notes: this.listNotes() }) })
  }

  private readonly onConnections = (): void => {
    this.statusChanged()
  }

  // ---- notebook and notes -------------------------------------------------------

  private useNotebook (notebook: Notebook): void {
    this.detachNotebook()
    this.notebook = notebook
    notebook.setDeviceName(this.weft.peerId, notebook.handle.author, this.deviceName) // how the others name us
    const offChange = notebook.onChange(({ added, removed, updated }) => {
      for (const id of added) void this.ensureOpen(id).catch(err => { log.error('cannot open note %s: %e', id, err) })
      for (const id of removed) {
        if (notebook.isDeleted(id)) void this.forgetNote(id)
        else if (!notebook.has(id)) void this.closeNoteDoc(id)
      }
      // Two devices that edited a note apart both rewrote its entry; the merged entry may carry
      // the title of one side's text while the merged text says otherwise: check again shortly.
      for (const id of [...added, ...updated]) {
        const note = this.notes.get(id)
        if (note !== undefined) this.checkTitleLater(note)
      }
      this.listChanged()
      this.statusChanged()
    })
    const handle = notebook.handle
    handle.on('status', this.statusChanged)
    handle.on('delivery', this.statusChanged)
    handle.on('peers', this.onReplicatingPeers)
    const onNames = (): void => { this.statusChanged() }
    handle.doc.getMap('devices').observe(onNames)
    this.detachNotebook = () => {
      offChange()
      handle.doc.getMap('devices').unobserve(onNames)
      handle.off('status', this.statusChanged)
      handle.off('delivery', this.statusChanged)
      handle.off('peers', this.onReplicatingPeers)
    }
  }

  private async ensureOpen (id: string): Promise<OpenNote> {
    const open = this.notes.get(id)
    if (open !== undefined) return open
    let opening = this.opening.get(id)
    if (opening === undefined) {
      opening = this.openNoteDoc(id).finally(() => this.opening.delete(id))
      this.opening.set(id, opening)
    }
    return await opening
  }

  private async openNoteDoc (id: string): Promise<OpenNote> {
    const handle = await this.weft.open(id)
    const note: OpenNote = { handle, detach: () => {}, syncedWith: new Set() }
    const onUpdate = (update: Uint8Array, origin: unknown): void => {
      if (this.watched.has(id) && origin !== FROM_RENDERER) this.emit({ type: 'note-update', id, update })
      if (origin === REMOTE_ORIGIN && this.state.current.joins[id] !== undefined) void this.arrived(note)
      if (origin === REMOTE_ORIGIN) this.checkTitleLater(note)
      else this.touch(note)
    }
    const onDelivery = (): void => { this.noteConfirmation(handle); this.statusChanged() }
    const onSynced = (peer: string): void => {
      if (handle.peers.includes(peer)) note.syncedWith.add(peer)
      // A note that is empty on its holder has no content to wait for: the holder's answer is the arrival.
      if (this.heldByHolder(note)) void this.arrived(note)
      onDelivery()
    }
    handle.doc.on('update', onUpdate)
    handle.on('status', onDelivery)
    handle.on('delivery', onDelivery)
    handle.on('synced', onSynced)
    handle.on('peers', this.onReplicatingPeers)
    note.detach = () => {
      handle.doc.off('update', onUpdate)
      handle.off('status', onDelivery)
      handle.off('delivery', onDelivery)
      handle.off('synced', onSynced)
      handle.off('peers', this.onReplicatingPeers)
      clearTimeout(note.touchTimer)
      clearTimeout(note.titleTimer)
    }
    this.notes.set(id, note)
    this.statusChanged()
    return note
  }

  private async closeNoteDoc (id: string): Promise<void> {
    const note = this.notes.get(id)
    if (note === undefined) return
    this.notes.delete(id)
    this.watched.delete(id)
    this.presence.get(id)?.destroy()
    this.presence.delete(id)
    note.detach()
    await note.handle.close()
    this.statusChanged()
  }

  /** A deleted note (tombstone, here or from another device): close its document and remove it from the store. */
  private async forgetNote (id: string): Promise<void> {
    await this.opening.get(id)?.catch(() => {})
    await this.closeNoteDoc(id)
    if (this.stopping !== undefined) return
    await this.weft.forget(id).catch(err => { log.error('cannot forget note %s: %e', id, err) })
    await this.state.update(s => { delete s.confirmed[id] })
  }

  /** Notes deleted while this device was away, or before a crash finished forgetting them. */
  private async forgetDeleted (): Promise<void> {
    const stored = new Set(await this.weft.storedDocuments())
    for (const id of this.notebook.deletedIds()) if (stored.has(id)) await this.forgetNote(id)
  }

  /**
   * Another device now holds every local change of this note: remember when (what "last synced"
   * shows). Written to notes.json at most once a second for all notes together (a reconnect
   * confirms every note at once).
   */
  private noteConfirmation (handle: DocHandle): void {
    if (handle.closed || handle.unconfirmed > 0 || handle.status !== 'synced') return
    this.confirmations.set(handle.id, Date.now())
    this.soon('confirmed', () => {
      const confirmed = [...this.confirmations]
      this.confirmations.clear()
      void this.state.update(s => { for (const [id, at] of confirmed) s.confirmed[id] = at }).catch(() => {})
    }, 1_000)
  }

  /** A local edit: refresh the list entry now, then at most once per interval while typing goes on. */
  private touch (note: OpenNote): void {
    note.touchPending = true
    if (note.touchTimer !== undefined) return
    this.writeEntry(note)
    note.touchTimer = setTimeout(() => {
      note.touchTimer = undefined
      if (note.touchPending === true) this.touch(note)
    }, this.touchIntervalMs)
  }

  private writeEntry (note: OpenNote): void {
    note.touchPending = false
    const id = note.handle.id
    if (!this.notebook.has(id) || this.stopping !== undefined) return
    this.notebook.set({ id, ...describeBody(note.handle), updatedAt: Date.now() })
  }

  /**
   * After a remote edit or a list change: the author of an edit updates the
   * list entry itself, so only fix the title if, a moment later, it still
   * disagrees with the text (a note joined by link outside a shared notebook,
   * or concurrent edits whose entries merged last-writer-wins). Every device
   * computes the same title from the same merged text, so this settles.
   * Remote edits never re-add a deleted note.
   */
  private checkTitleLater (note: OpenNote): void {
    if (note.titleTimer !== undefined) return
    note.titleTimer = setTimeout(() => {
      note.titleTimer = undefined
      const entry = this.notebook.get(note.handle.id)
      const { title, preview } = describeBody(note.handle)
      const stale = entry !== undefined && (entry.title !== title || entry.preview !== preview)
      if (stale && this.stopping === undefined) this.notebook.set({ ...entry, title, preview, updatedAt: Date.now() })
    }, this.touchIntervalMs + 500)
  }

  private noteInNotebook (id: string): OpenNote {
    const note = this.notes.get(id)
    if (note === undefined || !this.notebook.has(id)) throw new Error(`no note ${id}`)
    return note
  }

  listNotes (): NoteSummary[] {
    return this.notebook.list()
  }

  // ---- history ---------------------------------------------------------------------

  async noteHistory (id: string): Promise<HistoryPoint[]> {
    const { handle } = this.noteInNotebook(id)
    return historyPoints(await handle.history(), author => this.notebook.authorName(author), handle.author)
  }

  async noteVersion (id: string, time: number): Promise<string> {
    const old = await this.noteInNotebook(id).handle.versionAt(time)
    try {
      return old.getText(NOTE_BODY).toString()
    } finally {
      old.destroy()
    }
  }

  /** The text as it was at `time` replaces today's, as one ordinary edit that syncs like any other. */
  async restoreVersion (id: string, time: number): Promise<void> {
    const text = await this.noteVersion(id, time)
    const { handle } = this.noteInNotebook(id)
    const body = handle.doc.getText(NOTE_BODY)
    if (body.toString() === text) return
    handle.doc.transact(() => {
      body.delete(0, body.length)
      body.insert(0, text)
    }, LOCAL_EDIT)
    await handle.flush()
  }

  searchNotes (query: string): string[] {
    const needle = query.trim().toLocaleLowerCase()
    return this.notebook.list().filter(note => {
      if (needle === '' || note.title.toLocaleLowerCase().includes(needle)) return true
      const handle = this.notes.get(note.id)?.handle
      return handle !== undefined && bodyOf(handle).toLocaleLowerCase().includes(needle)
    }).map(note => note.id)
  }

  async createNote (text = ''): Promise<NoteSummary> {
    const handle = await this.weft.create()
    const note = await this.ensureOpen(handle.id)
    if (text !== '') handle.doc.transact(() => { handle.doc.getText(NOTE_BODY).insert(0, text) }, LOCAL_EDIT)
    const summary = { id: handle.id, title: noteTitle(text), preview: notePreview(text), updatedAt: Date.now() }
    this.notebook.set(summary)
    clearTimeout(note.touchTimer) // the first text is in the entry already
    note.touchTimer = undefined
    await Promise.all([handle.flush(), this.notebook.handle.flush()])
    return summary
  }

  async openNote (id: string): Promise<NoteContent> {
    const note = this.noteInNotebook(id)
    this.watched.add(id)
    const summary = this.notebook.get(id) as NoteSummary
    return { ...summary, update: Y.encodeStateAsUpdate(note.handle.doc) }
  }

  async closeNote (id: string): Promise<void> {
    this.watched.delete(id)
    this.presence.get(id)?.destroy()
    this.presence.delete(id)
  }

  /** The note's text as the main side has it. */
  noteText (id: string): string {
    return bodyOf(this.noteInNotebook(id).handle)
  }

  /** Applies an edit and resolves once it is durable in the local store. */
  async editNote (id: string, edit: NoteEdit): Promise<void> {
    const { handle } = this.noteInNotebook(id)
    if ('update' in edit) {
      Y.applyUpdate(handle.doc, edit.update, FROM_RENDERER)
    } else {
      const { index, remove, insert } = edit.splice
      const body = handle.doc.getText(NOTE_BODY)
      if (index < 0 || remove < 0 || index + remove > body.length) {
        throw new RangeError(`splice ${index}+${remove} outside a text of ${body.length}`)
      }
      handle.doc.transact(() => {
        if (remove > 0) body.delete(index, remove)
        if (insert !== '') body.insert(index, insert)
      }, LOCAL_EDIT)
    }
    await handle.flush()
  }

  /** Deletes a note on every device: a tombstone in the notebook; each device then forgets the note's document. */
  async deleteNote (id: string): Promise<void> {
    this.noteInNotebook(id)
    this.notebook.delete(id, this.weft.peerId) // the notebook observer closes and forgets the note's document
    await this.notebook.handle.flush()
  }

  // ---- presence and device names ---------------------------------------------------

  get deviceName (): string {
    return this.state.current.deviceName ?? (hostname().slice(0, MAX_NAME) || 'This device')
  }

  async setDeviceName (name: string): Promise<void> {
    const trimmed = name.trim().slice(0, MAX_NAME)
    if (trimmed === '') throw new Error('a device name cannot be empty')
    await this.state.update(s => { s.deviceName = trimmed })
    this.notebook.setDeviceName(this.weft.peerId, this.notebook.handle.author, trimmed)
    this.statusChanged()
  }

  /** The renderer's presence in a note it has open; relayed to the other devices in that note. */
  updatePresence (id: string, clientId: number, state: Record<string, unknown> | null): void {
    if (!this.watched.has(id)) throw new Error(`note ${id} is not open`)
    let relay = this.presence.get(id)
    if (relay !== undefined && (relay.clientId !== clientId || state === null)) {
      relay.destroy() // nulls the state; the channel's stop tells the others
      this.presence.delete(id)
      relay = undefined
    }
    if (state === null) return
    if (relay === undefined) {
      relay = new PresenceRelay(this.weft, id, clientId, update => {
        if (this.watched.has(id)) this.emit({ type: 'presence', id, update })
      })
      this.presence.set(id, relay)
    }
    relay.setLocal(state)
  }

  // ---- sharing -------------------------------------------------------------------

  async shareLink (id?: string): Promise<string> {
    if (id !== undefined) this.noteInNotebook(id)
    return formatLink({
      kind: id === undefined ? 'notebook' : 'note',
      docId: id ?? this.notebook.id,
      peers: this.weft.multiaddrs,
      from: this.deviceName
    })
  }

  /**
   * Opens what a link points to. A note is added to this notebook. A notebook
   * replaces this device's notebook, after copying this device's notes into it,
   * so joining never loses a note. Peers in the link are remembered and dialled;
   * offline, the join still succeeds and syncs once they are reachable.
   */
  async joinLink (link: string): Promise<JoinResult> {
    const { kind, docId, peers, from } = parseLink(link)
    await this.rememberAddresses(peers)
    const dialled = this.dialNow(peers)
    if (kind === 'note') {
      if (this.notebook.isDeleted(docId)) throw new Error('this note was deleted from the notebook')
      const note = await this.ensureOpen(docId)
      if (!this.notebook.has(docId) && !hasContent(note.handle)) {
        const holders = peerIdsOf(peers).filter(p => p !== this.weft.peerId)
        await this.state.update(s => {
          s.joins[docId] ??= { holders, since: Date.now(), ...(from === undefined ? {} : { holderName: from }) }
        })
        await dialled
        await this.contentOf(note, this.joinWaitMs)
      }
      if (hasContent(note.handle) || this.notebook.has(docId) || this.heldByHolder(note)) {
        await this.arrived(note)
      } else {
        this.statusChanged()
        return { kind, id: docId, waiting: true }
      }
    } else if (docId !== this.notebook.id) {
      const previous = this.notebook
      const joined = new Notebook(await this.weft.open(docId))
      for (const note of previous.list()) if (!joined.has(note.id)) joined.set(note)
      await this.state.update(s => { s.notebookId = docId })
      this.useNotebook(joined)
      await previous.handle.close()
      await Promise.all(joined.list().map(async note => await this.ensureOpen(note.id)))
      for (const id of [...this.notes.keys()]) {
        if (!joined.has(id) && this.state.current.joins[id] === undefined) await this.closeNoteDoc(id)
      }
      this.listChanged()
    }
    await dialled
    return { kind, id: docId }
  }

  /** Resolves once the document holds something from the network or a holder answered, or after `ms`. */
  private async contentOf (note: OpenNote, ms: number): Promise<void> {
    const { handle } = note
    // The notebook entry: the note already arrived (a holder's answer handled in openNoteDoc).
    const here = (): boolean => hasContent(handle) || this.heldByHolder(note) || this.notebook.has(handle.id)
    if (here()) return
    await new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        handle.doc.off('update', check)
        handle.off('synced', check)
        resolve()
      }
      const check = (): void => { if (here()) done() }
      const timer = setTimeout(done, ms)
      handle.doc.on('update', check)
      handle.on('synced', check)
    })
  }

  /** A waiting join whose holder (a peer named in the link) finished a sync round on the note with us. */
  private heldByHolder (note: OpenNote): boolean {
    const join = this.state.current.joins[note.handle.id]
    return join !== undefined && join.holders.some(p => note.syncedWith.has(p))
  }

  /** A joined note's content is here: it joins the notebook (unless deleted meanwhile). */
  private async arrived (note: OpenNote): Promise<void> {
    const id = note.handle.id
    if (this.stopping !== undefined) return
    if (!this.notebook.has(id) && !this.notebook.isDeleted(id)) {
      this.notebook.set({ id, ...describeBody(note.handle), updatedAt: Date.now() })
    }
    this.checkTitleLater(note)
    if (this.state.current.joins[id] !== undefined) await this.state.update(s => { delete s.joins[id] })
    this.statusChanged()
  }

  /** Stops waiting for a joined note that has not arrived, and forgets what little of it is here. */
  async cancelJoin (id: string): Promise<void> {
    if (this.state.current.joins[id] === undefined) throw new Error(`not waiting for note ${id}`)
    await this.state.update(s => { delete s.joins[id] })
    if (!this.notebook.has(id)) {
      await this.closeNoteDoc(id)
      await this.weft.forget(id)
    }
    this.statusChanged()
  }

  private async rememberAddresses (addresses: string[]): Promise<void> {
    const byPeer = new Map<string, string[]>()
    for (const address of addresses) {
      try {
        const peer = multiaddr(address).getComponents().findLast(c => c.name === 'p2p')?.value
        if (peer === undefined || peer === this.weft.peerId) continue
        byPeer.set(peer, [...(byPeer.get(peer) ?? []), address])
      } catch {}
    }
    if (byPeer.size === 0) return
    await this.state.update(s => {
      for (const [id, addrs] of byPeer) s.peers[id] = { addresses: addrs, seenAt: Date.now() }
    })
    this.reconnector.kick()
  }

  /** Dials a link's peers right away (bounded), so a join syncs without waiting for the reconnect timer. */
  private async dialNow (addresses: string[]): Promise<void> {
    if (this.offline) return
    await Promise.allSettled(addresses.map(async a => {
      await this.weft.dial(a, { signal: AbortSignal.timeout(5_000) })
    }))
  }

  /** Peers replicating one of our documents are the ones to redial later: remember where they listen. */
  private readonly onReplicatingPeers = (): void => {
    this.soon('peers', () => { void this.rememberReplicatingPeers() }, 200)
  }

  private async rememberReplicatingPeers (): Promise<void> {
    const ids = new Set<string>(this.notebook.handle.peers)
    for (const note of this.notes.values()) for (const p of note.handle.peers) ids.add(p)
    const found: Array<[string, string[]]> = []
    for (const id of ids) {
      const addresses = await this.weft.peerAddresses(id).catch(() => [])
      if (addresses.length > 0) found.push([id, addresses])
    }
    if (found.length === 0 || this.stopping !== undefined) return
    await this.state.update(s => {
      for (const [id, addresses] of found) s.peers[id] = { addresses, seenAt: Date.now() }
    })
  }

  // ---- status ----------------------------------------------------------------------

  status (): NotesStatus {
    const notes: Record<string, NoteSyncState> = {}
    for (const { id } of this.notebook.list()) {
      const handle = this.notes.get(id)?.handle
      const confirmedAt = this.confirmations.get(id) ?? this.state.current.confirmed[id]
      if (handle !== undefined) notes[id] = { ...syncState(handle), confirmedAt }
    }
    const connected = new Set(this.weft.connectedPeers().map(p => p.id))
    const joining: JoiningNote[] = Object.entries(this.state.current.joins).map(([id, join]) => ({
      ...join, id, holderOnline: join.holders.some(p => connected.has(p))
    }))
    const deviceNames = this.notebook.deviceNames()
    delete deviceNames[this.weft.peerId]
    return {
      peerId: this.weft.peerId,
      addresses: this.weft.multiaddrs,
      connectedPeers: this.weft.connectedPeers().map(p => p.id),
      offline: this.offline,
      notebook: { id: this.notebook.id, ...syncState(this.notebook.handle) },
      notes,
      joining,
      deviceName: this.deviceName,
      deviceNames
    }
  }

  /** Switches networking off (every connection refused and closed) or back on (known peers redialled now). */
  async setOffline (offline: boolean): Promise<void> {
    if (this.offline === offline) return
    this.offline = offline
    if (offline) {
      await this.weft.disconnect()
    } else {
      this.reconnector.kick()
    }
    this.statusChanged()
  }

  // ---- lifecycle ---------------------------------------------------------------------

  async stop (): Promise<void> {
    this.stopping ??= (async () => {
      for (const timer of this.timers.values()) clearTimeout(timer)
      this.timers.clear()
      this.reconnector?.stop()
      this.weft.off('connections', this.onConnections)
      this.detachNotebook()
      for (const note of this.notes.values()) note.detach()
      for (const relay of this.presence.values()) relay.destroy()
      this.presence.clear()
      this.listeners.clear()
      await this.weft.stop()
      const confirmed = [...this.confirmations]
      if (confirmed.length > 0) {
        await this.state.update(st => { for (const [id, at] of confirmed) st.confirmed[id] = at })
      }
      await this.state.settled()
      await this.unlock()
    })()
    await this.stopping
  }
}

function bodyOf (handle: DocHandle): string {
  return handle.doc.getText(NOTE_BODY).toString()
}

function describeBody (handle: DocHandle): { title: string, preview: string } {
  const body = bodyOf(handle)
  return { title: noteTitle(body), preview: notePreview(body) }
}

function syncState (handle: DocHandle): NoteSyncState {
  return { status: handle.status, unconfirmed: handle.unconfirmed, peers: handle.peers.length }
}

/** Whether anything was ever written to the document (here or by a peer). */
function hasContent (handle: DocHandle): boolean {
  return Object.keys(handle.versionVector).length > 0
}

/** The peer ids named in a link's multiaddrs. */
function peerIdsOf (addresses: string[]): string[] {
  const ids = new Set<string>()
  for (const address of addresses) {
    try {
      const id = multiaddr(address).getComponents().findLast(c => c.name === 'p2p')?.value
      if (id !== undefined) ids.add(id)
    } catch {}
  }
  return [...ids]
}

function listenPort (addresses: string[]): number | undefined {
  for (const address of addresses) {
    const match = /\/tcp\/(\d+)/.exec(address)
    if (match !== null) return Number(match[1])
  }
  return undefined
}
