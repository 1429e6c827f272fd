/**
 * The notes app in a browser tab: serves the renderer that Electron shows (demo/notes/renderer),
 * plus a small script that gives it `window.notes` over a WebSocket. Calls go through the same
 * dispatcher as Electron's IPC (`main/ipc.ts`), so the page can do exactly what the app can.
 *
 * It listens on loopback only and accepts WebSockets only from its own page (Origin check): the
 * bridge can read and edit every note, and any web site could otherwise reach a local port.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'
import { WebSocketServer, type WebSocket } from 'ws'
import { buildRenderer } from '../build.js'
import { dispatchNotesCall } from '../main/ipc.js'
import type { NotesService } from '../main/notes-service.js'
import { parseWithBytes, stringifyWithBytes } from '../shared/bytes-json.js'
import type { WebCall, WebReply } from './protocol.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json'
}
const FILES = new Set(['/index.html', '/renderer.js', '/renderer.js.map', '/styles.css', '/web-bridge.js'])

export interface NotesWeb {
  /** The page to open: `http://127.0.0.1:<port>/`. */
  url: string
  close: () => Promise<void>
}

/** Builds the renderer into a temp dir and serves it with the bridge on 127.0.0.1:`port` (0: any free port). */
export async function startNotesWeb (service: NotesService, port = 0): Promise<NotesWeb> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-notes-web-'))
  try {
    await buildPage(dir)
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const file = path === '/' ? '/index.html' : path
    if (!FILES.has(file)) {
      res.writeHead(404).end()
      return
    }
    readFile(join(dir, file)).then(body => {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body)
    }, () => { res.writeHead(404).end() })
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, '127.0.0.1', resolve)
  })
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`
  const sockets = new WebSocketServer({
    server: http,
    path: '/bridge',
    verifyClient: ({ req }: { req: IncomingMessage }) => req.headers.origin === url.slice(0, -1)
  })
  sockets.on('connection', socket => { bridge(socket, service) })

  return {
    url,
    async close () {
      for (const client of sockets.clients) client.terminate()
      await new Promise<void>(resolve => { sockets.close(() => { resolve() }) })
      http.closeAllConnections()
      await new Promise<void>(resolve => { http.close(() => { resolve() }) })
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** One page: its calls go to the dispatcher, the service's events come back to it, in order. */
function bridge (socket: WebSocket, service: NotesService): void {
  const send = (reply: WebReply): void => {
    if (socket.readyState === socket.OPEN) socket.send(stringifyWithBytes(reply))
  }
  const stopEvents = service.onEvent(event => { send({ event }) })
  socket.on('close', stopEvents)
  socket.on('message', data => {
    let call: WebCall
    try {
      call = parseWithBytes(String(data)) as WebCall
    } catch {
      socket.close(1003, 'not JSON')
      return
    }
    dispatchNotesCall(service, call.method, call.args).then(
      result => { send({ id: call.id, result }) },
      (err: unknown) => { send({ id: call.id, error: err instanceof Error ? err.message : String(err) }) })
  })
}

/** The renderer as Electron gets it, plus the bridge script loaded before it. */
async function buildPage (dir: string): Promise<void> {
  await buildRenderer(dir)
  await build({
    entryPoints: [fileURLToPath(new URL('./page-bridge.ts', import.meta.url))],
    outfile: join(dir, 'web-bridge.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning'
  })
  const index = await readFile(join(dir, 'index.html'), 'utf8')
  const withBridge = index.replace('<script type="module" src="renderer.js">',
    '<script src="web-bridge.js"></script>\n  <script type="module" src="renderer.js">')
  if (withBridge === index) throw new Error('index.html has no renderer.js script tag to put the bridge before')
  await writeFile(join(dir, 'index.html'), withBridge)
}
