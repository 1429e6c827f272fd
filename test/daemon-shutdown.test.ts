import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { test } from 'node:test'
import { silentLogger } from '../src/daemon/log.js'
import { installShutdown } from '../src/daemon/signals.js'

const tick = async (ms = 10): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

function setup (timeoutMs = 5000): {
  source: EventEmitter
  exits: number[]
  control: ReturnType<typeof installShutdown>
} {
  const source = new EventEmitter()
  const exits: number[] = []
  const control = installShutdown({ log: silentLogger, timeoutMs, exit: (c) => exits.push(c), source: source as any })
  return { source, exits, control }
}

test('SIGTERM stops gracefully and exits 0', async () => {
  const { source, exits, control } = setup()
  let stopped = false
  control.setStop(async () => { await tick(); stopped = true })
  source.emit('SIGTERM', 'SIGTERM')
  await tick(50)
  assert.equal(stopped, true)
  assert.deepEqual(exits, [0])
})

test('a second signal exits at once, without waiting for the stop', async () => {
  const { source, exits, control } = setup()
  control.setStop(async () => { await new Promise(() => {}) }) // a stop that never finishes
  source.emit('SIGINT', 'SIGINT')
  await tick()
  assert.deepEqual(exits, [])
  source.emit('SIGINT', 'SIGINT')
  assert.deepEqual(exits, [130])
  const second = setup()
  second.control.setStop(async () => { await new Promise(() => {}) })
  second.source.emit('SIGTERM', 'SIGTERM')
  second.source.emit('SIGTERM', 'SIGTERM')
  assert.deepEqual(second.exits, [143])
})

test('a stop that takes longer than the timeout exits 1', async () => {
  const { source, exits, control } = setup(100)
  control.setStop(async () => { await new Promise(() => {}) })
  source.emit('SIGTERM', 'SIGTERM')
  await tick(250)
  assert.deepEqual(exits, [1])
})

test('a failing stop exits 1', async () => {
  const { source, exits, control } = setup()
  control.setStop(async () => { throw new Error('disk gone') })
  source.emit('SIGTERM', 'SIGTERM')
  await tick()
  assert.deepEqual(exits, [1])
})

test('a signal during start-up stops the daemon as soon as it has started', async () => {
  const { source, exits, control } = setup()
  source.emit('SIGTERM', 'SIGTERM')
  await tick()
  assert.deepEqual(exits, [])
  let stopped = false
  control.setStop(async () => { stopped = true })
  await tick()
  assert.equal(stopped, true)
  assert.deepEqual(exits, [0])
})
