/**
 * Electron main process: a thin shell. It starts the NotesService (all app
 * logic, tested in Node), opens one window whose preload exposes
 * `window.notes`, and forwards IPC between them. Nothing else lives here.
 *
 *   npm run notes                          notes in Electron's userData directory
 *   npm run notes -- --data-dir /tmp/b     a second "device" on the same machine
 *
 * Hardening: context isolation, a sandboxed preload, no Node in the page, a
 * content security policy on every response, no request leaves for the
 * network (the page is local files only), no permissions, no navigation, no
 * new windows; one running app per data dir (a lock file in it, see
 * NotesService.start), and a second launch on the default dir focuses the first.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DataDirInUseError } from '../demo/notes/main/data-dir-lock.js'
import { NotesService } from '../demo/notes/main/notes-service.js'
import { NOTES_EVENT_CHANNEL, type NotesEvent } from '../demo/notes/shared/bridge.js'
import { notesMenuTemplate } from './menu.js'
import { connectNotesIpc } from './notes-ipc.js'

const here = dirname(fileURLToPath(import.meta.url)) // the build output: demo/notes/dist

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

function explicitDataDir (): string | undefined {
  const i = process.argv.indexOf('--data-dir')
  if (i > 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1]
  return process.env.WEFT_NOTES_DIR
}

/** Only the bundled files (and devtools) load; everything else, remote content included, is cancelled. */
function lockDownSession (): void {
  const ses = session.defaultSession
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !/^(file|devtools):/.test(details.url) })
  })
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
  const granted = false // no camera, microphone, notifications, geolocation…
  ses.setPermissionRequestHandler((_contents, _permission, callback) => { callback(granted) })
  ses.setPermissionCheckHandler(() => false)
}

async function main (): Promise<void> {
  app.setName('weft notes')
  app.setPath('userData', join(app.getPath('appData'), 'weft-notes'))
  const chosenDir = explicitDataDir()
  // On the default data dir, a second launch hands over to the first (which comes to the front).
  if (chosenDir === undefined && !app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  await app.whenReady()
  lockDownSession()
  const dataDir = chosenDir ?? join(app.getPath('userData'), 'notes')
  let service: NotesService
  try {
    service = await NotesService.start({ dataDir })
  } catch (err) {
    if (!(err instanceof DataDirInUseError)) throw err
    dialog.showErrorBox('weft notes is already open', err.message)
    app.exit(1)
    return
  }
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 360,
    minHeight: 400,
    title: 'weft notes',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true
    }
  })
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore()
    win.focus()
  })
  const send = (event: NotesEvent): void => {
    if (!win.webContents.isDestroyed()) win.webContents.send(NOTES_EVENT_CHANNEL, event)
  }
  Menu.setApplicationMenu(Menu.buildFromTemplate(notesMenuTemplate(command => { send({ type: 'command', command }) })))
  const disconnect = connectNotesIpc(ipcMain, win.webContents, service)
  // The window only ever shows the bundled page: https links open in the browser, navigation is refused.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.webContents.on('will-navigate', event => { event.preventDefault() })
  win.webContents.on('will-attach-webview', event => { event.preventDefault() })
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
