/**
 * The notes renderer in headless Chromium, wired to a real NotesService.
 *
 * The renderer is bundled with the app's own build (demo/notes/build.ts) into
 * a temp dir and served from a loopback HTTP server. `window.notes` is the
 * same bridge the Electron preload exposes; only the transport differs
 * (a Playwright binding instead of IPC), and calls go through the same
 * dispatcher the Electron main process uses.
 *
 * Chromium is found at $CHROMIUM_PATH or /usr/bin/chromium; without it these
 * tests are skipped unless WEFT_REQUIRE_BROWSER=1 (CI), which makes it a failure.
 */
import { createServer } from 'node:http'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'
import { chromium, type Browser, type Page } from 'playwright-core'
import { buildRenderer } from '../../demo/notes/build.js'
import { dispatchNotesCall } from '../../demo/notes/main/ipc.js'
import type { NotesService } from '../../demo/notes/main/notes-service.js'
import type { NotesEvent } from '../../demo/notes/shared/bridge.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Why the browser test cannot run here, or undefined when it can. */
export function browserSkipReason (): string | undefined {
  if (existsSync(CHROMIUM)) return undefined
  if (process.env.WEFT_REQUIRE_BROWSER === '1') {
    throw new Error(`WEFT_REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
  }
  return `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json'
}

export interface NotesBrowser {
  /** A page showing the notes app over `service`. */
  open: (service: NotesService, name: string, viewport?: { width: number, height: number }) => Promise<Page>
  logs: string[]
  close: () => Promise<void>
}

export async function startNotesBrowser (): Promise<NotesBrowser> {
  const outdir = await mkdtemp(join(tmpdir(), 'weft-notes-ui-'))
  const closers: Array<() => Promise<void>> = [async () => { await rm(outdir, { recursive: true, force: true }) }]
  let browser: Browser | undefined
  const close = async (): Promise<void> => {
    for (const fn of closers.splice(0).reverse()) await fn().catch(() => {})
  }
  try {
    await buildRenderer(outdir)
    const bridge = await build({
      entryPoints: [fileURLToPath(new URL('./page-bridge.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'warning'
    })
    const bridgeCode = bridge.outputFiles[0].text

    const server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
        .replace(/^(\.\.[/\\])+/, '')
      const file = join(outdir, path === '/' ? 'index.html' : path)
      readFile(file).then(body => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body)
      }, () => { res.writeHead(404).end() })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    closers.push(async () => {
      const closed = new Promise<void>(resolve => server.close(() => { resolve() }))
      server.closeAllConnections()
      await closed
    })
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      timeout: 30_000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage']
    })
    const launched = browser
    closers.push(async () => { await launched.close() })
    const logs: string[] = []

    return {
      logs,
      close,
      async open (service, name, viewport = { width: 1100, height: 680 }) {
        const context = await launched.newContext({ viewport, deviceScaleFactor: 1 })
        const page = await context.newPage()
        page.on('console', msg => { logs.push(`[${name}] ${msg.type()}: ${msg.text()}`) })
        page.on('pageerror', err => { logs.push(`[${name}] pageerror: ${err.stack ?? err.message}`) })
        await page.exposeBinding('__notesInvoke',
          async (_source, method: unknown, args: unknown) => await dispatchNotesCall(service, method, args))
        await page.addInitScript({ content: bridgeCode })
        // Events keep their order: each waits for the previous one to be delivered.
        let delivering = Promise.resolve()
        const stop = service.onEvent((event: NotesEvent) => {
          delivering = delivering.then(async () => {
            await page.evaluate(e => { window.__notesDeliver?.(e) }, event)
          }).catch(() => {})
        })
        closers.push(async () => { stop(); await context.close() })
        await page.goto(baseUrl)
        await page.waitForFunction(
          () => /^(Online|Offline|Working)/.test(document.querySelector('[data-testid=network]')?.textContent ?? ''),
          undefined, { timeout: 20_000 })
        return page
      }
    }
  } catch (err) {
    await close()
    throw err
  }
}
