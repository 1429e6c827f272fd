/**
 * The daemon's admin HTTP API (node:http, no framework).
 *
 *   GET    /health          liveness; the only route that needs no token
 *   GET    /status          peer id, addresses, connected peers, documents with sync state and version vectors
 *   GET    /peers           connected peers
 *   GET    /docs            stored/open/pinned documents
 *   GET    /docs/<docId>    a document's content as JSON
 *   GET    /pins            pinned document ids
 *   POST   /pins/<docId>    pin (201 when new, 200 when already pinned); durable when answered
 *   DELETE /pins/<docId>    unpin (200, or 404 when it was not pinned)
 *   POST   /docs            create a document, pinned: body {"access": "open"|"private"} (201)
 *   POST   /join            redeem an invite or pin link and pin its document: body {"link": "weft://..."}
 *   GET    /docs/<docId>/members            a private document's members, and this daemon's role
 *   POST   /docs/<docId>/invites            an invite link: body {"role": "reader"|"writer"|"pinner"} (201)
 *   DELETE /docs/<docId>/members/<key>      revoke a member (admins only)
 *   GET    /metrics         Prometheus text format
 *
 * Every route except /health wants `Authorization: Bearer <token>` (the token in
 * `<data-dir>/admin-token`), compared in constant time. The token is only read
 * from the header, never from the URL or a cookie, so a web page cannot make a
 * browser send it (no CSRF), and no CORS headers are sent.
 *
 * Every failure is a JSON body `{ "error": "<code>", "message": "..." }` with the
 * matching status: 400 malformed id/URL/JSON, 401 no or wrong token, 404 unknown
 * route or document, 405 wrong method (with Allow), 413 body over the limit,
 * 503 shutting down, 500 anything unexpected (logged, never a crash).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { silentLogger, type Logger } from './log.js'

/** What the admin API needs from the daemon: a narrow seam, so tests can serve a fake. */
export interface AdminBackend {
  status (): Promise<unknown> | unknown
  peers (): Promise<unknown> | unknown
  docs (): Promise<unknown> | unknown
  /** A document's content, or undefined when the daemon does not have it (404). */
  doc (id: string): Promise<unknown | undefined> | unknown | undefined
  pins (): Promise<string[]> | string[]
  /** Pins `id`; resolves once the pin is durable. `created` is false when it was already pinned. */
  pin (id: string): Promise<{ created: boolean }>
  /** Unpins `id`; `removed` is false when it was not pinned. */
  unpin (id: string): Promise<{ removed: boolean }>
  metrics (): Promise<{ contentType: string, body: string }>
  /** A new document, pinned; `access: 'private'` makes this daemon its admin. */
  create?: (access: 'open' | 'private') => Promise<{ id: string, access: string }>
  /** Redeems an invite or pin link and pins its document. */
  join?: (link: string) => Promise<{ id: string, access: string, created: boolean }>
  /** The members of a private document (undefined: not here, 404). */
  members?: (id: string) => Promise<unknown | undefined>
  invite?: (id: string, role: 'reader' | 'writer' | 'pinner') => Promise<unknown | undefined>
  revoke?: (id: string, member: string) => Promise<unknown | undefined>
  isValidDocId (id: string): boolean
}

export interface AdminServerOptions {
  backend: AdminBackend
  token: string
  host: string
  port: number
  /** Largest request body, bytes. Default 64 KiB. */
  maxBodyBytes?: number
  logger?: Logger
  /** Called after every request (for metrics). */
  observe?: (route: string, method: string, status: number, seconds: number) => void
}

/** An error with an HTTP status and a stable code, thrown by a backend to answer with it. */
export class AdminError extends Error {
  constructor (readonly status: number, readonly code: string, message: string) {
    super(message)
    this.name = 'AdminError'
  }
}

type Handler = (ctx: RequestContext) => Promise<Reply>

interface Route {
  /** Stable name for logs and metrics. */
  name: string
  pattern: RegExp
  methods: Record<string, Handler>
  public?: boolean
}

interface RequestContext {
  params: string[]
  body: Buffer
}

interface Reply {
  status: number
  json?: unknown
  text?: string
  contentType?: string
}

export class AdminServer {
  private readonly server: Server
  private readonly routes: Route[]
  private readonly tokenDigest: Buffer
  private readonly maxBodyBytes: number
  private readonly log: Logger
  private state: 'running' | 'stopping' = 'running'
  private readonly started = Date.now()

  constructor (private readonly options: AdminServerOptions) {
    if (options.token.length < 16) throw new Error('admin token too short')
    this.tokenDigest = digest(options.token)
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024
    this.log = options.logger ?? silentLogger
    this.routes = this.buildRoutes(options.backend)
    this.server = createServer({
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000
    }, (req, res) => { void this.handle(req, res) })
    this.server.on('clientError', (err: any, socket) => {
      // Malformed HTTP (or headers over the 16 KiB limit): answer if the socket still can.
      if (socket.writable) {
        const status = err?.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
        const body = status === 431
          ? JSON.stringify({ error: 'headers_too_large', message: 'request headers over 16 KiB' })
          : JSON.stringify({ error: 'bad_request', message: 'malformed HTTP request' })
        socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
          'content-type: application/json\r\n' +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
      } else {
        socket.destroy()
      }
    })
  }

  /** Starts listening; resolves with the bound address (the real port when 0 was asked). */
  async listen (): Promise<{ host: string, port: number, url: string }> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => { reject(err) }
      this.server.once('error', onError)
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError)
        resolve()
      })
    })
    const addr = this.server.address() as AddressInfo
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
    return { host: addr.address, port: addr.port, url: `http://${host}:${addr.port}` }
  }

  /** From now on every route but /health answers 503 (the daemon is shutting down). */
  beginShutdown (): void {
    this.state = 'stopping'
  }

  /** Stops accepting connections and closes the open ones. */
  async close (): Promise<void> {
    this.state = 'stopping'
    const closed = new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
    this.server.closeIdleConnections()
    const force = setTimeout(() => { this.server.closeAllConnections() }, 1000)
    force.unref()
    await closed
    clearTimeout(force)
  }

  private buildRoutes (b: AdminBackend): Route[] {
    const docId = (ctx: RequestContext): string => {
      const id = ctx.params[0]
      if (!b.isValidDocId(id)) {
        throw new AdminError(400, 'invalid_doc_id', `${JSON.stringify(id.slice(0, 100))} is not a document id`)
      }
      return id
    }
    return [
      {
        name: '/health',
        pattern: /^\/health$/,
        public: true,
        methods: {
          GET: async () => {
            const stopping = this.state === 'stopping'
            const uptimeSeconds = Math.round((Date.now() - this.started) / 1000)
            return { status: stopping ? 503 : 200, json: { status: stopping ? 'stopping' : 'ok', uptimeSeconds } }
          }
        }
      },
      {
        name: '/status',
        pattern: /^\/status$/,
        methods: { GET: async () => ({ status: 200, json: await b.status() }) }
      },
      { name: '/peers', pattern: /^\/peers$/, methods: { GET: async () => ({ status: 200, json: await b.peers() }) } },
      {
        name: '/docs',
        pattern: /^\/docs$/,
        methods: {
          GET: async () => ({ status: 200, json: await b.docs() }),
          ...(b.create === undefined ? {} : { POST: async (ctx: RequestContext) => await this.create(b, ctx) })
        }
      },
      {
        name: '/docs/:id',
        pattern: /^\/docs\/([^/]*)$/,
        methods: {
          GET: async (ctx) => {
            const id = docId(ctx)
            const doc = await b.doc(id)
            if (doc === undefined) {
              throw new AdminError(404, 'unknown_doc', `document ${id} is not stored on this daemon`)
            }
            return { status: 200, json: doc }
          }
        }
      },
      ...this.trustRoutes(b, docId),
      {
        name: '/pins',
        pattern: /^\/pins$/,
        methods: { GET: async () => ({ status: 200, json: { pins: await b.pins() } }) }
      },
      {
        name: '/pins/:id',
        pattern: /^\/pins\/([^/]*)$/,
        methods: {
          POST: async (ctx) => {
            const id = docId(ctx)
            parseOptionalJson(ctx.body)
            const { created } = await b.pin(id)
            return { status: created ? 201 : 200, json: { id, pinned: true, created } }
          },
          DELETE: async (ctx) => {
            const id = docId(ctx)
            const { removed } = await b.unpin(id)
            if (!removed) throw new AdminError(404, 'not_pinned', `document ${id} is not pinned`)
            return { status: 200, json: { id, pinned: false } }
          }
        }
      },
      {
        name: '/metrics',
        pattern: /^\/metrics$/,
        methods: {
          GET: async () => {
            const m = await b.metrics()
            return { status: 200, text: m.body, contentType: m.contentType }
          }
        }
      }
    ]
  }

  /** POST /docs: a new document, pinned here. */
  private async create (b: AdminBackend, ctx: RequestContext): Promise<Reply> {
    const access = field(ctx, 'access', ['open', 'private'], 'open') as 'open' | 'private'
    return { status: 201, json: { ...await b.create!(access), pinned: true } }
  }

  /** Private documents: create, join (invite and pin links), members, invites, revocation. */
  private trustRoutes (b: AdminBackend, docId: (ctx: RequestContext) => string): Route[] {
    const need = <F>(f: F | undefined, what: string): F => {
      if (f === undefined) throw new AdminError(404, 'not_found', `this daemon has no ${what}`)
      return f
    }
    const known = <T>(id: string, value: T | undefined): T => {
      if (value === undefined) throw new AdminError(404, 'unknown_doc', `document ${id} is not stored on this daemon`)
      return value
    }
    return [
      {
        name: '/join',
        pattern: /^\/join$/,
        methods: {
          POST: async (ctx) => {
            const joined = await need(b.join, 'join')(field(ctx, 'link'))
            return { status: joined.created ? 201 : 200, json: { ...joined, pinned: true } }
          }
        }
      },
      {
        name: '/docs/:id/members',
        pattern: /^\/docs\/([^/]*)\/members$/,
        methods: {
          GET: async (ctx) => {
            const id = docId(ctx)
            return { status: 200, json: known(id, await need(b.members, 'members')(id)) }
          }
        }
      },
      {
        name: '/docs/:id/members/:key',
        pattern: /^\/docs\/([^/]*)\/members\/([0-9a-f]{64})$/,
        methods: {
          DELETE: async (ctx) => {
            const id = docId(ctx)
            return { status: 200, json: known(id, await need(b.revoke, 'revoke')(id, ctx.params[1])) }
          }
        }
      },
      {
        name: '/docs/:id/invites',
        pattern: /^\/docs\/([^/]*)\/invites$/,
        methods: {
          POST: async (ctx) => {
            const id = docId(ctx)
            const role = field(ctx, 'role', ['reader', 'writer', 'pinner']) as 'reader' | 'writer' | 'pinner'
            return { status: 201, json: known(id, await need(b.invite, 'invite')(id, role)) }
          }
        }
      }
    ]
  }

  /** The request handler; public so that the fuzzer (fuzz/targets-daemon.ts) drives it without a socket. */
  async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = process.hrtime.bigint()
    let routeName = '(none)'
    let status = 500
    try {
      const reply = await this.dispatch(req, (name) => { routeName = name })
      status = reply.status
      this.send(req, res, reply)
    } catch (err) {
      const reply = errorReply(err)
      status = reply.status
      if (status >= 500) {
        this.log.error('admin request failed', { method: req.method, url: req.url?.slice(0, 200), err })
      }
      this.send(req, res, reply)
    } finally {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9
      this.log.debug('admin request', { method: req.method, route: routeName, status, ms: Math.round(seconds * 1000) })
      try { this.options.observe?.(routeName, req.method ?? '', status, seconds) } catch {}
    }
  }

  private async dispatch (req: IncomingMessage, setRoute: (name: string) => void): Promise<Reply> {
    let path: string
    try {
      path = new URL(req.url ?? '/', 'http://admin.invalid').pathname
    } catch {
      throw new AdminError(400, 'bad_request', 'malformed URL')
    }
    const method = (req.method ?? 'GET').toUpperCase()
    let params: string[] = []
    const route = this.routes.find(r => {
      const m = r.pattern.exec(path)
      if (m == null) return false
      params = m.slice(1)
      return true
    })
    if (route != null) setRoute(route.name)

    if (route?.public !== true) {
      if (!this.authorized(req)) {
        const hasHeader = req.headers.authorization != null
        throw new AdminError(401, 'unauthorized', hasHeader
          ? 'wrong token'
          : 'missing token: send "Authorization: Bearer <token>" (the token is in <data-dir>/admin-token)')
      }
    }
    if (this.state === 'stopping' && route?.public !== true) {
      throw new AdminError(503, 'shutting_down', 'the daemon is shutting down')
    }
    if (route == null) throw new AdminError(404, 'not_found', `no route ${method} ${path.slice(0, 200)}`)
    const handler = route.methods[method] ?? (method === 'HEAD' ? route.methods.GET : undefined)
    if (handler == null) {
      const allow = Object.keys(route.methods).join(', ')
      const message = `${method} is not allowed on ${route.name} (allowed: ${allow})`
      throw Object.assign(new AdminError(405, 'method_not_allowed', message), { allow })
    }
    try {
      params = params.map(p => decodeURIComponent(p))
    } catch {
      throw new AdminError(400, 'bad_request', 'malformed percent-encoding in the path')
    }
    const body = await readBody(req, this.maxBodyBytes)
    return await handler({ params, body })
  }

  private authorized (req: IncomingMessage): boolean {
    const header = req.headers.authorization
    if (header == null) return false
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
    if (m == null) return false
    // Hash both sides: timingSafeEqual needs equal lengths, and the hash hides the token's length.
    return timingSafeEqual(digest(m[1]), this.tokenDigest)
  }

  private send (req: IncomingMessage, res: ServerResponse, reply: Reply & { allow?: string }): void {
    if (res.headersSent) {
      res.destroy()
      return
    }
    const body = reply.text ?? JSON.stringify(reply.json ?? null) + '\n'
    const headers: Record<string, string | number> = {
      'content-type': reply.contentType ??
        (reply.text != null ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'),
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff'
    }
    if (reply.status === 401) headers['www-authenticate'] = 'Bearer realm="weft"'
    if (reply.allow != null) headers.allow = reply.allow
    // A request body we did not read (refused early) would otherwise be drained: close instead.
    if (!req.complete) headers.connection = 'close'
    res.writeHead(reply.status, headers)
    res.end(req.method === 'HEAD' ? undefined : body)
    if (!req.complete) {
      res.once('finish', () => { req.socket.destroySoon?.() })
    }
  }
}

/** A string field of a JSON request body, checked against `allowed`: a 400 naming the field otherwise. */
function field (ctx: RequestContext, name: string, allowed?: readonly string[], fallback?: string): string {
  const body = parseOptionalJson(ctx.body)
  const value = (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined) ??
    fallback
  if (typeof value !== 'string' || (allowed !== undefined && !allowed.includes(value))) {
    const expected = allowed === undefined ? 'a string' : allowed.map(a => JSON.stringify(a)).join(' or ')
    throw new AdminError(400, 'invalid_body', `body field ${JSON.stringify(name)} must be ${expected}`)
  }
  return value
}

function digest (s: string): Buffer {
  return createHash('sha256').update(s).digest()
}

function errorReply (err: unknown): Reply & { allow?: string } {
  if (err instanceof AdminError) {
    const allow = (err as any).allow
    return { status: err.status, json: { error: err.code, message: err.message }, ...(allow != null ? { allow } : {}) }
  }
  return { status: 500, json: { error: 'internal', message: 'internal error (see the daemon log)' } }
}

async function readBody (req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length']
  if (declared != null && Number(declared) > limit) {
    throw new AdminError(413, 'body_too_large', `request body over ${limit} bytes`)
  }
  const chunks: Buffer[] = []
  let size = 0
  return await new Promise<Buffer>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        req.pause()
        reject(new AdminError(413, 'body_too_large', `request body over ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => { cleanup(); resolve(Buffer.concat(chunks)) }
    const onError = (err: Error): void => {
      cleanup()
      reject(new AdminError(400, 'bad_request', `request body: ${err.message}`))
    }
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

function parseOptionalJson (body: Buffer): unknown {
  const text = body.toString('utf8').trim()
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new AdminError(400, 'invalid_json', 'the request body is not valid JSON')
  }
}
