/**
 * The admin API against a fake backend: routing, token auth, and the JSON
 * errors for every kind of bad request.
 */
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { after, before, test } from 'node:test'
import { AdminClient, AdminClientError } from '../src/daemon/admin-client.js'
import { AdminServer, type AdminBackend } from '../src/daemon/admin-server.js'

const TOKEN = 'test-token-0123456789abcdefghijklmnop'
const DOC = 'abcdefghijklmnopqrstuvwxyz'

const pinned = new Set<string>()
const observed: Array<[string, number]> = []
let failNext = false
const backend: AdminBackend = {
  status: () => {
    if (failNext) { failNext = false; throw new Error('boom') }
    return { peerId: 'peer', documents: [] }
  },
  peers: () => ({ peers: [] }),
  docs: () => ({ docs: [...pinned].map(id => ({ id })) }),
  doc: (id) => id === DOC ? { id, content: { text: 'hi' } } : undefined,
  pins: () => [...pinned],
  pin: async (id) => {
    const created = !pinned.has(id)
    pinned.add(id)
    return { created }
  },
  unpin: async (id) => ({ removed: pinned.delete(id) }),
  metrics: async () => ({
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    body: '# HELP x y\n# TYPE x counter\nx 1\n'
  }),
  isValidDocId: (id) => /^[a-z2-7]{26}$/.test(id)
}

let server: AdminServer
let url: string
before(async () => {
  server = new AdminServer({
    backend,
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1024,
    observe: (route, _m, status) => { observed.push([route, status]) }
  })
  url = (await server.listen()).url
})
after(async () => { await server.close() })

async function call (
  method: string,
  path: string,
  init: { token?: string | null, body?: string, headers?: Record<string, string> } = {}
): Promise<{ status: number, body: any, headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers }
  const token = init.token === undefined ? TOKEN : init.token
  if (token != null) headers.authorization = `Bearer ${token}`
  const res = await fetch(url + path, { method, headers, body: init.body, signal: AbortSignal.timeout(5000) })
  const text = await res.text()
  let body: any = text
  try { body = JSON.parse(text) } catch {}
  return { status: res.status, body, headers: res.headers }
}

test('GET /health needs no token', async () => {
  const r = await call('GET', '/health', { token: null })
  assert.equal(r.status, 200)
  assert.equal(r.body.status, 'ok')
})

test('requests without the token, or with a wrong one, get 401 and a JSON error', async () => {
  for (const path of ['/status', '/metrics', '/docs', `/docs/${DOC}`, '/pins', '/nope']) {
    const r = await call('GET', path, { token: null })
    assert.equal(r.status, 401, path)
    assert.equal(r.body.error, 'unauthorized')
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/)
  }
  assert.equal((await call('GET', '/status', { token: 'wrong' })).status, 401)
  assert.equal((await call('GET', '/status', { token: TOKEN + 'x' })).status, 401)
  const basic = await call('GET', '/status', { token: null, headers: { authorization: `Basic ${TOKEN}` } })
  assert.equal(basic.status, 401)
  assert.equal((await call('POST', `/pins/${DOC}`, { token: null })).status, 401)
  assert.equal(pinned.size, 0, 'nothing was pinned without the token')
})

test('the token works, case-insensitive scheme', async () => {
  const r = await call('GET', '/status', { token: null, headers: { authorization: `bearer ${TOKEN}` } })
  assert.equal(r.status, 200)
  assert.equal(r.body.peerId, 'peer')
})

test('POST/DELETE /pins/<id>: 201 new, 200 again, 200 unpin, 404 when not pinned', async () => {
  let r = await call('POST', `/pins/${DOC}`)
  assert.equal(r.status, 201)
  assert.deepEqual(r.body, { id: DOC, pinned: true, created: true })
  r = await call('POST', `/pins/${DOC}`, { body: '{}', headers: { 'content-type': 'application/json' } })
  assert.equal(r.status, 200)
  assert.equal(r.body.created, false)
  assert.deepEqual((await call('GET', '/pins')).body, { pins: [DOC] })
  r = await call('DELETE', `/pins/${DOC}`)
  assert.equal(r.status, 200)
  r = await call('DELETE', `/pins/${DOC}`)
  assert.equal(r.status, 404)
  assert.equal(r.body.error, 'not_pinned')
})

test('malformed doc ids get 400', async () => {
  const badIds = ['short', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxy1', '%E0%A4%A', '..%2F..%2Fetc', '']
  for (const bad of badIds) {
    const r = await call('POST', `/pins/${bad}`)
    assert.equal(r.status, 400, bad)
    assert.ok(['invalid_doc_id', 'bad_request'].includes(r.body.error), bad)
    assert.equal((await call('GET', `/docs/${bad}`)).status, 400, bad)
  }
})

test('unknown routes get 404, wrong methods 405 with Allow, unknown documents 404', async () => {
  let r = await call('GET', '/nope')
  assert.equal(r.status, 404)
  assert.equal(r.body.error, 'not_found')
  r = await call('GET', `/pins/${DOC}/extra`)
  assert.equal(r.status, 404)
  r = await call('DELETE', '/status')
  assert.equal(r.status, 405)
  assert.equal(r.headers.get('allow'), 'GET')
  r = await call('GET', `/pins/${DOC}`)
  assert.equal(r.status, 405)
  assert.equal(r.headers.get('allow'), 'POST, DELETE')
  r = await call('GET', `/docs/${'z'.repeat(26)}`)
  assert.equal(r.status, 404)
  assert.equal(r.body.error, 'unknown_doc')
  r = await call('GET', `/docs/${DOC}`)
  assert.equal(r.status, 200)
  assert.equal(r.body.content.text, 'hi')
})

test('a body over the limit gets 413 (declared or streamed); bad JSON gets 400', async () => {
  let r = await call('POST', `/pins/${DOC}`, { body: 'x'.repeat(5000) })
  assert.equal(r.status, 413)
  assert.equal(r.body.error, 'body_too_large')
  // Chunked, no content-length: the limit is enforced while reading.
  const status = await new Promise<number>((resolve, reject) => {
    const options = { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } }
    const req = httpRequest(`${url}/pins/${DOC}`, options, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    for (let i = 0; i < 10; i++) req.write('y'.repeat(500))
    req.end()
  })
  assert.equal(status, 413)
  r = await call('POST', `/pins/${DOC}`, { body: '{not json' })
  assert.equal(r.status, 400)
  assert.equal(r.body.error, 'invalid_json')
  assert.equal((await call('GET', '/health', { token: null })).status, 200, 'server still up')
})

test('a backend error is a 500 JSON error, not a crash', async () => {
  failNext = true
  const r = await call('GET', '/status')
  assert.equal(r.status, 500)
  assert.equal(r.body.error, 'internal')
  assert.equal((await call('GET', '/status')).status, 200)
})

test('GET /metrics answers Prometheus text', async () => {
  const r = await call('GET', '/metrics')
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain/)
  assert.match(r.body, /^x 1$/m)
})

test('the client surfaces status codes and messages', async () => {
  const c = new AdminClient({ url, token: TOKEN })
  assert.equal((await c.status()).peerId, 'peer')
  await assert.rejects(c.unpin('z'.repeat(26)),
    (err: unknown) => err instanceof AdminClientError && err.status === 404 && err.code === 'not_pinned')
  await assert.rejects(new AdminClient({ url }).status(),
    (err: unknown) => err instanceof AdminClientError && err.status === 401 && /no token found/.test(err.message))
  const closed = new AdminServer({ backend, token: TOKEN, host: '127.0.0.1', port: 0 })
  const closedUrl = (await closed.listen()).url
  await closed.close()
  await assert.rejects(new AdminClient({ url: closedUrl, token: TOKEN }).status(), /no daemon answers/)
})

test('requests are observed by route and status (for metrics)', () => {
  assert.ok(observed.some(([route, status]) => route === '/status' && status === 401))
  assert.ok(observed.some(([route, status]) => route === '/pins/:id' && status === 201))
})

test('while shutting down, every route but /health answers 503', async () => {
  const s = new AdminServer({ backend, token: TOKEN, host: '127.0.0.1', port: 0 })
  const u = (await s.listen()).url
  s.beginShutdown()
  const res = await fetch(`${u}/status`, { headers: { authorization: `Bearer ${TOKEN}` } })
  assert.equal(res.status, 503)
  assert.equal(((await res.json()) as any).error, 'shutting_down')
  assert.equal((await fetch(`${u}/health`)).status, 503)
  await s.close()
})

test('private-document routes: bodies checked field by field, unknown documents 404', async () => {
  const calls: string[] = []
  const trust = new AdminServer({
    backend: {
      ...backend,
      create: async (access) => { calls.push(`create ${access}`); return { id: 'x'.repeat(52), access: 'admin' } },
      join: async (link) => { calls.push(`join ${link}`); return { id: DOC, access: 'pinner', created: true } },
      members: async (id) => id === DOC ? { id, access: 'admin', members: [] } : undefined,
      invite: async (id, role) => id === DOC ? { id, role, link: `weft://${id}#r.x` } : undefined,
      revoke: async (id, member) => id === DOC ? { id, revoked: member } : undefined
    },
    token: TOKEN,
    host: '127.0.0.1',
    port: 0
  })
  const base = (await trust.listen()).url
  const send = async (method: string, path: string, body?: unknown): Promise<{ status: number, body: any }> => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}` },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000)
    })
    return { status: res.status, body: await res.json() }
  }
  try {
    const created = await send('POST', '/docs', { access: 'private' })
    assert.equal(created.status, 201)
    assert.deepEqual(created.body, { id: 'x'.repeat(52), access: 'admin', pinned: true })
    assert.equal((await send('POST', '/docs')).status, 201, 'an empty body creates an open document')
    const badAccess = await send('POST', '/docs', { access: 'secret' })
    assert.equal(badAccess.status, 400)
    assert.equal(badAccess.body.error, 'invalid_body')
    assert.match(badAccess.body.message, /"access" must be "open" or "private"/)
    const noLink = await send('POST', '/join', {})
    assert.equal(noLink.status, 400)
    assert.match(noLink.body.message, /"link" must be a string/)
    assert.equal((await send('POST', '/join', { link: 'weft://l' })).status, 201)
    assert.deepEqual(calls, ['create private', 'create open', 'join weft://l'])
    assert.equal((await send('POST', `/docs/${DOC}/invites`, { role: 'admin' })).status, 400)
    assert.equal((await send('POST', `/docs/${DOC}/invites`, { role: 'pinner' })).body.link, `weft://${DOC}#r.x`)
    assert.equal((await send('GET', `/docs/${'b'.repeat(26)}/members`)).body.error, 'unknown_doc')
    assert.equal((await send('GET', `/docs/${DOC}/members`)).body.access, 'admin')
    assert.equal((await send('DELETE', `/docs/${DOC}/members/nobody`)).status, 404)
    assert.equal((await send('DELETE', `/docs/${DOC}/members/${'ab'.repeat(32)}`)).body.revoked, 'ab'.repeat(32))
    assert.equal((await send('GET', '/docs/bad!/members')).status, 400)
  } finally {
    await trust.close()
  }
})
