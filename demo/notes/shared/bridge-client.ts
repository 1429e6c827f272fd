import type { NotesBridge, NotesCalls, NotesEvent, NotesMethod } from './bridge.js'

/** How a bridge reaches the main side: Electron IPC in the preload, a Playwright binding in tests. */
export interface BridgeTransport {
  invoke: (method: NotesMethod, args: unknown[]) => Promise<unknown>
  /** Delivers every main-side event to `listener` until the returned function is called. */
  subscribe: (listener: (event: NotesEvent) => void) => () => void
}

/**
 * Builds `window.notes` over a transport. The result is a plain object of
 * functions on purpose: Electron's contextBridge copies own properties only.
 */
export function createNotesBridge (transport: BridgeTransport): NotesBridge {
  const call = <M extends NotesMethod>(method: M) =>
    async (...args: Parameters<NotesCalls[M]>): Promise<Awaited<ReturnType<NotesCalls[M]>>> =>
      await (transport.invoke(method, args) as Promise<Awaited<ReturnType<NotesCalls[M]>>>)
  return {
    listNotes: call('listNotes'),
    createNote: call('createNote'),
    openNote: call('openNote'),
    closeNote: call('closeNote'),
    editNote: call('editNote'),
    deleteNote: call('deleteNote'),
    shareLink: call('shareLink'),
    joinLink: call('joinLink'),
    status: call('status'),
    setOffline: call('setOffline'),
    cancelJoin: call('cancelJoin'),
    setDeviceName: call('setDeviceName'),
    updatePresence: call('updatePresence'),
    searchNotes: call('searchNotes'),
    noteHistory: call('noteHistory'),
    noteVersion: call('noteVersion'),
    restoreVersion: call('restoreVersion'),
    onEvent: listener => transport.subscribe(listener)
  }
}
