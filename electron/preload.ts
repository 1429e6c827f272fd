/**
 * Preload: exposes `window.notes` (demo/notes/shared/bridge.ts) to the
 * renderer over Electron IPC. It runs sandboxed with context isolation, so it
 * is bundled to one CommonJS file and imports nothing but 'electron'.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { createNotesBridge } from '../demo/notes/shared/bridge-client.js'
import { NOTES_CALL_CHANNEL, NOTES_EVENT_CHANNEL, type NotesEvent } from '../demo/notes/shared/bridge.js'

contextBridge.exposeInMainWorld('notes', createNotesBridge({
  invoke: async (method, args) => await ipcRenderer.invoke(NOTES_CALL_CHANNEL, method, args),
  subscribe: listener => {
    const forward = (_event: IpcRendererEvent, event: NotesEvent): void => { listener(event) }
    ipcRenderer.on(NOTES_EVENT_CHANNEL, forward)
    return () => { ipcRenderer.removeListener(NOTES_EVENT_CHANNEL, forward) }
  }
}))
