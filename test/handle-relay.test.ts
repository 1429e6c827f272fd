import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ObservableV2 } from 'lib0/observable'
import { Handle } from '../src/handle.js'

/** The replica and sync policy a lease relays from, reduced to their events. */
function sources (): { replica: ObservableV2<any>, sync: ObservableV2<any>, listeners: () => number } {
  const replica = new ObservableV2<any>()
  const sync = new ObservableV2<any>()
  const count = (o: ObservableV2<any>): number => [...o._observers.values()].reduce((n, s) => n + s.size, 0)
  return { replica, sync, listeners: () => count(replica) + count(sync) }
}

test('a lease subscribes to its document\'s events only once the app listens, and lets go on close', async () => {
  const { replica, sync, listeners } = sources()
  let released = 0
  const lease = new Handle({ replica, sync } as any, async () => { released++ })
  assert.equal(listeners(), 0, 'a lease nobody listens to holds no subscription (a thousand open notes)')

  const statuses: string[] = []
  const deliveries: number[] = []
  lease.on('status', s => { statuses.push(s) })
  lease.once('status', () => {})
  lease.on('delivery', n => { deliveries.push(n) })
  assert.equal(listeners(), 2, 'one relay per event, however many app listeners')
  sync.emit('status', ['synced'])
  sync.emit('peers', [['p1']])
  replica.emit('delivery', [3])
  assert.deepEqual(statuses, ['synced'])
  assert.deepEqual(deliveries, [3])

  await lease.close()
  assert.equal(released, 1)
  assert.equal(listeners(), 0, 'closing the lease removes its relays')
  sync.emit('status', ['offline'])
  assert.deepEqual(statuses, ['synced'], 'nothing reaches a closed lease')
})
