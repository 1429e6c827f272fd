import assert from 'node:assert/strict'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  ConfigError, DAEMON_OPTIONS, adminUrl, parseAdminAddress, resolveClientConfig, resolveDaemonConfig, splitList
} from '../src/daemon/config.js'

const PEER = '12D3KooWGqoPtMFmaCMR359zhbK9NNYSF3byDUB4EsjU5KzZ7hEi'
const BOOT = `/ip4/10.0.0.1/tcp/7776/p2p/${PEER}`
const DOC = 'abcdefghijklmnopqrstuvwxyz'

test('defaults: ~/.weft, TCP on 7776, mDNS and DHT server on, admin on 127.0.0.1:7777, human logs', () => {
  const c = resolveDaemonConfig({ flags: {}, env: {} })
  assert.equal(c.dataDir, join(homedir(), '.weft'))
  assert.deepEqual(c.listen, ['/ip4/0.0.0.0/tcp/7776'])
  assert.deepEqual(c.announce, [])
  assert.deepEqual(c.bootstrap, [])
  assert.equal(c.mdns, true)
  assert.equal(c.dhtProtocol, '/weft/kad/1.0.0')
  assert.equal(c.dhtMode, 'server')
  assert.deepEqual(c.admin, { host: '127.0.0.1', port: 7777 })
  assert.equal(c.logFormat, 'human')
  assert.equal(c.logLevel, 'info')
  assert.equal(c.configFile, undefined)
})

test('precedence: flag > WEFT_ environment variable > config file > default', () => {
  const file = JSON.stringify({
    dataDir: 'data', mdns: false, logLevel: 'debug', 'dht-mode': 'client', listen: ['/ip4/127.0.0.1/tcp/1']
  })
  const readFile = (p: string): string => {
    assert.equal(p, '/etc/weft/config.json')
    return file
  }
  const fromFile = resolveDaemonConfig({ flags: { config: '/etc/weft/config.json' }, env: {}, readFile })
  assert.equal(fromFile.dataDir, '/etc/weft/data', 'relative paths in the file are relative to the file')
  assert.equal(fromFile.mdns, false)
  assert.equal(fromFile.dhtMode, 'client')
  assert.equal(fromFile.logLevel, 'debug')
  assert.equal(fromFile.configFile, '/etc/weft/config.json')

  const env = {
    WEFT_CONFIG: '/etc/weft/config.json',
    WEFT_MDNS: 'true',
    WEFT_LOG_LEVEL: 'warn',
    WEFT_LISTEN: '/ip4/127.0.0.1/tcp/2,/ip4/127.0.0.1/tcp/3'
  }
  const fromEnv = resolveDaemonConfig({ flags: {}, env, readFile, cwd: '/srv' })
  assert.equal(fromEnv.mdns, true, 'env beats file')
  assert.equal(fromEnv.logLevel, 'warn')
  assert.deepEqual(fromEnv.listen, ['/ip4/127.0.0.1/tcp/2', '/ip4/127.0.0.1/tcp/3'], 'comma-separated list in env')
  assert.equal(fromEnv.dhtMode, 'client', 'file still applies where env is silent')

  const fromFlags = resolveDaemonConfig({
    flags: { mdns: false, logLevel: 'error', dataDir: 'rel' }, env, readFile, cwd: '/srv'
  })
  assert.equal(fromFlags.mdns, false, 'flag beats env')
  assert.equal(fromFlags.logLevel, 'error')
  assert.equal(fromFlags.dataDir, '/srv/rel', 'relative flag paths are relative to the working directory')
})

test('array options take repeated values, commas and spaces; ~ expands in the data dir', () => {
  assert.deepEqual(splitList(['a,b', 'c d', '']), ['a', 'b', 'c', 'd'])
  const c = resolveDaemonConfig({
    flags: { bootstrap: [BOOT], pin: [`${DOC},${DOC.replace('a', 'b')}`], dataDir: '~/x' }, env: {}
  })
  assert.deepEqual(c.bootstrap, [BOOT])
  assert.deepEqual(c.pin, [DOC, DOC.replace('a', 'b')])
  assert.equal(c.dataDir, join(homedir(), 'x'))
})

test('invalid values are refused with a message naming the option', () => {
  const bad = (flags: Record<string, unknown>, env: Record<string, string> = {}, re?: RegExp): void => {
    assert.throws(() => resolveDaemonConfig({ flags, env }), (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err))
      if (re != null) assert.match(err.message, re)
      return true
    })
  }
  bad({ listen: ['not-a-multiaddr'] }, {}, /--listen/)
  bad({ bootstrap: ['/ip4/10.0.0.1/tcp/1'] }, {}, /p2p/)
  bad({ pin: ['NOT-A-DOC'] }, {}, /--pin/)
  bad({ dhtMode: 'peer' }, {}, /server, client/)
  bad({}, { WEFT_MDNS: 'maybe' }, /WEFT_MDNS/)
  bad({}, { WEFT_LOG_FORMAT: 'xml' }, /WEFT_LOG_FORMAT/)
  bad({ admin: 'localhost:99999' }, {}, /port/)
  bad({ shutdownTimeoutMs: 1 }, {}, /shutdown-timeout/)
  bad({}, { WEFT_HISTORY: 'weekly' }, /WEFT_HISTORY.*full, none/)
  assert.equal(resolveDaemonConfig({ flags: { history: 'none' }, env: {} }).history, 'none')
  assert.equal(resolveDaemonConfig({ flags: {}, env: {} }).history, 'full')
  const withFile = (readFile: () => string) => () =>
    resolveDaemonConfig({ flags: { config: '/x.json' }, env: {}, readFile })
  assert.throws(withFile(() => '{"mnds": false}'), /unknown option "mnds"/)
  assert.throws(withFile(() => '{'), /not valid JSON/)
  assert.throws(withFile(() => { throw new Error('ENOENT') }), /cannot read config file/)
})

test('admin address forms: host:port, [v6]:port, port, URL, off', () => {
  assert.deepEqual(parseAdminAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 })
  assert.deepEqual(parseAdminAddress('[::1]:7777'), { host: '::1', port: 7777 })
  assert.deepEqual(parseAdminAddress('8080'), { host: '127.0.0.1', port: 8080 })
  assert.deepEqual(parseAdminAddress(':8080'), { host: '127.0.0.1', port: 8080 })
  assert.deepEqual(parseAdminAddress('http://0.0.0.0:9000/'), { host: '0.0.0.0', port: 9000 })
  assert.equal(parseAdminAddress('off'), null)
  assert.equal(resolveDaemonConfig({ flags: { admin: 'off' }, env: {} }).admin, null)
  assert.equal(adminUrl('0.0.0.0:9000'), 'http://127.0.0.1:9000')
  assert.equal(adminUrl('[::1]:9000'), 'http://[::1]:9000')
})

test('--ice-server: STUN servers, TURN servers with credentials, repeatable; else one line', () => {
  assert.deepEqual(resolveDaemonConfig({ flags: {}, env: {} }).iceServers, [], 'none given: the library default')
  const urls = ['stun:stun.example.org:3478', 'turn:me:secret@turn.example.org:3478']
  assert.deepEqual(resolveDaemonConfig({ flags: { iceServers: urls }, env: {} }).iceServers, urls)
  const fromEnv = resolveDaemonConfig({ flags: {}, env: { WEFT_ICE_SERVERS: 'stun:a:3478,turns:u:p@b:5349' } })
  assert.deepEqual(fromEnv.iceServers, ['stun:a:3478', 'turns:u:p@b:5349'])
  assert.throws(() => resolveDaemonConfig({ flags: { iceServers: ['http://stun.example.org'] }, env: {} }),
    (err: Error) => err instanceof ConfigError &&
      err.message === '--ice-server: "http://stun.example.org" is not stun:host:port or turn:user:password@host:port')
  assert.throws(() => resolveDaemonConfig({ flags: { iceServers: ['turn:turn.example.org:3478'] }, env: {} }),
    (err: Error) => err instanceof ConfigError && err.message === '--ice-server: "turn:turn.example.org:3478" ' +
      'is a TURN server without credentials (turn:user:password@host:port)')
})

test('every option has a flag, an env variable, a default text and a description', () => {
  const flags = new Set<string>()
  for (const spec of DAEMON_OPTIONS) {
    assert.match(spec.env, /^WEFT_[A-Z_]+$/)
    assert.ok(spec.describe.length > 10)
    assert.ok(spec.defaultText.length > 0)
    assert.ok(!flags.has(spec.flag))
    flags.add(spec.flag)
  }
  const neededFlags = ['data-dir', 'listen', 'announce', 'bootstrap', 'mdns', 'dht-protocol', 'dht-mode', 'pin',
    'admin', 'log-format', 'log-level']
  for (const needed of neededFlags) {
    assert.ok(flags.has(needed), needed)
  }
})

test('client commands find the daemon: --admin, else daemon.json in the data dir, else the default; ' +
  'token from flag, env or file', () => {
  const running = (dir: string): string | undefined => dir === '/d' ? 'http://127.0.0.1:4242' : undefined
  const stored = (dir: string): string | undefined => dir === '/d' ? 'file-token' : undefined
  let c = resolveClientConfig({ flags: { dataDir: '/d' }, env: {}, runningAdmin: running, storedToken: stored })
  assert.equal(c.url, 'http://127.0.0.1:4242')
  assert.equal(c.token, 'file-token')
  c = resolveClientConfig({
    flags: { dataDir: '/d', admin: '127.0.0.1:1' },
    env: { WEFT_TOKEN: 'env-token' },
    runningAdmin: running,
    storedToken: stored
  })
  assert.equal(c.url, 'http://127.0.0.1:1')
  assert.equal(c.token, 'env-token')
  c = resolveClientConfig({
    flags: { token: 'flag-token' },
    env: { WEFT_TOKEN: 'env-token', WEFT_DATA_DIR: '/other' },
    runningAdmin: running,
    storedToken: stored
  })
  assert.equal(c.url, 'http://127.0.0.1:7777')
  assert.equal(c.token, 'flag-token')
  assert.equal(c.dataDir, '/other')
})

test("the CLI's doc id check agrees with the library's isValidDocId", async () => {
  const { isValidDocId: library, newDocId } = await import('../src/index.js')
  const { isValidDocId: cli } = await import('../src/daemon/doc-id.js')
  const samples = [newDocId(), newDocId(), DOC, 'short', DOC.toUpperCase(), DOC.slice(0, 25) + '1', DOC + 'a', '',
    'abcdefghijklmnopqrstuvwxy=']
  for (const s of samples) assert.equal(cli(s), library(s), s)
  assert.equal(cli(42), library(42))
})
