/**
 * The history panel in headless Chromium over two real devices: who edited
 * last, the timeline, any past version, and restore as a new edit that
 * reaches the other device.
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

async function editorText (page: Page): Promise<string> {
  return await page.evaluate(() =>
    Array.from(document.querySelectorAll('.cm-content .cm-line')).map(l => l.textContent).join('\n'))
}

test('the history panel names who edited, shows any past version, and restores one as a new edit', {
  skip,
  timeout: 120_000
}, async () => {
  const devices = new Devices()
  let browser: NotesBrowser | undefined
  try {
    const laptop = await devices.start()
    const phone = await devices.start()
    await laptop.setDeviceName('Ada\'s laptop')
    await phone.setDeviceName('Ada\'s phone')
    const first = 'Packing list\nPassport\nCharger'
    const plan = await laptop.createNote(first)
    await phone.joinLink(await laptop.shareLink())
    await waitFor('the phone has the note', () => hasText(phone, plan.id, first))
    await new Promise(resolve => setTimeout(resolve, 50)) // distinct stamps for distinct versions
    await phone.editNote(plan.id, { splice: { index: first.length, remove: 0, insert: '\nSunscreen' } })
    const second = `${first}\nSunscreen`
    await waitFor('the phone\'s edit reaches the laptop', () => hasText(laptop, plan.id, second))

    browser = await startNotesBrowser()
    const page = await browser.open(laptop, 'laptop')
    await page.getByTestId('note-row').filter({ hasText: 'Packing list' }).click()
    await page.getByTestId('edited-by').filter({ hasText: /^Edited just now by Ada's phone$/ }).waitFor()

    // The laptop edits; the line follows.
    await page.locator('.cm-content').click()
    await page.keyboard.press('Control+End')
    await page.keyboard.type('\nBooks', { delay: 5 })
    const third = `${second}\nBooks`
    await waitFor('the laptop\'s edit is stored', () => hasText(laptop, plan.id, third))
    await page.getByTestId('edited-by').filter({ hasText: /^Edited just now on this device$/ }).waitFor()

    // The timeline: newest first, each run of edits named by its device.
    await page.getByTestId('history').click()
    const points = page.getByTestId('history-point')
    await waitFor('three points on the timeline', async () => await points.count() === 3)
    assert.deepEqual(await page.locator('.history-who').allTextContents(),
      ['This device', 'Ada\'s phone', 'This device'])
    const preview = page.getByTestId('history-preview')
    await preview.filter({ hasText: 'Books' }).waitFor()
    assert.equal(await page.getByTestId('restore').isDisabled(), true, 'the newest point is the note as it is')

    // Any past version: a click, or the slider.
    await points.nth(1).click()
    await waitFor('the phone\'s version', async () => await preview.textContent() === second)
    await page.getByTestId('history-slider').fill('0')
    await waitFor('the first version', async () => await preview.textContent() === first)
    await page.screenshot({ path: join(shots, 'notes-history.png') })

    // Restore: the first version becomes the note again, as a new edit both devices get.
    await page.getByTestId('restore').click()
    await waitFor('the editor shows the restored text', async () => await editorText(page) === first)
    await waitFor('the phone gets the restore', () => hasText(phone, plan.id, first), 20_000)
    await waitFor('the timeline keeps every version', async () =>
      await page.locator('.history-who').count() >= 3 && await preview.textContent() === first)
    await points.nth(1).click()
    await waitFor('the phone\'s version is still there', async () => await preview.textContent() === second)

    await page.keyboard.press('Escape')
    await page.getByTestId('history-panel').waitFor({ state: 'hidden' })
    const phoneHistory = await phone.noteHistory(plan.id)
    assert.equal(phoneHistory[0].name, 'Ada\'s laptop', 'the phone names the laptop\'s restore')
    assert.deepEqual(browser.logs.filter(l => /pageerror|error:/.test(l)), [])
  } catch (err) {
    if (browser !== undefined) console.log(browser.logs.join('\n'))
    throw err
  } finally {
    await browser?.close()
    await devices.cleanup()
  }
})
