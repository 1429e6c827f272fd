/**
 * Private documents from the daemon's command line and admin API, against a real `weft daemon`
 * process and a library peer on loopback: create, invite, join, members, revoke, and the one-line
 * answers to mistakes.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AdminClient, AdminClientError } from '../src/daemon/admin-client.js'
import { readTokenFile } from '../src/daemon/files.js'
import { eventually, loopbackArgs, runCli, startDaemon, tempDirs } from './daemon/harness.js'
import { Peers, text, waitFor } from './support/peers.js'

const tempDir = tempDirs('weft-daemon-trust-')

test('weft create --private, invite, members, revoke and join, through the CLI and the admin API',
  { timeout: 180_000 }, async () => {
    const dataDir = await tempDir()
    const daemon = await startDaemon(loopbackArgs(dataDir))
    const admin = ['--admin', daemon.ready.admin, '--data-dir', dataDir]
    const client = new AdminClient({ url: daemon.ready.admin, token: readTokenFile(dataDir) })
    const peers = new Peers()
    try {
      // The daemon creates a private document: it is its admin, and the document is pinned.
      const created = await runCli(['create', '--private', ...admin])
      assert.equal(created.code, 0, created.stderr)
      const id = /created ([a-z2-7]{52}) \(private, admin, pinned\)/.exec(created.stdout)?.[1]
      assert.ok(id !== undefined, created.stdout)
      assert.ok((await client.pins()).pins.includes(id))

      // A writer link from the CLI: a library peer joins with it and writes.
      const invited = await runCli(['invite', id, '--role', 'writer', ...admin])
      assert.equal(invited.code, 0, invited.stderr)
      const link = invited.stdout.trim()
      assert.match(link, new RegExp(`^weft://${id}\\?peer=.*#w\\.[a-z2-7]+$`))
      const writer = await peers.start({ bootstrap: [daemon.ready.bootstrap] })
      const hw = await writer.join(link, { signal: AbortSignal.timeout(30_000) })
      assert.equal(hw.access, 'writer')
      hw.doc.getText('text').insert(0, 'written by a member')
      await hw.flush()
      await eventually(async () => (await client.doc(id)).content?.text === 'written by a member', 30_000,
        'the daemon (a member with the key) reads the writer\'s text')
      const cat = await runCli(['cat', id, ...admin])
      assert.equal(cat.code, 0, cat.stderr)
      assert.equal(cat.stdout.trim(), 'written by a member')

      // Members, from the CLI and the API.
      const writerKey = (await client.members(id)).members.find(m => m.role === 'writer')?.key
      assert.ok(writerKey !== undefined)
      const members = await runCli(['members', id, ...admin])
      assert.equal(members.code, 0, members.stderr)
      assert.match(members.stdout, /this daemon: admin/)
      assert.match(members.stdout, new RegExp(`${writerKey}  writer`))

      // A reader link through the API, and revocation through the CLI: the writer loses its role.
      const readerLink = await client.invite(id, 'reader')
      assert.match(readerLink.link, /#r\./)
      const revoked = await runCli(['revoke', id, writerKey, ...admin])
      assert.equal(revoked.code, 0, revoked.stderr)
      assert.match(revoked.stdout, /revoked/)
      await waitFor('the writer learns it was revoked', () => hw.access === 'none', 30_000)
      assert.ok(!(await client.members(id)).members.some(m => m.key === writerKey))

      // A second daemon joins with the reader link (`weft join`), and reads.
      const otherDir = await tempDir()
      const other = await startDaemon([...loopbackArgs(otherDir), '--bootstrap', daemon.ready.bootstrap])
      const otherAdmin = ['--admin', other.ready.admin, '--data-dir', otherDir]
      const joined = await runCli(['join', readerLink.link, ...otherAdmin], { timeoutMs: 60_000 })
      assert.equal(joined.code, 0, joined.stderr)
      assert.match(joined.stdout, new RegExp(`joined ${id} as reader \\(pinned\\)`))
      await eventually(async () => {
        const r = await runCli(['cat', id, ...otherAdmin])
        return r.code === 0 && r.stdout.trim() === 'written by a member'
      }, 30_000, 'the joined daemon reads the text')
      assert.equal(text(hw), 'written by a member')

      // Mistakes: one line each, with the exit code of their kind.
      const notAdmin = await runCli(['invite', id, '--role', 'writer', ...otherAdmin])
      assert.equal(notAdmin.code, 1)
      assert.match(notAdmin.stderr, /^weft: 403 Forbidden: only an admin can invite \(this daemon is reader\)\n$/)
      const badRole = await runCli(['invite', id, '--role', 'owner', ...admin])
      assert.equal(badRole.code, 2)
      assert.match(badRole.stderr, /role/)
      const badKey = await runCli(['revoke', id, 'nobody', ...admin])
      assert.equal(badKey.code, 2)
      assert.match(badKey.stderr, /^weft: member "nobody" is not a key/)
      const badLink = await runCli(['join', 'weft://nonsense', ...admin])
      assert.equal(badLink.code, 2)
      assert.match(badLink.stderr, /^weft: 400 Bad Request: .*link/)
      const openDoc = await client.create('open')
      await assert.rejects(client.invite(openDoc.id, 'reader'),
        (err: unknown) => err instanceof AdminClientError && err.status === 400 && /open document/.test(err.message))
      await assert.rejects(client.members('a'.repeat(52)),
        (err: unknown) => err instanceof AdminClientError && err.status === 404)
    } finally {
      await peers.cleanup()
    }
  })
