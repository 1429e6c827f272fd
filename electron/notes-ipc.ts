import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { dispatchNotesCall } from '../demo/notes/main/ipc.js'
import type { NotesService } from '../demo/notes/main/notes-service.js'
import { NOTES_CALL_CHANNEL, NOTES_EVENT_CHANNEL } from '../demo/notes/shared/bridge.js'

/**
 * Connects one window to the notes service: calls from its renderer go to the
 * shared dispatcher (which validates them), service events go to its renderer.
 * Calls from any other web contents are refused. Returns the undo function.
 */
export function connectNotesIpc (
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  contents: WebContents,
  service: NotesService
): () => void {
  ipcMain.handle(NOTES_CALL_CHANNEL, async (event: IpcMainInvokeEvent, method: unknown, args: unknown) => {
    if (event.sender !== contents) throw new Error('not the notes window')
    return await dispatchNotesCall(service, method, args)
  })
  const stopEvents = service.onEvent(event => {
    if (!contents.isDestroyed()) contents.send(NOTES_EVENT_CHANNEL, event)
  })
  return () => {
    stopEvents()
    ipcMain.removeHandler(NOTES_CALL_CHANNEL)
  }
}
