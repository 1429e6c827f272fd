import type * as Y from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import { EditorView, keymap, placeholder } from '@codemirror/view'
import { EditorState } from '@codemirror/state'
import { defaultKeymap } from '@codemirror/commands'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '15px' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'inherit', lineHeight: '1.6', padding: '8px 0' },
  '.cm-content': { padding: '0 28px', caretColor: 'var(--accent)' },
  '.cm-line:first-child': { fontSize: '1.45em', fontWeight: '600', lineHeight: '1.5' },
  '.cm-placeholder': { color: 'var(--muted)' },
  '.cm-ySelectionInfo': { opacity: '1', fontFamily: 'inherit', fontSize: '11px', padding: '1px 4px' }
})

/**
 * A CodeMirror 6 editor bound to a Y.Text (y-codemirror.next); the Y.Text is the source of truth.
 * With an awareness, other devices' cursors and names show in the text, and ours reach them.
 */
export function createEditor (parent: HTMLElement, text: Y.Text, awareness: Awareness | null): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text.toString(),
      extensions: [
        keymap.of([...yUndoManagerKeymap, ...defaultKeymap]),
        yCollab(text, awareness),
        EditorView.lineWrapping,
        placeholder('Start with a title, then write…'),
        theme
      ]
    })
  })
}
