import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Peers, text } from './support/peers.js'

test('a peer restarted on the same dataDir keeps its identity and its documents', { timeout: 60_000 }, async () => {
  const peers = new Peers()
  try {
    const dir = await peers.tempDir()
    let weft = await peers.start({ dataDir: dir })
    const peerId = weft.peerId
    const handle = await weft.create()
    handle.doc.getText('text').insert(0, 'kept across restarts')
    handle.doc.getMap('meta').set('n', 42)
    await handle.flush()
    const other = await weft.create()
    other.doc.getArray('list').push([1, 2, 3])
    // Created and never edited: listed all the same (create() queues the listing without reading the store).
    const empty = await weft.create()
    const vv = handle.versionVector
    await peers.stop(weft)

    weft = await peers.start({ dataDir: dir })
    assert.equal(weft.peerId, peerId, 'same identity')
    assert.deepEqual((await weft.storedDocuments()).sort(), [handle.id, other.id, empty.id].sort())
    const again = await weft.open(handle.id)
    assert.equal(text(again), 'kept across restarts')
    assert.equal(again.doc.getMap('meta').get('n'), 42)
    assert.deepEqual(again.versionVector, vv)
    assert.deepEqual((await weft.open(other.id)).doc.getArray('list').toJSON(), [1, 2, 3])

    // New edits continue the author's sequence instead of reusing numbers.
    again.doc.getText('text').insert(0, '+')
    await again.flush()
    assert.equal(again.versionVector[Object.keys(vv)[0]], vv[Object.keys(vv)[0]] + 1)
  } finally {
    await peers.cleanup()
  }
})

test('a peer killed with SIGKILL right after edits has every acknowledged edit when it restarts', {
  timeout: 90_000
}, async () => {
  const peers = new Peers()
  const child = fileURLToPath(new URL('./support/kill-writer.ts', import.meta.url))
  try {
    const dir = await peers.tempDir()
    let docId: string | undefined
    for (let round = 0; round < 3; round++) {
      const args = ['--import', 'tsx', child, dir, ...(docId === undefined ? [] : [docId])]
      const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
      const exited = new Promise(resolve => proc.once('exit', resolve))
      let lastAck = 0
      let lastLength = 0
      const killAfter = 100 + Math.floor(Math.random() * 400)
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('writer never acknowledged enough edits')), 45_000)
          createInterface({ input: proc.stdout }).on('line', line => {
            const [kind, a, b] = line.split(' ')
            if (kind === 'doc') docId = a
            if (kind !== 'ack') return
            lastAck = Number(a)
            lastLength = Number(b)
            if (lastAck >= killAfter) {
              // Mid-write: the writer is already typing and flushing the next edits.
              proc.kill('SIGKILL')
              clearTimeout(timer)
              resolve()
            }
          })
        })
      } finally {
        proc.kill('SIGKILL')
        await exited
      }

      const weft = await peers.start({ dataDir: dir })
      const handle = await weft.open(docId as string)
      const content = text(handle)
      const survived = Number(handle.doc.getMap('acks').get('last'))
      assert.ok(survived >= lastAck, `round ${round}: edit ${lastAck} was acknowledged but only ${survived} survived`)
      assert.ok(content.length >= lastLength)
      // Every edit up to the last survivor is there, in order, exactly once.
      const expected = Array.from({ length: survived }, (_, i) => `${i + 1};`).join('')
      assert.equal(content.slice(0, expected.length), expected)
      await peers.stop(weft)
    }
  } finally {
    await peers.cleanup()
  }
})
