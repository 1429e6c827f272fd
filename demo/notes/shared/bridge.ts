/**
 * The notes app's one seam between the UI and the main process: `window.notes`.
 *
 * The renderer holds its own Y.Doc per open note and talks to the main side
 * only through this interface. Yjs updates travel as Uint8Array (Electron's
 * IPC and Playwright's bindings both carry typed arrays as they are), and the
 * main side pushes what changed as events. In Electron the preload script
 * implements it over ipcRenderer; in the Chromium test a Playwright binding
 * does, wired to the same dispatcher (`main/ipc.ts`) and a real NotesService.
 */
import type { SyncStatus } from '../../../src/types.js'

export type { SyncStatus }

/** One row of the note list: what the notebook (the shared index document) holds. */
export interface NoteSummary {
  id: string
  /** First line of the body ('' while empty). */
  title: string
  /** The text after the title, on one line and capped ('' when there is none). */
  preview: string
  /** Milliseconds since the epoch of the last edit that changed the list entry. */
  updatedAt: number
}

/** One point on a note's timeline: a run of edits by one device (newest first in a list). */
export interface HistoryPoint {
  /** Author key (hex) of the device that made the edits. */
  author: string
  /** Its device name ('This device' for ours, 'another device' when it never named itself here). */
  name: string
  mine: boolean
  /** First and last edit of the run, ms since the epoch (from the edits' HLC stamps). */
  start: number
  time: number
  /** Envelopes in the run (typing bursts, not keystrokes). */
  edits: number
  /** Earlier history this device received merged into one update: its versions before `time` are not here. */
  merged: boolean
}

/** What the renderer needs to start editing a note. */
export interface NoteContent extends NoteSummary {
  /** The whole note as one Yjs update: apply it to a fresh Y.Doc, then edit `doc.getText(NOTE_BODY)`. */
  update: Uint8Array
}

/** The Y.Text inside each note document. */
export const NOTE_BODY = 'body'

/** A change to a note: a Yjs update made by the renderer's Y.Doc, or a plain text splice. */
export type NoteEdit =
  | { update: Uint8Array }
  | { splice: { index: number, remove: number, insert: string } }

export interface NoteSyncState {
  status: SyncStatus
  /** Local changes not yet seen by any other peer (envelopes: one per batch of keystrokes). */
  unconfirmed: number
  /** Peers replicating this note right now. */
  peers: number
  /**
   * When another device last confirmed holding all of this note's local changes (ms since the
   * epoch), as this device saw it; undefined if that never happened.
   */
  confirmedAt?: number
}

/**
 * A note joined by link whose content has not arrived yet: it is not in the notebook until it
 * does (a link that leads nowhere adds nothing), and the app says whom it is waiting for.
 */
export interface JoiningNote {
  id: string
  /** Peer ids named in the link: the devices that hold the note. */
  holders: string[]
  /** Whether one of them is connected right now (then the note is on its way). */
  holderOnline: boolean
  /** The sharing device's name, as the link gave it. */
  holderName?: string
  since: number
}

export interface NotesStatus {
  peerId: string
  /** This peer's listen addresses, with /p2p/<peerId>. */
  addresses: string[]
  /** Peer ids with an open connection. */
  connectedPeers: string[]
  /** The user switched networking off ("work offline"). */
  offline: boolean
  notebook: NoteSyncState & { id: string }
  notes: Record<string, NoteSyncState>
  /** Notes joined by link, waiting for their content. */
  joining: JoiningNote[]
  /** This device's name, as chosen in the app (shown to the others). */
  deviceName: string
  /** Names other devices chose, by peer id (from the shared notebook). */
  deviceNames: Record<string, string>
}

export type JoinResult =
  | { kind: 'notebook', id: string }
  | { kind: 'note', id: string, waiting?: true }

/** Pushed by the main side. */
export type NotesEvent =
  /** The note list changed (local or remote create, edit, delete). */
  | { type: 'notes', notes: NoteSummary[] }
  /** A note the renderer has open changed, by a peer or by the main side: apply `update` to its Y.Doc. */
  | { type: 'note-update', id: string, update: Uint8Array }
  | { type: 'status', status: NotesStatus }
  /** An app menu item (Electron) asks the UI to do what its shortcut does. */
  | { type: 'command', command: NotesCommand }
  /** Presence (y-protocols awareness update) of other devices in a note the renderer has open. */
  | { type: 'presence', id: string, update: Uint8Array }

/** What a shortcut or an app menu item asks the UI to do. */
export type NotesCommand = 'new-note' | 'search' | 'close-panels' | 'share' | 'toggle-sidebar'

/** `window.notes`. */
export interface NotesBridge {
  listNotes: () => Promise<NoteSummary[]>
  /** A new note, optionally with a first text. */
  createNote: (text?: string) => Promise<NoteSummary>
  /** Starts `note-update` events for the note and returns its content. */
  openNote: (id: string) => Promise<NoteContent>
  /** Stops `note-update` events for the note. */
  closeNote: (id: string) => Promise<void>
  editNote: (id: string, edit: NoteEdit) => Promise<void>
  deleteNote: (id: string) => Promise<void>
  /** A `weft://` link to a note, or to the whole notebook when `id` is omitted. */
  shareLink: (id?: string) => Promise<string>
  /** Opens what a link points to, dialling the peers it names. */
  joinLink: (link: string) => Promise<JoinResult>
  status: () => Promise<NotesStatus>
  /** The note's timeline, newest first. */
  noteHistory: (id: string) => Promise<HistoryPoint[]>
  /** The note's text as it was at `time` (ms since the epoch). */
  noteVersion: (id: string, time: number) => Promise<string>
  /** Makes the note's text what it was at `time`, as a new edit (so it syncs, and can be undone by another restore). */
  restoreVersion: (id: string, time: number) => Promise<void>
  /** Ids of the notes whose title or text contains `query` (case-insensitive), newest first. */
  searchNotes: (query: string) => Promise<string[]>
  /** Switches networking off (refuses and drops every connection) or back on. */
  setOffline: (offline: boolean) => Promise<void>
  /** Stops waiting for a joined note that never arrived, and forgets it. */
  cancelJoin: (id: string) => Promise<void>
  /** Names this device (shown in other devices' peer lists and editors). */
  setDeviceName: (name: string) => Promise<void>
  /**
   * The renderer's presence in an open note (its awareness client id and local state: cursor, user),
   * announced to the other devices; null when it leaves the note.
   */
  updatePresence: (id: string, clientId: number, state: Record<string, unknown> | null) => Promise<void>
  /** Listens to main-side events; returns the unsubscribe function. */
  onEvent: (listener: (event: NotesEvent) => void) => () => void
}

/** The request/response part of the bridge: what crosses IPC as a call. */
export type NotesCalls = Omit<NotesBridge, 'onEvent'>
export type NotesMethod = keyof NotesCalls

export const NOTES_METHODS: readonly NotesMethod[] = [
  'listNotes', 'createNote', 'openNote', 'closeNote', 'editNote', 'deleteNote',
  'shareLink', 'joinLink', 'status', 'setOffline', 'cancelJoin', 'setDeviceName', 'updatePresence', 'searchNotes',
  'noteHistory', 'noteVersion', 'restoreVersion'
]

/** IPC channel for calls (`invoke(NOTES_CALL_CHANNEL, method, args)`). */
export const NOTES_CALL_CHANNEL = 'weft-notes:call'
/** IPC channel for events pushed to the renderer. */
export const NOTES_EVENT_CHANNEL = 'weft-notes:event'

declare global {
  interface Window {
    notes: NotesBridge
  }
}
