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

test('lookups of a document with a connected holder back off while they find nobody new', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] })
  const lookupsIn10Minutes = async (holder: FakeProvider, connected: boolean): Promise<number> => {
    const { libp2p, lookedUp } = fakeLibp2p(1, [holder])
    const dialer = { isConnected: () => connected, dial: async () => false }
    const rendezvous = new Rendezvous(libp2p as any, dialer as any, new Metrics(), {
      intervalMs: 30_000,
      peersFor: () => 1,
      targetPeers: 8
    })
    try {
      await rendezvous.join('shared-note', { created: true })
      await advance(t, 10 * 60_000)
      return lookedUp.length
    } finally {
      rendezvous.stop()
    }
  }
  const holder = (id: string): FakeProvider => ({ id: { toString: () => id, equals: () => false }, multiaddrs: [] })
  // Every 30 s without backing off: 20 lookups. Backing off from 30 s to 5 min: 30, 90, 210, 450 s.
  const quiet = await lookupsIn10Minutes(holder('the-connected-device'), true)
  assert.ok(quiet <= 5, `only the holder we are connected to: ${quiet} lookups in 10 minutes`)
  const learning = await lookupsIn10Minutes(holder('a-holder-we-could-not-reach'), false)
  assert.ok(learning >= 15, `a holder we are not connected to each time: ${learning} lookups in 10 minutes`)
})
