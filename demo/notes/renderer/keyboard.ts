import type { NotesCommand } from '../shared/bridge.js'

/** What a shortcut (or the Electron app menu, through a `command` event) asks the app to do. */
export type Command = NotesCommand

/**
 * The app's keyboard shortcuts: Ctrl+N / ⌘N new note, Ctrl+K, Ctrl+F / ⌘K, ⌘F search,
 * Escape closes whatever panel is open. Returns the function that removes them.
 */
export function bindShortcuts (target: Document, run: (command: Command) => void): () => void {
  const onKey = (event: KeyboardEvent): void => {
    const mod = event.ctrlKey || event.metaKey
    const key = event.key.toLowerCase()
    let command: Command | undefined
    if (mod && !event.shiftKey && !event.altKey && key === 'n') command = 'new-note'
    else if (mod && !event.altKey && (key === 'k' || key === 'f')) command = 'search'
    else if (key === 'escape' && !mod) command = 'close-panels'
    if (command === undefined) return
    event.preventDefault()
    run(command)
  }
  target.addEventListener('keydown', onKey, true)
  return () => { target.removeEventListener('keydown', onKey, true) }
}
