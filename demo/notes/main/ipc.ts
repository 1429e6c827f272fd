/**
 * The IPC surface of the notes app: the one place that turns an untrusted
 * (method, args) pair from a renderer into a NotesService call. Electron's
 * main process routes `ipcMain.handle(NOTES_CALL_CHANNEL)` here; the Chromium
 * test routes a Playwright binding here. Both transports reach the same code.
 */
import { DOC_ID_PATTERN } from '../../../src/doc-id.js'
import { NOTES_METHODS, type NoteEdit, type NotesCalls, type NotesMethod } from '../shared/bridge.js'
import type { NotesService } from './notes-service.js'

type Handlers = {
  [M in NotesMethod]: (service: NotesService, args: unknown[]) =>
    Awaited<ReturnType<NotesCalls[M]>> | ReturnType<NotesCalls[M]>
}

const MAX_TEXT = 1024 * 1024
const MAX_UPDATE = 4 * 1024 * 1024
const MAX_PRESENCE = 16 * 1024

const handlers: Handlers = {
  listNotes: service => service.listNotes(),
  createNote: async (service, [text]) => await service.createNote(text === undefined ? '' : str(text, 'text')),
  openNote: async (service, [id]) => await service.openNote(docId(id)),
  closeNote: async (service, [id]) => { await service.closeNote(docId(id)) },
  editNote: async (service, [id, edit]) => { await service.editNote(docId(id), noteEdit(edit)) },
  deleteNote: async (service, [id]) => { await service.deleteNote(docId(id)) },
  shareLink: async (service, [id]) => await service.shareLink(id === undefined || id === null ? undefined : docId(id)),
  joinLink: async (service, [link]) => await service.joinLink(str(link, 'link')),
  status: service => service.status(),
  setOffline: async (service, [offline]) => {
    if (typeof offline !== 'boolean') throw new TypeError('setOffline expects a boolean')
    await service.setOffline(offline)
  },
  noteHistory: async (service, [id]) => await service.noteHistory(docId(id)),
  noteVersion: async (service, [id, time]) => await service.noteVersion(docId(id), timestamp(time)),
  restoreVersion: async (service, [id, time]) => { await service.restoreVersion(docId(id), timestamp(time)) },
  searchNotes: (service, [query]) => service.searchNotes(str(query, 'query')),
  cancelJoin: async (service, [id]) => { await service.cancelJoin(docId(id)) },
  setDeviceName: async (service, [name]) => { await service.setDeviceName(str(name, 'name')) },
  updatePresence: (service, [id, clientId, state]) => {
    if (!Number.isSafeInteger(clientId) || (clientId as number) < 0) throw new TypeError('invalid presence client id')
    const isObject = typeof state === 'object' && !Array.isArray(state)
    if (!isObject || (state !== null && JSON.stringify(state).length > MAX_PRESENCE)) {
      throw new TypeError(`a presence state is an object of at most ${MAX_PRESENCE} characters of JSON, or null`)
    }
    service.updatePresence(docId(id), clientId as number, state as Record<string, unknown> | null)
  }
}

export function isNotesMethod (method: unknown): method is NotesMethod {
  return typeof method === 'string' && (NOTES_METHODS as readonly string[]).includes(method)
}

/** Validates a call from a renderer and runs it. Throws on an unknown method or malformed arguments. */
export async function dispatchNotesCall (service: NotesService, method: unknown, args: unknown): Promise<unknown> {
  if (!isNotesMethod(method)) throw new TypeError(`unknown notes method ${JSON.stringify(method)}`)
  if (!Array.isArray(args)) throw new TypeError('arguments must be an array')
  return await handlers[method](service, args)
}

function str (value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length > MAX_TEXT) {
    throw new TypeError(`${what} must be a string of at most ${MAX_TEXT} characters`)
  }
  return value
}

function timestamp (value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`a time is milliseconds since the epoch, got ${JSON.stringify(value)}`)
  }
  return value
}

function docId (value: unknown): string {
  if (typeof value !== 'string' || !DOC_ID_PATTERN.test(value)) {
    throw new TypeError(`invalid note id ${JSON.stringify(value)}`)
  }
  return value
}

function noteEdit (value: unknown): NoteEdit {
  type Untrusted = Partial<{ update: unknown, splice: { index: unknown, remove: unknown, insert: unknown } }>
  const edit = value as Untrusted | null
  if (edit?.update instanceof Uint8Array) {
    if (edit.update.byteLength > MAX_UPDATE) throw new RangeError('update too large')
    return { update: edit.update }
  }
  const splice = edit?.splice
  if (splice !== undefined && Number.isSafeInteger(splice.index) && Number.isSafeInteger(splice.remove)) {
    const insert = str(splice.insert ?? '', 'insert')
    return { splice: { index: splice.index as number, remove: splice.remove as number, insert } }
  }
  throw new TypeError('an edit is { update: Uint8Array } or { splice: { index, remove, insert } }')
}
