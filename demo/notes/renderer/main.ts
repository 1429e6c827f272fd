/** Renderer entry: draws the notes app over `window.notes` (the preload's bridge, or a test's). */
import { NotesApp } from './app.js'

const root = document.getElementById('app')
if (root === null) throw new Error('no #app element')
if (window.notes === undefined) {
  root.textContent = 'window.notes is missing: open this page from the app (npm run notes, or npm run notes:web).'
} else {
  const app = new NotesApp(root, window.notes)
  app.start().catch(err => {
    root.textContent = `Could not start: ${err instanceof Error ? err.message : String(err)}`
  })
}
