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
import * as Y from 'yjs'
import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { createWeft, REMOTE_ORIGIN, type DocHandle, type Weft, type WeftOptions } from '../../../src/index.js'
import {
  NOTE_BODY, type JoinResult, type NoteContent, type NoteEdit, type NotesEvent, type NotesStatus,
  type NoteSummary, type NoteSyncState
} from '../shared/bridge.js'
import { noteTitle } from '../shared/note-title.js'
import { formatLink, parseLink } from '../shared/links.js'
import { AppStateFile } from './app-state.js'
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
}

interface OpenNote {
  handle: DocHandle
  detach: () => void
  touchTimer?: ReturnType<typeof setTimeout>
  touchPending?: boolean
  titleTimer?: ReturnType<typeof setTimeout>
}

export class NotesService {
  private readonly notes = new Map<string, OpenNote>()
  private readonly opening = new Map<string, Promise<OpenNote>>()
  /** Notes the renderer has open: their changes are pushed as `note-update` events. */
  private readonly watched = new Set<string>()
  private readonly listeners = new Set<(event: NotesEvent) => void>()
  private readonly timers = new Map<'status' | 'notes' | 'peers', ReturnType<typeof setTimeout>>()
  private notebook!: Notebook
  private detachNotebook: () => void = () => {}
  private offline = false
  private stopping: Promise<void> | undefined
  private reconnector!: Reconnector
  private readonly touchIntervalMs: number

  private constructor (readonly weft: Weft, private readonly state: AppStateFile, options: NotesServiceOptions) {
    this.touchIntervalMs = options.touchIntervalMs ?? 1_000
  }

  /** Starts the weft peer on `dataDir` and opens the notebook and every note in it. */
  static async start (options: NotesServiceOptions): Promise<NotesService> {
    const state = await AppStateFile.load(join(options.dataDir, 'notes.json'))
    // eslint-disable-next-line prefer-const -- the gate's closure reads it before it is assigned
    let service: NotesService | undefined
    const gate = offlineGate(() => service?.offline ?? false, options.weft?.network?.connectionGater)
    const weftOptions = (port: number): WeftOptions => ({
      ...options.weft,
      dataDir: join(options.dataDir, 'weft'),
      listen: [`/ip4/${options.host ?? '0.0.0.0'}/tcp/${port}`],
      network: { ...options.weft?.network, connectionGater: gate }
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
  private soon (what: 'status' | 'notes' | 'peers', run: () => void, delayMs = 30): void {
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
    const offChange = notebook.onChange(({ added, removed, updated }) => {
      for (const id of added) void this.ensureOpen(id).catch(err => { log.error('cannot open note %s: %e', id, err) })
      for (const id of removed) if (!notebook.has(id)) void this.closeNoteDoc(id)
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
    this.detachNotebook = () => {
      offChange()
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
    const note: OpenNote = { handle, detach: () => {} }
    const onUpdate = (update: Uint8Array, origin: unknown): void => {
      if (this.watched.has(id) && origin !== FROM_RENDERER) this.emit({ type: 'note-update', id, update })
      if (origin === REMOTE_ORIGIN) this.checkTitleLater(note)
      else this.touch(note)
    }
    handle.doc.on('update', onUpdate)
    handle.on('status', this.statusChanged)
    handle.on('delivery', this.statusChanged)
    handle.on('peers', this.onReplicatingPeers)
    note.detach = () => {
      handle.doc.off('update', onUpdate)
      handle.off('status', this.statusChanged)
      handle.off('delivery', this.statusChanged)
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
    note.detach()
    await note.handle.close()
    this.statusChanged()
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
    this.notebook.set({ id, title: noteTitle(bodyOf(note.handle)), updatedAt: Date.now() })
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
      const title = noteTitle(bodyOf(note.handle))
      if (entry !== undefined && entry.title !== title && this.stopping === undefined) {
        this.notebook.set({ ...entry, title, updatedAt: Date.now() })
      }
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

  async createNote (text = ''): Promise<NoteSummary> {
    const handle = await this.weft.create()
    const note = await this.ensureOpen(handle.id)
    if (text !== '') handle.doc.transact(() => { handle.doc.getText(NOTE_BODY).insert(0, text) }, LOCAL_EDIT)
    const summary = { id: handle.id, title: noteTitle(text), updatedAt: Date.now() }
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

  async deleteNote (id: string): Promise<void> {
    this.noteInNotebook(id)
    this.notebook.delete(id) // the notebook observer closes the note's document
    await this.notebook.handle.flush()
  }

  // ---- sharing -------------------------------------------------------------------

  async shareLink (id?: string): Promise<string> {
    if (id !== undefined) this.noteInNotebook(id)
    return formatLink({
      kind: id === undefined ? 'notebook' : 'note',
      docId: id ?? this.notebook.id,
      peers: this.weft.multiaddrs
    })
  }

  /**
   * Opens what a link points to. A note is added to this notebook. A notebook
   * replaces this device's notebook, after copying this device's notes into it,
   * so joining never loses a note. Peers in the link are remembered and dialled;
   * offline, the join still succeeds and syncs once they are reachable.
   */
  async joinLink (link: string): Promise<JoinResult> {
    const { kind, docId, peers } = parseLink(link)
    await this.rememberAddresses(peers)
    const dialled = this.dialNow(peers)
    if (kind === 'note') {
      const note = await this.ensureOpen(docId)
      if (!this.notebook.has(docId)) {
        this.notebook.set({ id: docId, title: noteTitle(bodyOf(note.handle)), updatedAt: Date.now() })
      }
      this.checkTitleLater(note)
    } else if (docId !== this.notebook.id) {
      const previous = this.notebook
      const joined = new Notebook(await this.weft.open(docId))
      for (const note of previous.list()) if (!joined.has(note.id)) joined.set(note)
      await this.state.update(s => { s.notebookId = docId })
      this.useNotebook(joined)
      await previous.handle.close()
      await Promise.all(joined.list().map(async note => await this.ensureOpen(note.id)))
      for (const id of [...this.notes.keys()]) if (!joined.has(id)) await this.closeNoteDoc(id)
      this.listChanged()
    }
    await dialled
    return { kind, id: docId }
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
      if (handle !== undefined) notes[id] = syncState(handle)
    }
    return {
      peerId: this.weft.peerId,
      addresses: this.weft.multiaddrs,
      connectedPeers: this.weft.connectedPeers().map(p => p.id),
      offline: this.offline,
      notebook: { id: this.notebook.id, ...syncState(this.notebook.handle) },
      notes
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
      this.listeners.clear()
      await this.weft.stop()
      await this.state.settled()
    })()
    await this.stopping
  }
}

function bodyOf (handle: DocHandle): string {
  return handle.doc.getText(NOTE_BODY).toString()
}

function syncState (handle: DocHandle): NoteSyncState {
  return { status: handle.status, unconfirmed: handle.unconfirmed, peers: handle.peers.length }
}

function listenPort (addresses: string[]): number | undefined {
  for (const address of addresses) {
    const match = /\/tcp\/(\d+)/.exec(address)
    if (match !== null) return Number(match[1])
  }
  return undefined
}
