import { h } from './dom.js'

/** The app's elements, built once; NotesApp fills them in. */
export type Layout = ReturnType<typeof buildLayout>

export function buildLayout () {
  const ui = {
    newNote: h('button', { class: 'primary', 'data-testid': 'new-note', title: 'New note (Ctrl+N)' }, '+ New note'),
    network: h('div', { class: 'network', 'data-testid': 'network' }),
    search: h('input', {
      type: 'search',
      placeholder: 'Search notes (Ctrl+K)',
      'aria-label': 'Search notes',
      'data-testid': 'search',
      spellcheck: 'false'
    }),
    list: h('ul', { class: 'note-list', 'data-testid': 'note-list' }),
    joinInput: h('input', {
      type: 'text',
      placeholder: 'Paste a weft:// link',
      'aria-label': 'Link to join',
      'data-testid': 'join-input',
      spellcheck: 'false'
    }),
    joinForm: h('form', { class: 'join' }),
    offline: h('input', { type: 'checkbox', 'data-testid': 'offline-toggle' }),
    deviceName: h('input', {
      type: 'text',
      class: 'device-name',
      'aria-label': 'This device\'s name',
      title: 'This device\'s name, as other devices see it (Enter to save)',
      'data-testid': 'device-name',
      maxlength: 40,
      spellcheck: 'false'
    }),
    peers: h('div', { class: 'peers', 'data-testid': 'peer-list' }),
    toggleSidebar: h('button', {
      class: 'toggle-sidebar', 'data-testid': 'toggle-sidebar', 'aria-label': 'Show notes', title: 'Notes'
    }, '☰'),
    badge: h('span', { class: 'badge', 'data-testid': 'sync-badge' }),
    pending: h('span', { class: 'pending', 'data-testid': 'pending', hidden: true }),
    visitors: h('div', { class: 'visitors', 'data-testid': 'visitors' }),
    editedBy: h('span', { class: 'edited-by', 'data-testid': 'edited-by' }),
    history: h('button', { 'data-testid': 'history', title: 'Who changed what, and earlier versions' }, 'History'),
    share: h('button', { 'data-testid': 'share' }, 'Share'),
    delete: h('button', { class: 'danger', 'data-testid': 'delete' }, 'Delete'),
    sharePanel: h('div', { class: 'share-panel', 'data-testid': 'share-panel', hidden: true }),
    shareWhat: h('span', { class: 'share-what' }),
    shareLink: h('input', { type: 'text', readonly: true, 'data-testid': 'share-link', 'aria-label': 'Share link' }),
    copy: h('button', {}, 'Copy'),
    shareNotebook: h('button', { class: 'link' }, 'Share the whole notebook'),
    closeShare: h('button', { class: 'close', 'aria-label': 'Close', title: 'Close (Esc)' }, '×'),
    editorHost: h('div', { class: 'editor', 'data-testid': 'editor' }),
    emptyMessage: h('div', { class: 'empty-message', 'data-testid': 'empty-pane' }),
    error: h('div', { class: 'error', role: 'alert', 'data-testid': 'error', hidden: true }),
    root: h('div', { class: 'app' })
  }
  ui.joinForm.append(ui.joinInput, h('button', { type: 'submit', 'data-testid': 'join' }, 'Join'))
  ui.sharePanel.append(
    h('div', { class: 'share-head' }, ui.shareWhat, ui.closeShare),
    h('div', { class: 'share-row' }, ui.shareLink, ui.copy),
    h('div', { class: 'share-foot' }, ui.shareNotebook, h('span', {}, 'Anyone with the link can read and edit.'))
  )
  ui.root.append(
    h('aside', { class: 'sidebar', 'data-testid': 'sidebar' },
      h('header', {}, h('h1', {}, 'weft notes'), ui.network),
      h('div', { class: 'sidebar-actions' }, ui.newNote, ui.search),
      ui.list,
      h('footer', {},
        ui.joinForm,
        h('label', { class: 'toggle' }, ui.offline, 'Work offline'),
        h('label', { class: 'device' }, 'This device', ui.deviceName),
        ui.peers)
    ),
    h('main', { class: 'pane' },
      h('div', { class: 'toolbar' },
        ui.toggleSidebar,
        h('div', { class: 'status' }, ui.badge, ui.pending, ui.editedBy),
        ui.visitors,
        h('div', { class: 'actions' }, ui.history, ui.share, ui.delete)
      ),
      ui.sharePanel,
      ui.error,
      ui.editorHost,
      h('div', { class: 'empty' }, ui.emptyMessage)
    )
  )
  return ui
}
