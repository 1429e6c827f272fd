import type { JoiningNote, NoteSummary, NotesStatus } from '../shared/bridge.js'
import { h } from './dom.js'
import { describeJoining, describeNote, relativeTime } from './status-text.js'

export interface ListActions {
  select: (id: string) => void
  cancelJoin: (id: string) => void
}

/**
 * The sidebar list: notes joined by link that are still on their way, then
 * one row per note (newest first) with its title, a preview line, a sync dot
 * and its age. `filter` (a search) narrows the rows; `query` is what to say
 * when nothing matches.
 */
export function renderNoteList (
  list: HTMLElement,
  notes: NoteSummary[],
  selected: string | undefined,
  status: NotesStatus | undefined,
  actions: ListActions,
  search?: { query: string, ids: Set<string> }
): void {
  const shown = search === undefined ? notes : notes.filter(n => search.ids.has(n.id))
  const joining = search === undefined ? (status?.joining ?? []).map(j => joiningRow(j, status, actions)) : []
  const rows = shown.map(note => noteRow(note, note.id === selected, status, actions))
  if (rows.length === 0 && joining.length === 0) {
    list.replaceChildren(h('li', { class: 'empty-list', 'data-testid': 'empty-list' }, ...(search === undefined
      ? [h('strong', {}, 'No notes yet.'), ' Press Ctrl+N (⌘N) or "+ New note" to write one, or paste a ' +
          'link from another device below to join its notebook.']
      : [`No note contains "${search.query}". Esc clears the search.`])))
    return
  }
  list.replaceChildren(...joining, ...rows)
}

function noteRow (note: NoteSummary, selected: boolean, status: NotesStatus | undefined, actions: ListActions) {
  const { tone, label, pending } = describeNote(status?.notes[note.id], status?.offline ?? false)
  return h('li', {},
    h('button', {
      class: selected ? 'note-row selected' : 'note-row',
      'data-testid': 'note-row',
      'data-id': note.id,
      'aria-current': selected ? 'true' : undefined,
      onclick: () => { actions.select(note.id) }
    },
    h('span', { class: 'row-title' }, note.title === '' ? 'New note' : note.title),
    h('span', { class: 'row-preview', 'data-testid': 'row-preview' },
      note.preview === '' ? 'No additional text' : note.preview),
    h('span', { class: 'row-meta' },
      h('span', { class: `dot ${tone}`, title: pending === '' ? label : `${label} · ${pending}` }),
      relativeTime(note.updatedAt)
    ))
  )
}

function joiningRow (joining: JoiningNote, status: NotesStatus | undefined, actions: ListActions) {
  return h('li', { class: 'joining-row', 'data-testid': 'joining-row', 'data-id': joining.id },
    h('span', { class: 'row-title' }, 'Shared note on its way'),
    h('span', { class: 'row-preview', 'data-testid': 'joining-text' }, describeJoining(joining, status)),
    h('button', { class: 'link', onclick: () => { actions.cancelJoin(joining.id) } }, 'Stop waiting')
  )
}
