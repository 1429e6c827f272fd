/**
 * Electron main process: a thin shell. It starts the NotesService (all app
 * logic, tested in Node), opens one window whose preload exposes
 * `window.notes`, and forwards IPC between them. Nothing else lives here.
 *
 *   npm run notes                          notes in Electron's userData directory
 *   npm run notes -- --data-dir /tmp/b     a second "device" on the same machine
 */
import { app, BrowserWindow, ipcMain, shell } from 'electron'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NotesService } from '../demo/notes/main/notes-service.js'
import { connectNotesIpc } from './notes-ipc.js'

const here = dirname(fileURLToPath(import.meta.url)) // the build output: demo/notes/dist

function dataDir (): string {
  const i = process.argv.indexOf('--data-dir')
  if (i > 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1]
  return process.env.WEFT_NOTES_DIR ?? join(app.getPath('userData'), 'notes')
}

async function main (): Promise<void> {
  app.setName('weft notes')
  app.setPath('userData', join(app.getPath('appData'), 'weft-notes'))
  await app.whenReady()
  const service = await NotesService.start({ dataDir: dataDir() })
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 640,
    minHeight: 400,
    title: 'weft notes',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false
    }
  })
  const disconnect = connectNotesIpc(ipcMain, win.webContents, service)
  // The window only ever shows the bundled page: links open in the browser, navigation is refused.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.webContents.on('will-navigate', event => { event.preventDefault() })
  await win.loadFile(join(here, 'index.html'))

  let stopped = false
  app.on('window-all-closed', () => { app.quit() })
  app.on('before-quit', event => {
    if (stopped) return
    event.preventDefault() // flush LevelDB and leave the network cleanly first
    disconnect()
    service.stop().catch(err => { console.error('stopping notes failed', err) }).finally(() => {
      stopped = true
      app.quit()
    })
  })
}

main().catch(err => {
  console.error('weft notes failed to start:', err)
  app.exit(1)
})
