/**
 * The Electron shell without Electron (its binary cannot be downloaded here):
 * the built preload (demo/notes/dist/preload.cjs as `npm run notes` builds it)
 * and electron/notes-ipc.ts run against a stand-in for Electron's IPC, over a
 * real NotesService. What this cannot check is Electron itself: the window,
 * the real IPC, contextBridge's copying. main.ts is type-checked and built only.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IpcMain, WebContents } from 'electron'
import { buildElectron } from '../demo/notes/build.js'
import type { NotesBridge, NotesEvent } from '../demo/notes/shared/bridge.js'
import { connectNotesIpc } from '../electron/notes-ipc.js'
import { fakeElectron } from './notes/fake-electron.js'
import { Devices, waitFor } from './notes/services.js'

test('the preload\'s window.notes reaches the service through the main process IPC handlers', {
  timeout: 60_000
}, async () => {
  const devices = new Devices()
  const outdir = await mkdtemp(join(tmpdir(), 'weft-notes-electron-'))
  try {
    await buildElectron(outdir)
    const preload = await readFile(join(outdir, 'preload.cjs'), 'utf8')
    assert.doesNotMatch(preload, /require\("(?!electron")/, 'a sandboxed preload may require nothing but electron')
    assert.ok((await readFile(join(outdir, 'main.mjs'), 'utf8')).includes('connectNotesIpc'))

    const electron = fakeElectron()
    const service = await devices.start()
    const disconnect = connectNotesIpc(electron.ipcMain as unknown as IpcMain,
      electron.webContents as unknown as WebContents, service)
    // Run the preload as Electron does: CommonJS, with 'electron' the only module it can require.
    // eslint-disable-next-line no-new-func -- the built preload is the code under test
    new Function('require', 'module', 'exports', preload)((name: string) => {
      if (name !== 'electron') throw new Error(`sandboxed preload cannot require ${name}`)
      return electron.rendererModule
    }, { exports: {} }, {})
    const notes = electron.exposed.notes as NotesBridge
    assert.ok(Object.values(notes).every(v => typeof v === 'function'), 'contextBridge copies plain functions only')

    const events: NotesEvent[] = []
    const unsubscribe = notes.onEvent(event => { events.push(event) })
    const created = await notes.createNote('Hello from Electron')
    assert.deepEqual((await notes.listNotes()).map(n => n.title), ['Hello from Electron'])
    const content = await notes.openNote(created.id)
    assert.ok(content.update instanceof Uint8Array && content.update.byteLength > 0)
    await notes.editNote(created.id, { splice: { index: 5, remove: 0, insert: ',' } })
    assert.equal(service.noteText(created.id), 'Hello, from Electron')
    await waitFor('a note-update event crossed the IPC',
      () => events.some(e => e.type === 'note-update' && e.id === created.id && e.update instanceof Uint8Array))
    await waitFor('status and list events crossed the IPC',
      () => events.some(e => e.type === 'status') && events.some(e => e.type === 'notes'))
    assert.match(await notes.shareLink(created.id), /^weft:\/\//)
    assert.equal((await notes.status()).peerId, service.status().peerId)

    await assert.rejects(notes.openNote('not-an-id'), /invalid note id/)
    await assert.rejects(notes.editNote(created.id, { splice: { index: 999, remove: 0, insert: 'x' } }),
      /outside a text/)
    await assert.rejects(electron.invokeFromOther('weft-notes:call', 'listNotes', []), /not the notes window/)
    await assert.rejects(electron.rendererModule.ipcRenderer.invoke('weft-notes:call', 'stop', []),
      /unknown notes method/)
    assert.equal(service.listNotes().length, 1, 'nothing a bad call did reached the service')

    unsubscribe()
    disconnect()
    await assert.rejects(notes.listNotes(), /No handler registered/)
  } finally {
    await devices.cleanup()
    await rm(outdir, { recursive: true, force: true })
  }
})
