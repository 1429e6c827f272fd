/**
 * When Rendezvous walks the DHT, driven without a network: node:test's mock timers and a fake
 * libp2p whose routing table and provider answers each test sets. The end-to-end guards of
 * discovery are discovery.test.ts and the DHT bench.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as tick } from 'node:timers/promises'
import { Rendezvous, documentKey } from '../src/discovery/rendezvous.js'
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
  // The first 16 lookups run at once; the rest, and the provides, share the background budget:
  // its burst (32 slots, a provide taking two) covers most, the refill (a slot per 5 s) the rest.
  await advance(t, 2 * 60_000)
  assert.equal(provided.length, 2 * DOCS, 'every document provided once the table had a peer')
  assert.equal(new Set(provided).size, 2 * DOCS, 'each exactly once')
  assert.equal(new Set(lookedUp).size, 2 * DOCS, 'every document looked up once the table had a peer')
})

test('a backlog of provides trickles out of the budget, newest first, after a burst', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] })
  const { libp2p, provided, lookedUp } = fakeLibp2p(1)
  const rendezvous = new Rendezvous(libp2p as any, {} as any, new Metrics(), {
    intervalMs: 30_000,
    peersFor: () => 0,
    targetPeers: 8
  })
  t.after(() => { rendezvous.stop() })
  const BACKLOG = 300
  for (let i = 0; i < BACKLOG; i++) await rendezvous.join(`created-${i}`, { created: true })
  await advance(t, 10_000)
  // The burst: 32 slots, two per provide, plus a slot or two of refill.
  assert.ok(provided.length >= 16 && provided.length <= 18, `burst of provides: ${provided.length}`)

  // A document created now goes out ahead of the backlog.
  await rendezvous.join('created-late', { created: true })
  await advance(t, 15_000)
  assert.ok(provided.includes((await documentKey('created-late')).toString()), 'the newest document provided first')

  // Later, a slot per 5 s at most, lookups (one slot) and provides (two) in turns.
  const p0 = provided.length
  const l0 = lookedUp.length
  await advance(t, 10 * 60_000)
  const slots = (lookedUp.length - l0) + 2 * (provided.length - p0)
  assert.ok(slots <= 10 * 60 / 5 + 2, `slots used in 10 min: ${slots}`)
  assert.ok(provided.length - p0 >= 30, `provides kept going: ${provided.length - p0} in 10 min`)
  assert.ok(lookedUp.length - l0 >= 30, `lookups took their turns: ${lookedUp.length - l0} in 10 min`)
})
