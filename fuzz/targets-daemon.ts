/**
 * Daemon inputs: admin API requests (method, path, Authorization, body) through
 * `AdminServer.handle`, the real handler, with an in-memory request and response
 * in place of a socket; and config files through `resolveDaemonConfig`.
 */
import { Readable } from 'node:stream'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { AdminServer, type AdminBackend } from '../src/daemon/admin-server.js'
import { ConfigError, resolveDaemonConfig } from '../src/daemon/config.js'
import { isValidDocId } from '../src/daemon/doc-id.js'
import { DOC_ID } from './fixture.js'
import { mutate } from './mutate.js'
import type { Rng } from './rng.js'
import { ACCEPTED, FuzzFailure, refused, type Target, type Verdict } from './target.js'

const TOKEN = 'fuzz-token-0123456789abcdef'
const MAX_BODY = 64 * 1024
const enc = new TextEncoder()
const dec = new TextDecoder()
const BOOTSTRAP = '/ip4/1.2.3.4/tcp/1/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

// ---- JSON: structure-aware edits (type confusion, unknown keys, depth, size) -----------

function jsonValue (rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 6 : 8)) {
    case 0: return null
    case 1: return rng.bool()
    case 2: return rng.pick([0, -1, 1.5, 1e308, -0, 2 ** 53, 65535, 65536, 100, 5000])
    case 3: return rng.pick(['', 'off', '127.0.0.1:0', '[::1]:7777', '/ip4/127.0.0.1/tcp/0', 'x'.repeat(9999), '\0'])
    case 4: return rng.pick([BOOTSTRAP, '/dns4/', '/ip6/::/tcp/99999', DOC_ID, '~/a'])
    case 5: return rng.pick(['true', 'yes', '0', 'server', 'json', 'debug', '1e3', ' 5 '])
    case 6: return Array.from({ length: rng.int(4) }, () => jsonValue(rng, depth + 1))
    default:
      return Object.fromEntries(Array.from({ length: rng.int(3) }, (_, i) => [`k${i}`, jsonValue(rng, depth + 1)]))
  }
}

const CONFIG_KEYS = [
  'dataDir', 'data-dir', 'listen', 'announce', 'bootstrap', 'mdns', 'dhtProtocol', 'dht-mode', 'dhtMode', 'pin',
  'admin', 'logFormat', 'logLevel', 'shutdownTimeoutMs', 'adminMaxBodyBytes', 'inboundConnectionThreshold',
  'unknown', '__proto__', 'constructor'
]
const CONFIG_SEEDS: Array<Record<string, unknown>> = [
  {},
  { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, admin: '127.0.0.1:0', pin: [DOC_ID], logLevel: 'debug' },
  { 'data-dir': './data', 'dht-mode': 'client', 'shutdown-timeout': 2000, bootstrap: BOOTSTRAP },
  {
    admin: 'off',
    announce: '/dns4/example.org/tcp/7776 /ip4/1.2.3.4/tcp/7776',
    adminMaxBodyBytes: 1024,
    inboundConnectionThreshold: 50
  }
]

function mutateJson (rng: Rng, seed: Record<string, unknown>, keys: string[]): string {
  const obj: Record<string, unknown> = { ...seed }
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const existing = Object.keys(obj)
    if (existing.length > 0 && rng.bool(0.2)) delete obj[rng.pick(existing)]
    else obj[rng.pick(keys)] = jsonValue(rng)
  }
  const r = rng.int(20)
  // Whole-document type confusion and nesting deep enough to test the parser's stack.
  if (r === 0) return JSON.stringify(jsonValue(rng))
  if (r === 1) return '['.repeat(rng.pick([100, 100_000])) + ']'.repeat(rng.pick([0, 100]))
  return JSON.stringify(obj)
}

// ---- config files -------------------------------------------------------------------------

function configReason (err: ConfigError): string {
  if (/not valid JSON/.test(err.message)) return 'not-json'
  if (/unknown option/.test(err.message)) return 'unknown-option'
  if (/must hold a JSON object/.test(err.message)) return 'not-object'
  return 'bad-value'
}

export function configTarget (): Target {
  return {
    name: 'config',
    generate: (rng) => {
      const text = enc.encode(mutateJson(rng, rng.pick(CONFIG_SEEDS), CONFIG_KEYS))
      return rng.bool(0.3) ? mutate(rng, text, CONFIG_SEEDS.map(s => enc.encode(JSON.stringify(s)))) : text
    },
    run: (input): Verdict => {
      try {
        const readFile = (): string => dec.decode(input)
        resolveDaemonConfig({ flags: { config: '/fuzz/weft.json' }, env: {}, cwd: '/fuzz', readFile })
        return ACCEPTED
      } catch (err) {
        if (err instanceof ConfigError) return refused(configReason(err))
        throw err
      }
    }
  }
}

// ---- admin API ----------------------------------------------------------------------------

const METHODS = ['GET', 'POST', 'DELETE', 'HEAD', 'PUT', 'OPTIONS', 'get', 'Post', '', 'G\u0000ET', 'CONNECT']
const AUTH = [
  `Bearer ${TOKEN}`, `bearer \t${TOKEN} `, '', 'Bearer', 'Bearer x', `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN}\u0000`,
  `Bearer ${TOKEN} x`
]
const ID_EDITS = [
  DOC_ID, 'a'.repeat(26), DOC_ID.toUpperCase(), '', '%', '%zz', '%e0%80', '%ff', '%00', '%2F', '..', 'x'.repeat(20_000),
  '\u00e9', '\ud800', 'a/b', DOC_ID + '?x=1', DOC_ID + '#f', '%61'.repeat(26)
]
const PATHS = [
  '/health', '/status', '/peers', '/docs', '/pins', '/metrics', '/', '*', '', '//docs', '/docs/', 'http://h/pins/x',
  '/pins?x', '/%2e%2e/status'
]

function pathOf (rng: Rng): string {
  if (rng.bool(0.4)) return rng.pick(PATHS)
  return `/${rng.pick(['docs', 'pins', 'status'])}/${rng.pick(ID_EDITS)}${rng.bool(0.1) ? rng.pick(ID_EDITS) : ''}`
}

function bodyOf (rng: Rng): string {
  const r = rng.int(8)
  if (r === 0) return 'x'.repeat(MAX_BODY + rng.pick([0, 1, 100]))
  if (r < 4) return ''
  return mutateJson(rng, { note: 'pin' }, ['note', 'id', 'pinned', ''])
}

/** One request as `method \n path \n authorization \n content-length \n body`, so byte mutations reach every part. */
function requestBytes (rng: Rng): Uint8Array {
  const body = bodyOf(rng)
  const length = rng.pick([String(enc.encode(body).length), '', '-1', '1e10', 'abc', '99999999999999999999'])
  // Mostly the right token: requests refused at the door test little of the handler.
  const auth = rng.bool(0.6) ? AUTH[0] : rng.pick(AUTH)
  return enc.encode([rng.pick(METHODS), pathOf(rng), auth, length, body].join('\n'))
}

interface Captured { status: number, headers: Record<string, string | number>, body?: string }

function fakeRequest (input: string): { req: IncomingMessage, res: ServerResponse, done: () => Captured | undefined } {
  const [method, url, auth, length, ...rest] = input.split('\n')
  const body = rest.join('\n')
  const req = new Readable({ read () {} }) as Readable & Record<string, unknown>
  const headers: Record<string, string> = {}
  if (auth !== '' && auth !== undefined) headers.authorization = auth
  if (length !== '' && length !== undefined) headers['content-length'] = length
  Object.assign(req, { method, url, headers, complete: false, socket: { destroySoon () {} } })
  req.once('end', () => { req.complete = true })
  // The body arrives in a few chunks, as from a socket.
  const bytes = Buffer.from(body)
  const cut = bytes.length >> 1
  if (bytes.length > 0) { req.push(bytes.subarray(0, cut)); req.push(bytes.subarray(cut)) }
  req.push(null)
  let captured: Captured | undefined
  const res = {
    headersSent: false,
    writeHead (status: number, h: Record<string, string | number>) {
      captured = { status, headers: h }
      this.headersSent = true
    },
    end (b?: string) { if (captured !== undefined) captured.body = b },
    once () {},
    destroy () {}
  }
  return { req: req as unknown as IncomingMessage, res: res as unknown as ServerResponse, done: () => captured }
}

function backend (): AdminBackend {
  const pins = new Set<string>()
  return {
    status: () => ({ peerId: 'fuzz', docs: 1 }),
    peers: () => [],
    docs: () => [{ id: DOC_ID }],
    doc: (id) => id === DOC_ID ? { text: 'hello' } : undefined,
    pins: () => [...pins],
    pin: async (id) => { const created = !pins.has(id); pins.add(id); return { created } },
    unpin: async (id) => ({ removed: pins.delete(id) }),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: '# HELP x\nx 1\n' }),
    isValidDocId
  }
}

export function adminTarget (): Target {
  // Never listens: handle() is driven directly.
  const server = new AdminServer({
    backend: backend(),
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: MAX_BODY
  })
  return {
    name: 'admin',
    generate: (rng) => rng.bool(0.3) ? mutate(rng, requestBytes(rng), [requestBytes(rng)]) : requestBytes(rng),
    run: async (input): Promise<Verdict> => {
      const { req, res, done } = fakeRequest(dec.decode(input))
      await server.handle(req, res)
      const reply = done()
      if (reply === undefined) throw new FuzzFailure('the handler returned without answering')
      // The fake backend never fails, so a 500 is the handler's own fault.
      if (reply.status >= 500 && reply.status !== 503) {
        throw new FuzzFailure(`answered ${reply.status}: ${reply.body ?? ''}`)
      }
      if (req.method !== 'HEAD' && Buffer.byteLength(reply.body ?? '') !== reply.headers['content-length']) {
        throw new FuzzFailure('content-length does not match the body')
      }
      if (reply.status < 400) return ACCEPTED
      const error = req.method === 'HEAD' ? 'head' : (JSON.parse(reply.body ?? '') as { error?: unknown }).error
      if (typeof error !== 'string') throw new FuzzFailure(`error reply without an error code: ${reply.body ?? ''}`)
      return refused(`${reply.status} ${error}`)
    }
  }
}
