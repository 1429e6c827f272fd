/**
 * The notes UI in headless Chromium over a real NotesService ("desktop"), with
 * a second real NotesService ("phone") on loopback as the other device.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { browserSkipReason, startNotesBrowser, type NotesBrowser } from './notes/browser.js'
import { Devices, hasText, waitFor } from './notes/services.js'

const skip = browserSkipReason()

/** The editor's text as CodeMirror shows it. */
async function editorText (page: Page): Promise<string> {
  return await page.evaluate(() =>
    Array.from(document.querySelectorAll('.cm-content .cm-line')).map(l => l.textContent).join('\n'))
}

async function typeLines (page: Page, lines: string[]): Promise<void> {
  for (const [i, line] of lines.entries()) {
    if (i > 0) await page.keyboard.press('Enter')
    await page.keyboard.type(line, { delay: 5 })
  }
}

test('the notes UI creates, edits, shows sync state, and merges a second device\'s edits', {
  skip,
  timeout: 120_000
}, async () => {
  const devices = new Devices()
  let browser: NotesBrowser | undefined
  try {
    const desktop = await devices.start()
    browser = await startNotesBrowser()
    const page = await browser.open(desktop, 'desktop')
    const badge = page.getByTestId('sync-badge')
    const selectedTitle = page.locator('.note-row.selected .row-title')
    const pending = page.getByTestId('pending')

    // Alone: the app works offline from the first keystroke.
    assert.equal(await page.getByTestId('network').textContent(), 'Offline · no peers')
    assert.match(await page.getByTestId('note-list').textContent() ?? '', /^No notes yet\. Press Ctrl\+N/)
    assert.match(await page.getByTestId('empty-pane').textContent() ?? '', /Your notebook is empty/)
    await page.getByTestId('new-note').click()
    await page.locator('.cm-content').waitFor()
    await typeLines(page, ['Shopping list', 'Apples'])
    await waitFor('the note is persisted in the service', () => {
      const [note] = desktop.listNotes()
      return note !== undefined && hasText(desktop, note.id, 'Shopping list\nApples')
    })
    const id = desktop.listNotes()[0].id
    await selectedTitle.filter({ hasText: 'Shopping list' }).waitFor()
    await page.locator('.note-row.selected .row-preview').filter({ hasText: 'Apples' }).waitFor()
    assert.equal(await page.locator('h2, h1').filter({ hasText: 'Shopping list' }).count(), 0,
      'the title is the editor\'s first line and the row\'s title, not a third heading')
    await badge.filter({ hasText: 'Offline' }).waitFor()
    assert.equal(await pending.textContent(), 'Unsent changes · not synced yet')

    // The share panel hands out a link; a second device joins the notebook with it.
    await page.getByTestId('share').click()
    await page.getByTestId('share-panel').waitFor()
    const noteLink = await page.getByTestId('share-link').inputValue()
    assert.match(noteLink, new RegExp(`^weft://${id}\\?kind=note&peer=`))
    const phone = await devices.start()
    await phone.joinLink(await desktop.shareLink())
    await waitFor('the phone has the note', () => hasText(phone, id, 'Shopping list\nApples'))
    await badge.filter({ hasText: 'Synced' }).waitFor({ timeout: 20_000 })
    await pending.waitFor({ state: 'hidden', timeout: 20_000 })
    assert.equal(await page.getByTestId('network').textContent(), 'Online · 1 peer')

    // The phone edits: the text appears in the page's editor.
    await phone.editNote(id, { splice: { index: phone.noteText(id).length, remove: 0, insert: '\nPears' } })
    await waitFor('the phone\'s edit shows in the editor',
      async () => await editorText(page) === 'Shopping list\nApples\nPears')

    // Work offline from the UI, edit on both sides, come back: both edits survive on both devices.
    await page.getByTestId('offline-toggle').check()
    await badge.filter({ hasText: 'Working offline' }).waitFor()
    assert.equal(await page.getByTestId('network').textContent(), 'Working offline')
    await page.locator('.cm-content').click()
    await page.keyboard.press('Control+End')
    await typeLines(page, ['', 'Cherries'])
    await phone.editNote(id, { splice: { index: 0, remove: 0, insert: '☆ ' } })
    await pending.filter({ hasText: /^Unsent changes · last synced (just now|1 min ago)$/ }).waitFor()
    await page.waitForTimeout(500)
    assert.equal(await editorText(page), 'Shopping list\nApples\nPears\nCherries', 'nothing arrives while offline')
    await page.screenshot({ path: join(tmpdir(), 'weft-notes-offline.png') })

    await page.getByTestId('offline-toggle').uncheck()
    const merged = '☆ Shopping list\nApples\nPears\nCherries'
    await waitFor('the edits merge on both devices and in the editor', async () =>
      hasText(phone, id, merged) && hasText(desktop, id, merged) && await editorText(page) === merged, 30_000)
    await badge.filter({ hasText: 'Synced' }).waitFor({ timeout: 20_000 })
    await pending.waitFor({ state: 'hidden', timeout: 20_000 })
    await selectedTitle.filter({ hasText: '☆ Shopping list' }).waitFor()

    // Joining from the UI: the phone shares a note of its own, the page pastes the link.
    const recipe = await phone.createNote('Pancakes\n2 eggs, 1 cup flour, 1 cup milk')
    await page.getByTestId('join-input').fill(await phone.shareLink(recipe.id))
    await page.getByTestId('join').click()
    await waitFor('the joined note opens in the editor',
      async () => await editorText(page) === 'Pancakes\n2 eggs, 1 cup flour, 1 cup milk')
    await page.getByTestId('note-row').filter({ hasText: 'Pancakes' }).waitFor()
    await page.getByTestId('note-row').filter({ hasText: '☆ Shopping list' }).click()
    await selectedTitle.filter({ hasText: '☆ Shopping list' }).waitFor()
    await badge.filter({ hasText: 'Synced' }).waitFor({ timeout: 20_000 })

    const shot = join(tmpdir(), 'weft-notes-screenshot.png')
    await page.screenshot({ path: shot })
    console.log(`# screenshots: ${shot}, ${join(tmpdir(), 'weft-notes-offline.png')}`)

    // Deleting from the UI takes two clicks and removes the note on both devices.
    await page.getByTestId('note-row').filter({ hasText: 'Pancakes' }).click()
    await selectedTitle.filter({ hasText: 'Pancakes' }).waitFor()
    await page.getByTestId('delete').click()
    assert.equal(await page.getByTestId('delete').textContent(), 'Really delete?')
    assert.ok(desktop.listNotes().some(n => n.id === recipe.id), 'one click deletes nothing')
    await page.getByTestId('delete').click()
    const listed = (service: typeof desktop): boolean => service.listNotes().some(n => n.id === recipe.id)
    await waitFor('the note is gone on both devices', () => !listed(desktop) && !listed(phone))
    await page.getByTestId('note-row').filter({ hasText: 'Pancakes' }).waitFor({ state: 'detached' })
    await page.getByTestId('empty-pane').filter({ hasText: 'Pick a note on the left' }).waitFor()
    assert.deepEqual(browser.logs.filter(l => /pageerror|error:/.test(l)), [])
  } catch (err) {
    if (browser !== undefined) console.log(browser.logs.join('\n'))
    throw err
  } finally {
    await browser?.close()
    await devices.cleanup()
  }
})
