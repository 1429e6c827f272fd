/**
 * When Rendezvous walks the DHT, driven without a network: node:test's mock timers and a fake
 * libp2p whose routing table and provider answers each test sets. The end-to-end guards of
 * discovery are discovery.test.ts and the DHT bench.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as tick } from 'node:timers/promises'
import { Rendezvous } from '../src/discovery/rendezvous.js'
import { Metrics } from '../src/metrics/metrics.js'

const DOCS = 10

interface FakeProvider { id: { toString: () => string, equals: () => boolean }, multiaddrs: [] }

function fakeLibp2p (tableSize = 0, holders: FakeProvider[] = []): {
  libp2p: unknown
  table: EventTarget & { size: number }
  provided: string[]
  lookedUp: string[]
} {
  const table = Object.assign(new EventTarget(), { size: tableSize })
  const provided: string[] = []
  const lookedUp: string[] = []
  const libp2p = {
    peerId: { equals: () => false },
    services: { dht: { routingTable: table, cancelReprovide: async () => {} } },
    contentRouting: {
      provide: async (key: { toString: () => string }) => { provided.push(key.toString()) },
      findProviders: async function * (key: { toString: () => string }) {
        lookedUp.push(key.toString())
        yield * holders
      }
    }
  }
  return { libp2p, table, provided, lookedUp }
}

/** Advances mock time in 1 s steps, letting the promises each step releases settle. */
async function advance (t: TestContext, ms: number): Promise<void> {
  for (let done = 0; done < ms; done += 1000) {
    t.mock.timers.tick(1000)
    for (let i = 0; i < 5; i++) await tick()
  }
}

test('with an empty routing table nothing retries on a timer; its first peer sets off each provide', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] })
  const { libp2p, table, provided, lookedUp } = fakeLibp2p()
  const rendezvous = new Rendezvous(libp2p as any, {} as any, new Metrics(), {
    intervalMs: 30_000,
    peersFor: () => 0,
    targetPeers: 8
  })
  t.after(() => { rendezvous.stop() })
  for (let i = 0; i < DOCS; i++) {
    await rendezvous.join(`created-${i}`, { created: true })
    await rendezvous.join(`opened-${i}`)
  }
  // The first minute holds the timers joining sets (a created document's first lookup, an opened
  // one's provide after a few seconds); each of those finds the table empty and waits.
  await advance(t, 60_000)

  let timersSet = 0
  const mocked = globalThis.setTimeout
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    timersSet++
    return mocked(...args)
  }) as typeof setTimeout
  try {
    await advance(t, 10 * 60_000)
  } finally {
    globalThis.setTimeout = mocked
  }
  assert.equal(timersSet, 0, 'ten offline minutes set no timer (a per-document backoff would have set hundreds)')
  assert.deepEqual(provided, [], 'no provide ran with nobody to store it')
  assert.deepEqual(lookedUp, [], 'no lookup ran with nobody to ask')

  table.size = 1
  table.dispatchEvent(new Event('peer:add'))
  // Provides share the background budget (one a second, after the lookups): 2 × DOCS lookups
  // and 2 × DOCS provides fit in a minute.
  await advance(t, 60_000)
  assert.equal(provided.length, 2 * DOCS, 'every document provided once the table had a peer')
  assert.equal(new Set(provided).size, 2 * DOCS, 'each exactly once')
  assert.equal(new Set(lookedUp).size, 2 * DOCS, 'every document looked up once the table had a peer')
})
