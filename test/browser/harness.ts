/**
 * Headless Chromium for the browser tests: bundles test/browser/app.ts (weft's
 * browser build + CodeMirror + y-codemirror.next) once per process, serves it
 * from a loopback HTTP server (a page on 127.0.0.1 may open ws:// to another
 * loopback port), and launches Debian's chromium through playwright-core.
 *
 * Chromium is found at $CHROMIUM_PATH or /usr/bin/chromium; without it the
 * browser tests are skipped with a message unless WEFT_REQUIRE_BROWSER=1
 * (CI sets it, so a missing browser fails the build instead of hiding tests).
 */
import { createServer, type Server } from 'node:http'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import { bundle, root } from '../../scripts/build-browser.mjs'
import type { WeftTestApi } from './app.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Why browser tests cannot run here, or undefined when they can. */
export function browserSkipReason (): string | undefined {
  if (existsSync(CHROMIUM)) return undefined
  if (process.env.WEFT_REQUIRE_BROWSER === '1') {
    throw new Error(`WEFT_REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
  }
  return `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`
}

let built: Promise<{ code: string, bytes: number, ms: number }> | undefined

export async function appBundle (): Promise<{ code: string, bytes: number, ms: number }> {
  // Inline source maps make stack traces readable but the bundle 10x larger: opt in when debugging.
  built ??= bundle({
    entry: join(root, 'test/browser/app.ts'),
    sourcemap: process.env.WEFT_BROWSER_SOURCEMAP === '1' ? 'inline' : false
  })
  return await built
}

const PAGE = '<!doctype html><meta charset="utf-8"><title>weft test</title>' +
  '<body><script type="module" src="/app.js"></script></body>'

export interface Harness {
  browser: Browser
  baseUrl: string
  /** A fresh page (own browser context: own storage, own weft peer) with the app loaded. */
  /** A page in its own browser context (`context`: e.g. `ignoreHTTPSErrors` to trust a test certificate). */
  newPage: (name: string, context?: BrowserContextOptions) => Promise<TestPage>
  /** Browser console lines, prefixed with the page name (printed when a test fails). */
  logs: string[]
  /** Serves `body` at `path` too (for pages other than the test app). */
  addRoute: (path: string, contentType: string, body: string) => void
  close: () => Promise<void>
}

export interface TestPage {
  page: Page
  /** Calls `window.weftTest[method](...args)` in the page. */
  call: <K extends keyof WeftTestApi>(
    method: K,
    ...args: Parameters<WeftTestApi[K]>
  ) => Promise<Awaited<ReturnType<WeftTestApi[K]>>>
}

/** `browserArgs`: extra Chromium command-line switches for this harness's browser. */
export async function startHarness (browserArgs: string[] = []): Promise<Harness> {
  const { code } = await appBundle()
  const routes = new Map<string, { contentType: string, body: string }>()
  const server: Server = createServer((req, res) => {
    const extra = routes.get(req.url ?? '')
    if (extra != null) {
      res.writeHead(200, { 'content-type': extra.contentType }).end(extra.body)
    } else if (req.url === '/' || req.url?.startsWith('/?') === true) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE)
    } else if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(code)
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage', ...browserArgs]
  })
  const logs: string[] = []
  const harness: Harness = {
    browser,
    baseUrl,
    logs,
    addRoute (path, contentType, body) { routes.set(path, { contentType, body }) },
    async newPage (name, contextOptions) {
      const context = await browser.newContext(contextOptions)
      const page = await context.newPage()
      page.on('console', msg => { logs.push(`[${name}] ${msg.type()}: ${msg.text()}`) })
      page.on('pageerror', err => { logs.push(`[${name}] pageerror: ${err.stack ?? err.message}`) })
      await page.goto(baseUrl)
      await page.waitForFunction(() => (globalThis as any).weftTest != null, undefined, { timeout: 20_000 })
      return {
        page,
        call: async (method, ...args) => await page.evaluate(
          async ([m, a]) => await (globalThis as any).weftTest[m as string](...(a as unknown[])),
          [method, args] as const
        )
      }
    },
    async close () {
      await browser.close().catch(() => {})
      const closed = new Promise<void>(resolve => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    }
  }
  return harness
}
