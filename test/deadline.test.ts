import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { deadline } from '../src/util/deadline.js'

test('deadline: times out like AbortSignal.timeout, follows its parents, and clear() drops the timer', async () => {
  const timed = deadline(20)
  await sleep(60)
  assert.equal(timed.signal.aborted, true)
  assert.equal((timed.signal.reason as Error).name, 'TimeoutError')

  const cleared = deadline(20)
  cleared.clear()
  await sleep(60)
  assert.equal(cleared.signal.aborted, false, 'a cleared deadline never fires')

  const parent = new AbortController()
  const child = deadline(10_000, undefined, parent.signal)
  parent.abort(new Error('closed'))
  assert.equal(child.signal.aborted, true)
  assert.equal((child.signal.reason as Error).message, 'closed')

  const already = AbortSignal.abort(new Error('gone'))
  assert.equal(deadline(10_000, already).signal.aborted, true, 'an aborted parent aborts at once')

  // clear() also unhooks it from its parents: a long-lived parent does not collect listeners.
  const longLived = new AbortController()
  let fired = 0
  for (let i = 0; i < 5; i++) {
    const d = deadline(10_000, longLived.signal)
    d.signal.addEventListener('abort', () => { fired++ })
    d.clear()
  }
  longLived.abort()
  assert.equal(fired, 0, 'cleared deadlines do not follow their parent any more')
})
