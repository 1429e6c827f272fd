/**
 * The notes UI as a product, in headless Chromium over two real devices
 * (NotesService on loopback, real LevelDB), each in its own page: device
 * names, presence (remote cursors and names), shortcuts, search, a joined
 * note waiting for its holder, the narrow layout.
 *
 * WEFT_NOTES_SCREENSHOTS=1 (npm run notes:screenshots) writes the screenshots
 * to docs/notes-*.png for the README; otherwise they go to the temp dir.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { browserSkipReason, startNotesBrowser, type NotesBrowser } from './notes/browser.js'
import { Devices, hasText, waitFor } from './notes/services.js'

const skip = browserSkipReason()
const shots = process.env.WEFT_NOTES_SCREENSHOTS === '1'
  ? fileURLToPath(new URL('../docs/', import.meta.url))
  : tmpdir()

/** The editor's text as CodeMirror shows it, without other devices' cursor labels. */
async function editorText (page: Page): Promise<string> {
  return await page.evaluate(() => Array.from(document.querySelectorAll('.cm-content .cm-line')).map(line => {
    const copy = line.cloneNode(true) as Element
    for (const caret of Array.from(copy.querySelectorAll('.cm-ySelectionCaret'))) caret.remove()
    return copy.textContent
  }).join('\n'))
}

/** Ctrl+N, then waits for the new (empty) note to be the one in the editor, focused. */
async function newNoteByKeyboard (page: Page, count: number): Promise<void> {
  await page.keyboard.press('Control+n')
  await waitFor('a new note is open', async () => await page.getByTestId('note-row').count() === count &&
    await page.locator('.note-row.selected .row-title').textContent() === 'New note' &&
    await page.locator('.cm-placeholder').count() === 1 &&
    await page.evaluate(() => document.activeElement?.closest('.cm-editor') != null))
}

async function nameDevice (page: Page, name: string): Promise<void> {
  await page.getByTestId('device-name').fill(name)
  await page.getByTestId('device-name').press('Enter')
}

test('two devices see each other by name, with cursors in a shared note; shortcuts, search and waiting joins work', {
  skip,
  timeout: 150_000
}, async () => {
  const devices = new Devices()
  let browser: NotesBrowser | undefined
  try {
    const desktop = await devices.start()
    const phone = await devices.start(undefined, { joinWaitMs: 500 })
    browser = await startNotesBrowser()
    const desk = await browser.open(desktop, 'desktop')
    const mobile = await browser.open(phone, 'phone', { width: 420, height: 760 })
    await nameDevice(desk, 'Ada\'s laptop')
    await nameDevice(mobile, 'Ada\'s phone')
    await waitFor('the names are saved', () =>
      desktop.status().deviceName === 'Ada\'s laptop' && phone.status().deviceName === 'Ada\'s phone')

    // Ctrl+N starts a note from anywhere; the empty states said how.
    assert.match(await desk.getByTestId('empty-pane').textContent() ?? '', /Ctrl\+N/)
    await newNoteByKeyboard(desk, 1)
    await desk.keyboard.type('Trip to Lisbon\nBook the train on Friday\nPack the zebra-print umbrella', { delay: 2 })
    await newNoteByKeyboard(desk, 2)
    await desk.keyboard.type('Reading list\nThe Dispossessed', { delay: 2 })
    await waitFor('two notes on the desktop', () => desktop.listNotes().length === 2 &&
      desktop.listNotes().every(n => n.preview !== ''))
    const trip = desktop.listNotes().find(n => n.title === 'Trip to Lisbon')
    assert.ok(trip !== undefined)
    await desk.getByTestId('note-row').filter({ hasText: 'Trip to Lisbon' })
      .getByTestId('row-preview').filter({ hasText: 'Book the train on Friday Pack the zebra-print umbrella' })
      .waitFor()

    // Search (Ctrl+K) looks into titles and text; Escape clears it.
    await desk.keyboard.press('Control+k')
    assert.equal(await desk.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'search')
    await desk.keyboard.type('zebra')
    await waitFor('only the matching note is listed', async () =>
      await desk.getByTestId('note-row').count() === 1 &&
      await desk.getByTestId('note-row').first().getAttribute('data-id') === trip.id)
    await desk.keyboard.type('-nothing')
    await desk.getByTestId('empty-list').filter({ hasText: 'No note contains "zebra-nothing"' }).waitFor()
    await desk.keyboard.press('Escape')
    await waitFor('the search is cleared', async () => await desk.getByTestId('note-row').count() === 2)
    assert.equal(await desk.getByTestId('search').inputValue(), '')

    // Escape closes the share panel.
    await desk.getByTestId('note-row').filter({ hasText: 'Trip to Lisbon' }).click()
    await desk.getByTestId('share').click()
    await desk.getByTestId('share-panel').waitFor()
    await desk.getByText('Share the whole notebook').click()
    const notebookLink = await desk.getByTestId('share-link').inputValue()
    await desk.keyboard.press('Escape')
    await desk.getByTestId('share-panel').waitFor({ state: 'hidden' })

    // The phone joins the notebook from its UI; each lists the other by name.
    await mobile.getByTestId('join-input').fill(notebookLink)
    await mobile.getByTestId('join').click()
    await waitFor('the phone has the trip note', () => hasText(phone, trip.id,
      'Trip to Lisbon\nBook the train on Friday\nPack the zebra-print umbrella'), 30_000)
    await desk.getByTestId('peer').filter({ hasText: 'Ada\'s phone' }).waitFor({ timeout: 20_000 })
    await mobile.getByTestId('peer').filter({ hasText: 'Ada\'s laptop' }).waitFor({ timeout: 20_000 })

    // Narrow window: with a note open the list folds away; ☰ brings it back over the note.
    await mobile.getByTestId('note-row').filter({ hasText: 'Trip to Lisbon' }).click()
    await mobile.locator('.cm-content').waitFor()
    const sidebarLeft = async (): Promise<number> =>
      (await mobile.getByTestId('sidebar').boundingBox())?.x ?? Number.NaN
    await waitFor('the sidebar folds away', async () => await sidebarLeft() < -200)
    await mobile.getByTestId('toggle-sidebar').click()
    await waitFor('the sidebar slides back', async () => await sidebarLeft() === 0)
    await mobile.keyboard.press('Escape')
    await waitFor('Escape folds it again', async () => await sidebarLeft() < -200)

    // Presence: both in the same note, each sees the other's name and cursor.
    await desk.locator('.cm-content').click()
    await desk.keyboard.press('Control+End')
    await mobile.locator('.cm-line').first().click()
    await mobile.keyboard.press('End')
    await desk.getByTestId('visitor').filter({ hasText: 'Ada\'s phone' }).waitFor({ timeout: 20_000 })
    await mobile.getByTestId('visitor').filter({ hasText: 'Ada\'s laptop' }).waitFor({ timeout: 20_000 })
    await desk.locator('.cm-ySelectionInfo').filter({ hasText: 'Ada\'s phone' }).waitFor({ state: 'attached' })
    await mobile.locator('.cm-ySelectionInfo').filter({ hasText: 'Ada\'s laptop' }).waitFor({ state: 'attached' })
    await mobile.keyboard.type(' by train')
    await waitFor('the phone\'s typing shows on the desktop', async () =>
      (await editorText(desk)).startsWith('Trip to Lisbon by train\n')).catch(async err => {
      console.log(JSON.stringify([await editorText(desk), await editorText(mobile), phone.noteText(trip.id)]))
      throw err
    })
    await desk.getByTestId('edited-by').filter({ hasText: /^Edited just now by Ada's phone$/ }).waitFor()
    await desk.getByTestId('sync-badge').filter({ hasText: 'Synced' }).waitFor({ timeout: 20_000 })
    await mobile.getByTestId('sync-badge').filter({ hasText: 'Synced' }).waitFor({ timeout: 20_000 })
    await desk.waitForTimeout(300)
    await desk.screenshot({ path: join(shots, 'notes-laptop.png') })
    await mobile.screenshot({ path: join(shots, 'notes-phone.png') })

    // The phone leaves the note: its name and cursor go from the desktop's editor.
    await mobile.getByTestId('toggle-sidebar').click()
    await mobile.getByTestId('note-row').filter({ hasText: 'Reading list' }).click()
    await desk.getByTestId('visitor').waitFor({ state: 'detached', timeout: 20_000 })
    assert.equal(await desk.locator('.cm-ySelectionInfo').count(), 0)

    // A note shared by a device that is now off: the desktop waits for it, outside the notebook.
    const tablet = await devices.start()
    await tablet.setDeviceName('Old tablet')
    const recipe = await tablet.createNote('Pancakes\n2 eggs')
    const recipeLink = await tablet.shareLink(recipe.id)
    await devices.stop(tablet)
    await desk.getByTestId('join-input').fill(recipeLink)
    await desk.getByTestId('join').click()
    const waiting = desk.getByTestId('joining-row')
    await waiting.getByTestId('joining-text').filter({ hasText: /^Waiting for Old tablet to come online$/ })
      .waitFor({ timeout: 20_000 })
    assert.equal(await desk.getByTestId('note-row').count(), 2, 'no empty note was added')
    assert.equal(desktop.listNotes().length, 2)
    await desk.screenshot({ path: join(shots, 'notes-waiting.png') })
    await waiting.getByText('Stop waiting').click()
    await waiting.waitFor({ state: 'detached' })
    assert.deepEqual(desktop.status().joining, [])

    assert.deepEqual(browser.logs.filter(l => /pageerror|error:/.test(l)), [])
  } catch (err) {
    if (browser !== undefined) console.log(browser.logs.join('\n'))
    throw err
  } finally {
    await browser?.close()
    await devices.cleanup()
  }
})
