import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KeepConnected } from '../src/discovery/keep-connected.js'
import { waitFor } from './support/peers.js'

test('a peer left with no connection re-dials its bootstrap peers with backoff until one answers', {
  timeout: 20_000
}, async () => {
  let connections = 1
  const dials: number[] = []
  let answer = false
  const keeper = new KeepConnected({
    connectionCount: () => connections,
    dial: async (addresses) => {
      assert.deepEqual(addresses, ['/ip4/127.0.0.1/tcp/7776/p2p/x'])
      dials.push(Date.now())
      if (answer) connections = 1
      return answer
    }
  }, ['/ip4/127.0.0.1/tcp/7776/p2p/x'])
  keeper.start()
  try {
    keeper.connectionsChanged()
    await new Promise(resolve => setTimeout(resolve, 1_200))
    assert.equal(dials.length, 0, 'connected: nothing to do')

    connections = 0
    keeper.connectionsChanged()
    await waitFor('a first re-dial', () => dials.length >= 1, 3_000)
    await waitFor('a second one, after a failure', () => dials.length >= 2, 5_000)
    answer = true
    await waitFor('the dial that answers', () => connections === 1, 10_000)
    const settled = dials.length
    keeper.connectionsChanged()
    await new Promise(resolve => setTimeout(resolve, 1_500))
    assert.equal(dials.length, settled, 'connected again: dialling stops')
  } finally {
    keeper.stop()
  }
})

test('without bootstrap addresses there is nothing to keep', async () => {
  let dialled = false
  const keeper = new KeepConnected({ connectionCount: () => 0, dial: async () => { dialled = true; return false } }, [])
  keeper.start()
  keeper.connectionsChanged()
  await new Promise(resolve => setTimeout(resolve, 1_200))
  keeper.stop()
  assert.equal(dialled, false)
})

test('a peer whose first bootstrap dial failed, and so never had a connection, dials again', {
  timeout: 20_000
}, async () => {
  let connections = 0
  let dials = 0
  const keeper = new KeepConnected({
    connectionCount: () => connections,
    dial: async () => { dials++; connections = 1; return true }
  }, ['/ip4/127.0.0.1/tcp/7776/p2p/x'])
  keeper.start()
  try {
    // No connection event ever arrives: start() alone must lead to the dial.
    await waitFor('a dial without any connection event', () => dials === 1, 5_000)
  } finally {
    keeper.stop()
  }
})
