import type { HistoryPoint, NotesBridge } from '../shared/bridge.js'
import { h } from './dom.js'
import { relativeTime } from './status-text.js'

/** "Edited 3 min ago by Ada's phone": the toolbar's line about the last change. */
export function describeLastEdit (points: HistoryPoint[], now = Date.now()): string {
  const last = points[0]
  if (last === undefined) return ''
  return last.mine
    ? `Edited ${relativeTime(last.time, now)} on this device`
    : `Edited ${relativeTime(last.time, now)} by ${last.name}`
}

/**
 * The history panel: the note's timeline (one point per run of edits by one
 * device, newest first, and a slider to scrub through them), the text as it
 * was at the chosen point, and "Restore this version", which makes that text
 * the note's again as a new edit.
 */
export class HistoryPanel {
  readonly root = h('section', { class: 'history-panel', 'data-testid': 'history-panel', hidden: true })
  private readonly list = h('ol', { class: 'history-list' })
  private readonly slider = h('input', {
    type: 'range', min: 0, max: 0, step: 1, 'aria-label': 'Point in time', 'data-testid': 'history-slider'
  })

  private readonly when = h('div', { class: 'history-when', 'data-testid': 'history-when' })
  private readonly preview = h('pre', { class: 'history-preview', 'data-testid': 'history-preview' })
  private readonly restore = h('button', { class: 'primary', 'data-testid': 'restore' }, 'Restore this version')
  private points: HistoryPoint[] = []
  private chosen = 0
  private noteId: string | undefined
  private loading = 0

  constructor (private readonly bridge: NotesBridge, private readonly run: (action: () => Promise<void>) => void) {
    const close = h('button', { class: 'close', 'aria-label': 'Close', title: 'Close (Esc)' }, '×')
    close.onclick = () => { this.hide() }
    this.slider.oninput = () => { this.choose(this.points.length - 1 - Number(this.slider.value)) }
    this.restore.onclick = () => { this.run(async () => { await this.restoreChosen() }) }
    this.root.append(
      h('div', { class: 'share-head' }, h('span', {}, 'History of this note'), close),
      this.slider,
      h('div', { class: 'history-body' },
        this.list,
        h('div', { class: 'history-view' }, this.when, this.preview, h('div', {}, this.restore)))
    )
  }

  get open (): boolean {
    return !this.root.hidden
  }

  async show (noteId: string): Promise<void> {
    this.noteId = noteId
    this.points = await this.bridge.noteHistory(noteId)
    if (this.noteId !== noteId) return
    this.root.hidden = false
    this.slider.max = String(Math.max(0, this.points.length - 1))
    this.drawList()
    this.choose(0)
  }

  hide (): void {
    this.root.hidden = true
    this.noteId = undefined
  }

  private drawList (): void {
    this.list.replaceChildren(...this.points.map((point, i) => h('li', {},
      h('button', {
        class: i === this.chosen ? 'history-point selected' : 'history-point',
        'data-testid': 'history-point',
        onclick: () => { this.choose(i) }
      },
      h('span', { class: 'history-who' }, point.merged ? `Earlier history (merged by ${point.name})` : point.name),
      h('span', { class: 'history-meta' },
        `${new Date(point.time).toLocaleString()} · ${point.edits} ${point.edits === 1 ? 'change' : 'changes'}`))
    )))
  }

  private choose (index: number): void {
    const point = this.points[index]
    const noteId = this.noteId
    if (point === undefined || noteId === undefined) {
      this.when.textContent = 'No history yet'
      this.preview.textContent = ''
      this.restore.disabled = true
      return
    }
    this.chosen = index
    this.slider.value = String(this.points.length - 1 - index)
    this.drawList()
    const who = point.mine ? 'this device' : point.name
    this.when.textContent = index === 0
      ? `Now: last edited ${relativeTime(point.time)} by ${who}`
      : `As it was ${relativeTime(point.time)}, after changes by ${who}`
    this.restore.disabled = index === 0
    const ticket = ++this.loading
    this.run(async () => {
      const text = await this.bridge.noteVersion(noteId, point.time)
      if (ticket === this.loading) this.preview.textContent = text === '' ? '(empty)' : text
    })
  }

  private async restoreChosen (): Promise<void> {
    const point = this.points[this.chosen]
    const noteId = this.noteId
    if (point === undefined || noteId === undefined) return
    await this.bridge.restoreVersion(noteId, point.time)
    await this.show(noteId)
  }
}
