import type { NoteSummary, NotesStatus } from '../shared/bridge.js'
import { h } from './dom.js'
import { describeNote, relativeTime } from './status-text.js'

/** The sidebar list: one row per note, newest first, with a sync dot. */
export function renderNoteList (
  list: HTMLElement,
  notes: NoteSummary[],
  selected: string | undefined,
  status: NotesStatus | undefined,
  select: (id: string) => void
): void {
  if (notes.length === 0) {
    list.replaceChildren(h('li', { class: 'empty-list' }, 'No notes yet'))
    return
  }
  list.replaceChildren(...notes.map(note => {
    const state = status?.notes[note.id]
    const { tone, pending } = describeNote(state, status?.offline ?? false)
    return h('li', {},
      h('button', {
        class: note.id === selected ? 'note-row selected' : 'note-row',
        'data-testid': 'note-row',
        'data-id': note.id,
        'aria-current': note.id === selected ? 'true' : undefined,
        onclick: () => { select(note.id) }
      },
      h('span', { class: 'row-title' }, note.title === '' ? 'Untitled' : note.title),
      h('span', { class: 'row-meta' },
        h('span', { class: `dot ${tone}`, title: pending === '' ? tone : `${tone} · ${pending}` }),
        relativeTime(note.updatedAt)
      ))
    )
  }))
}
