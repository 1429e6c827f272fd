import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { loadOrCreateToken, readTokenFile } from '../src/daemon/files.js'
import { PinStore, PinStoreError } from '../src/daemon/pins.js'

const A = 'aaaaaaaaaaaaaaaaaaaaaaaaaa'
const B = 'bbbbbbbbbbbbbbbbbbbbbbbbbb'
const C = 'cccccccccccccccccccccccccc'
const dirs: string[] = []
const tmp = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), 'weft-pins-'))
  dirs.push(d)
  return d
}
after(async () => { await Promise.all(dirs.map(d => rm(d, { recursive: true, force: true }))) })

test('pins survive a reopen (restart) and are listed sorted', async () => {
  const dir = await tmp()
  const pins = await PinStore.open(dir)
  assert.deepEqual(pins.list(), [])
  assert.deepEqual(await pins.add(B, A), [B, A])
  assert.deepEqual(await pins.add(A), [], 'already pinned')
  const again = await PinStore.open(dir)
  assert.deepEqual(again.list(), [A, B])
  assert.ok(again.get(A)?.pinnedAt != null)
  assert.equal(await again.remove(A), true)
  assert.equal(await again.remove(A), false)
  assert.deepEqual((await PinStore.open(dir)).list(), [B])
})

test('concurrent pin/unpin calls all end up on disk, and no temp files are left', async () => {
  const dir = await tmp()
  const pins = await PinStore.open(dir)
  await Promise.all([pins.add(A), pins.add(B), pins.add(C), pins.remove(B)])
  assert.deepEqual((await PinStore.open(dir)).list(), [A, C])
  assert.deepEqual((await readdir(dir)).sort(), ['pins.json'])
  const file = JSON.parse(await readFile(join(dir, 'pins.json'), 'utf8'))
  assert.equal(file.version, 1)
  assert.deepEqual(Object.keys(file.pins), [A, C])
})

test('a malformed id is refused; a corrupt pins file stops the start instead of dropping pins', async () => {
  const dir = await tmp()
  const pins = await PinStore.open(dir)
  await assert.rejects(pins.add('nope'), PinStoreError)
  await writeFile(join(dir, 'pins.json'), '{"version":1,"pins":{')
  await assert.rejects(PinStore.open(dir), /not valid JSON/)
  await writeFile(join(dir, 'pins.json'), '{"version":2}')
  await assert.rejects(PinStore.open(dir), /unknown format/)
})

test('the admin token is created once, random, mode 0600, and read back', async () => {
  const dir = await tmp()
  const first = await loadOrCreateToken(dir)
  assert.equal(first.created, true)
  assert.ok(first.token.length >= 40)
  assert.equal((await stat(first.path)).mode & 0o777, 0o600)
  const second = await loadOrCreateToken(dir)
  assert.equal(second.created, false)
  assert.equal(second.token, first.token)
  assert.equal(readTokenFile(dir), first.token)
  assert.notEqual((await loadOrCreateToken(await tmp())).token, first.token)
})
