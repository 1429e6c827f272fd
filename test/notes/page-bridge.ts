/**
 * Injected into the test page before the renderer runs: `window.notes` built
 * by the same createNotesBridge the Electron preload uses, with a Playwright
 * binding instead of ipcRenderer as the transport. Calls reach the real
 * NotesService through `dispatchNotesCall`; the test pushes events in through
 * `__notesDeliver`.
 */
import { createNotesBridge } from '../../demo/notes/shared/bridge-client.js'
import type { NotesEvent, NotesMethod } from '../../demo/notes/shared/bridge.js'

declare global {
  interface Window {
    __notesInvoke: (method: NotesMethod, args: unknown[]) => Promise<unknown>
    __notesDeliver: (event: NotesEvent) => void
  }
}

const listeners = new Set<(event: NotesEvent) => void>()
window.__notesDeliver = event => { for (const listener of listeners) listener(event) }
window.notes = createNotesBridge({
  invoke: async (method, args) => await window.__notesInvoke(method, args),
  subscribe: listener => {
    listeners.add(listener)
    return () => { listeners.delete(listener) }
  }
})
