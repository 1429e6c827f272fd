/**
 * `npm run notes:web`, the notes app without Electron: the real entry point in a child process
 * (its own NotesService and LevelDB, peers on 127.0.0.1 only), opened in headless Chromium at the
 * URL it prints. A note is created and edited in the page, survives a reload (it went through the
 * WebSocket bridge into the service), and a page from another origin cannot open the bridge.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { chromium, type Page } from 'playwright-core'
import { WebSocket } from 'ws'
import { ROOT, withTimeout } from './daemon/harness.js'
import { CHROMIUM, browserSkipReason } from './notes/browser.js'
import { waitFor } from './notes/services.js'

const skip = browserSkipReason()

async function editorText (page: Page): Promise<string> {
  return await page.evaluate(() =>
    Array.from(document.querySelectorAll('.cm-content .cm-line')).map(l => l.textContent).join('\n'))
}

test('npm run notes:web serves the notes app on 127.0.0.1, where a note can be created and edited', {
  skip,
  timeout: 120_000
}, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'weft-notes-web-'))
  const args = ['--import', 'tsx', 'demo/notes/web.ts', '--data-dir', dataDir, '--host', '127.0.0.1', '--no-mdns']
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout.on('data', (c: Buffer) => { output += c.toString() })
  proc.stderr.on('data', (c: Buffer) => { output += c.toString() })
  const exited = new Promise<number | null>(resolve => { proc.on('exit', resolve) })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage']
  })
  try {
    const urlLine = /open (http:\/\/127\.0\.0\.1:\d+\/)$/m
    await waitFor('the URL line', () => urlLine.test(output), 60_000)
    const url = urlLine.exec(output)![1]
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', err => { errors.push(err.message) })
    await page.goto(url)
    await page.getByTestId('network').filter({ hasText: /^Offline/ }).waitFor({ timeout: 20_000 })

    await page.getByTestId('new-note').click()
    await page.locator('.cm-content').waitFor()
    await page.keyboard.type('Groceries', { delay: 5 })
    await page.keyboard.press('Enter')
    await page.keyboard.type('Milk', { delay: 5 })
    await page.getByTestId('note-row').filter({ hasText: 'Groceries' }).waitFor()
    // Edit it again: the second line changes.
    await page.keyboard.press('Backspace')
    await page.keyboard.press('Backspace')
    await page.keyboard.type('ngo', { delay: 5 })
    await waitFor('the editor shows the edit', async () => await editorText(page) === 'Groceries\nMingo')

    // A reload starts from the service: the note and its edit came through the bridge.
    await page.reload()
    await page.getByTestId('note-row').filter({ hasText: 'Groceries' }).click()
    await waitFor('the reloaded page shows the stored note', async () => await editorText(page) === 'Groceries\nMingo')
    assert.deepEqual(errors, [])

    // Only the page itself may open the bridge: another origin is refused at the handshake.
    const foreign = new WebSocket(`${url.replace('http', 'ws')}bridge`, { headers: { origin: 'http://example.com' } })
    const refused = await withTimeout(new Promise<number>(resolve => {
      foreign.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0) })
      foreign.on('open', () => { resolve(101) })
      foreign.on('error', () => { resolve(-1) })
    }), 10_000, 'the foreign WebSocket to be answered')
    assert.equal(refused, 401)
  } finally {
    await browser.close()
    proc.kill('SIGTERM')
    const code = await withTimeout(exited, 20_000, 'notes:web to stop', () => output)
      .catch(() => { proc.kill('SIGKILL') })
    await rm(dataDir, { recursive: true, force: true })
    assert.equal(code, 0, output)
  }
})
