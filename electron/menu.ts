import type { MenuItemConstructorOptions } from 'electron'
import type { NotesCommand } from '../demo/notes/shared/bridge.js'

/**
 * The app menu. Items that the renderer handles send it a `command` event
 * (the same commands its keyboard shortcuts run), so the accelerators shown
 * in the menu and the in-page shortcuts agree. Escape stays in the page: as
 * an accelerator it would swallow Escape in every text field.
 */
export function notesMenuTemplate (
  send: (command: NotesCommand) => void,
  platform: NodeJS.Platform = process.platform
): MenuItemConstructorOptions[] {
  const item = (label: string, accelerator: string, command: NotesCommand): MenuItemConstructorOptions =>
    ({ label, accelerator, click: () => { send(command) } })
  const mac = platform === 'darwin'
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        item('New Note', 'CmdOrCtrl+N', 'new-note'),
        item('Share Note…', 'CmdOrCtrl+Shift+S', 'share'),
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' }
      ]
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        item('Search Notes', 'CmdOrCtrl+K', 'search'),
        item('Find in Notes', 'CmdOrCtrl+F', 'search'),
        item('Show or Hide Notes List', 'CmdOrCtrl+\\', 'toggle-sidebar'),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    { role: 'windowMenu' }
  ]
}
