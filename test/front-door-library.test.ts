/**
 * The library's front door: every mistake a new user makes with `createWeft` options ends in one
 * error that names the option and the value, before or instead of a libp2p stack trace.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { createWeft, type Weft, type WeftOptions } from '../src/index.js'

const PEER_ID = '12D3KooWA82Ar8y9QCKXB1VVDnE7WgEid924UVNScP9xvktuAVYE'
const LOCAL = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false } satisfies WeftOptions

const dirs: string[] = []
const started: Weft[] = []
after(async () => {
  await Promise.all(started.map(async w => { await w.stop() }))
  await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
})

async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-front-door-'))
  dirs.push(dir)
  return dir
}

async function refused (options: WeftOptions, expected: RegExp, type: ErrorConstructor = Error): Promise<void> {
  await assert.rejects(createWeft(options), (err: Error) => {
    assert.ok(err instanceof type, `${err.name} is a ${type.name}`)
    assert.match(err.message, expected)
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`)
    return true
  })
}

test('a bootstrap peer id that is not base58, or one character short, is named in a TypeError', async () => {
  await refused({ ...LOCAL, bootstrap: ['/ip4/203.0.113.7/tcp/7776/p2p/12D3KooW...'] },
    /^createWeft: bootstrap\[0\] "\/ip4\/203\.0\.113\.7\/tcp\/7776\/p2p\/12D3KooW\.\.\." has an invalid peer id/,
    TypeError)
  const good = `/ip4/127.0.0.1/tcp/1/p2p/${PEER_ID}`
  await refused({ ...LOCAL, bootstrap: [good, `/ip4/127.0.0.1/tcp/1/p2p/${PEER_ID.slice(0, -1)}`] },
    /^createWeft: bootstrap\[1\] .* has an invalid peer id "12D3KooW\w+" \(Incorrect length\)$/, TypeError)
})

test('a bootstrap address without /p2p/ is refused instead of silently never dialled', async () => {
  await refused({ ...LOCAL, bootstrap: ['/ip4/127.0.0.1/tcp/1'] },
    /^createWeft: bootstrap\[0\] "\/ip4\/127\.0\.0\.1\/tcp\/1" has no \/p2p\/<peer id>$/, TypeError)
})

test('other option mistakes name the option', async () => {
  await refused({ ...LOCAL, listen: ['127.0.0.1:7776'] },
    /^createWeft: listen\[0\] "127\.0\.0\.1:7776" is not a multiaddr/, TypeError)
  await refused({ ...LOCAL, bootstrap: '/ip4/127.0.0.1/tcp/1' as any },
    /^createWeft: bootstrap must be an array/, TypeError)
  await refused({ ...LOCAL, dht: { mode: 'peer' as any } },
    /^createWeft: dht\.mode must be "server" or "client", got "peer"$/, TypeError)
  await refused({ ...LOCAL, maxEnvelopeBytes: -1 },
    /^createWeft: maxEnvelopeBytes must be a non-negative number, got -1$/, TypeError)
  await refused({ ...LOCAL, network: { pingIntervalMs: 0 } },
    /^createWeft: network\.pingIntervalMs must be a positive number, got 0$/, TypeError)
  await refused({ ...LOCAL, listen: ['/ip4/127.0.0.1/tcp/0/tls/ws'] },
    /^createWeft: listen address \/ip4\/127\.0\.0\.1\/tcp\/0\/tls\/ws needs the tls option \(a PEM cert and key\)/,
    TypeError)
  await refused({ ...LOCAL, listen: ['/ip4/127.0.0.1/tcp/0/tls/ws'], tls: { cert: 'x' } as any },
    /^createWeft: tls\.key must be a PEM string or bytes, got undefined$/, TypeError)
  await refused({ ...LOCAL, tls: { cert: 'x', key: 'y' } },
    /^createWeft: tls is set but no listen address serves it/, TypeError)
})

test('a listen port in use is one line naming the address', { timeout: 30_000 }, async () => {
  const server: Server = createServer()
  await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
  try {
    const port = (server.address() as { port: number }).port
    await refused({ ...LOCAL, listen: [`/ip4/127.0.0.1/tcp/${port}`] },
      new RegExp(`^listen address /ip4/127\\.0\\.0\\.1/tcp/${port} is in use `))
  } finally {
    await new Promise(resolve => { server.close(resolve) })
  }
})

test('a data dir that is a file, or that cannot be created, is named at once (no hang)', {
  timeout: 30_000
}, async () => {
  const file = join(await tempDir(), 'a-file')
  await writeFile(file, 'not a directory')
  await refused({ ...LOCAL, dataDir: file }, /^data dir .*a-file: .*a-file is a file, not a directory$/)
  await refused({ ...LOCAL, dataDir: join(file, 'below') }, /^data dir .*below cannot be created \(ENOTDIR\)$/)
  // Node's recursive mkdir never returns here (the kernel says ENOENT although /proc exists).
  await refused({ ...LOCAL, dataDir: '/proc/weft' }, /^data dir \/proc\/weft cannot be created \(ENOENT\)$/)
})

test('a second createWeft on a data dir in use says so', { timeout: 30_000 }, async () => {
  const dataDir = await tempDir()
  const first = await createWeft({ ...LOCAL, dataDir })
  started.push(first)
  await refused({ ...LOCAL, dataDir }, /^data dir .* is in use by another process/)
})
