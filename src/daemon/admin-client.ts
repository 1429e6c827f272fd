/**
 * A small client for the admin API, used by the CLI commands (`weft status`,
 * `weft pin`, ...) and by tests.
 */

export class AdminClientError extends Error {
  constructor (message: string, readonly status?: number, readonly code?: string) {
    super(message)
    this.name = 'AdminClientError'
  }
}

export interface AdminClientOptions {
  /** e.g. http://127.0.0.1:7777 */
  url: string
  token?: string
  timeoutMs?: number
}

export class AdminClient {
  readonly url: string
  private readonly token?: string
  private readonly timeoutMs: number

  constructor (options: AdminClientOptions) {
    this.url = options.url.replace(/\/+$/, '')
    this.token = options.token
    this.timeoutMs = options.timeoutMs ?? 10_000
  }

  health (): Promise<any> { return this.json('GET', '/health') }
  status (): Promise<any> { return this.json('GET', '/status') }
  peers (): Promise<any> { return this.json('GET', '/peers') }
  docs (): Promise<any> { return this.json('GET', '/docs') }
  doc (id: string): Promise<any> { return this.json('GET', `/docs/${encodeURIComponent(id)}`) }
  pins (): Promise<{ pins: string[] }> { return this.json('GET', '/pins') }
  pin (id: string): Promise<{ id: string, pinned: boolean, created: boolean }> {
    return this.json('POST', `/pins/${encodeURIComponent(id)}`)
  }

  unpin (id: string): Promise<{ id: string, pinned: boolean }> {
    return this.json('DELETE', `/pins/${encodeURIComponent(id)}`)
  }

  create (access: 'open' | 'private'): Promise<{ id: string, access: string, pinned: boolean }> {
    return this.json('POST', '/docs', { access })
  }

  join (link: string): Promise<{ id: string, access: string, pinned: boolean, created: boolean }> {
    return this.json('POST', '/join', { link })
  }

  members (id: string): Promise<{ id: string, access: string, members: Array<{ key: string, role: string }> }> {
    return this.json('GET', `/docs/${encodeURIComponent(id)}/members`)
  }

  invite (id: string, role: 'reader' | 'writer' | 'pinner'): Promise<{ id: string, role: string, link: string }> {
    return this.json('POST', `/docs/${encodeURIComponent(id)}/invites`, { role })
  }

  revoke (id: string, member: string): Promise<{ id: string, revoked: string }> {
    return this.json('DELETE', `/docs/${encodeURIComponent(id)}/members/${encodeURIComponent(member)}`)
  }

  async metrics (): Promise<string> {
    const res = await this.request('GET', '/metrics')
    return await res.text()
  }

  async json (method: string, path: string, body?: unknown): Promise<any> {
    const res = await this.request(method, path, body)
    const text = await res.text()
    try {
      return JSON.parse(text)
    } catch {
      throw new AdminClientError(`${method} ${path}: the daemon answered with something that is not JSON`, res.status)
    }
  }

  private async request (method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {}
    if (this.token != null) headers.authorization = `Bearer ${this.token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    let res: Response
    try {
      res = await fetch(this.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs)
      })
    } catch (err: any) {
      const cause = err?.cause?.code ?? err?.name ?? ''
      if (cause === 'ECONNREFUSED') {
        throw new AdminClientError(
          `no daemon answers at ${this.url} (is \`weft daemon\` running? pass --admin or --data-dir)`)
      }
      if (cause === 'TimeoutError') throw new AdminClientError(`${this.url} did not answer within ${this.timeoutMs} ms`)
      const reason = err?.cause?.message ?? err?.message ?? err
      throw new AdminClientError(`cannot reach the daemon at ${this.url}: ${reason}`)
    }
    if (!res.ok) {
      let code: string | undefined
      let message = `${res.status} ${res.statusText}`
      try {
        const body = await res.json() as { error?: string, message?: string }
        code = body.error
        if (body.message != null) message = `${message}: ${body.message}`
      } catch {}
      if (res.status === 401 && this.token == null) {
        message += ' (no token found: pass --token, set WEFT_TOKEN, or --data-dir of the daemon)'
      }
      throw new AdminClientError(message, res.status, code)
    }
    return res
  }
}
