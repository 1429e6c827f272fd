/**
 * The per-neighbour heads exchange: idle documents cost nothing per document, and a lost
 * last edit of an idle document is still found. Real peers on 127.0.0.1.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { METRIC, type DocHandle, type Weft } from '../src/index.js'
import { docTopic } from '../src/sync/gossip.js'
import { GossipFrame } from '../src/wire/codec.js'
import { Peers, text, waitFor } from './support/peers.js'

const counter = (w: Weft, name: string, label = ''): number => w.metrics.counters()[name]?.[label] ?? 0

/** Waits until `read()` gives the same value twice, `spanMs` apart. */
async function stillFor (what: string, read: () => number, spanMs: number, timeoutMs = 20_000): Promise<void> {
  let last = -1
  await waitFor(what, async () => {
    const now = read()
    const still = now === last
    last = now
    if (!still) await new Promise(resolve => setTimeout(resolve, spanMs))
    return still
  }, timeoutMs)
}

test('idle shared documents send no beacons and an idle link no digests; a lost last edit is still found', {
  timeout: 90_000
}, async () => {
  const peers = new Peers()
  try {
    // Periodic beacons an hour apart: only the heads exchange (every 500 ms here) can repair.
    const options = { beaconIntervalMs: 3_600_000, headsIntervalMs: 500 }
    const a = await peers.start(options)
    const b = await peers.start({ ...options, bootstrap: [a.multiaddrs[0]] })
    const docs: Array<[DocHandle, DocHandle]> = []
    for (let i = 0; i < 20; i++) {
      const ha = await a.create()
      ha.doc.getText('text').insert(0, `doc ${i}`)
      const hb = await b.open(ha.id)
      docs.push([ha, hb])
    }
    await waitFor('all 20 replicated', () => docs.every(([ha, hb]) => text(hb) === text(ha)))
    // One "same" exchange records the agreement on both sides (the asker's and the server's), and the
    // side that served it then need not ask: whichever side asks first may be the only one that does.
    await waitFor('the digests agree', () =>
      counter(a, METRIC.headsExchanges, 'same') + counter(b, METRIC.headsExchanges, 'same') > 0)

    // Let the confirmations of the initial sync go out (1-2 s after each apply).
    const beacons = (): number => counter(a, METRIC.beaconsOut) + counter(b, METRIC.beaconsOut)
    await stillFor('confirmations settled', beacons, 2_500)
    // Idle: nothing per document goes out, and the link itself goes quiet once both sides agreed:
    // asking every 500 ms, the two sides made ~12 exchanges in 3 s; now each asks only when its own
    // digest moves, or once per 10 intervals (5 s) as a safety net.
    const exchanges = (): number => [a, b].reduce((sum, w) =>
      sum + counter(w, METRIC.headsExchanges, 'same') + counter(w, METRIC.headsExchanges, 'differ'), 0)
    // Once both sides agree (subscriptions seen on both sides, so the same documents count as shared).
    await stillFor('the link goes quiet', exchanges, 2_000, 30_000)
    const beaconsBefore = counter(a, METRIC.beaconsOut) + counter(b, METRIC.beaconsOut)
    const exchangesBefore = exchanges()
    await new Promise(resolve => setTimeout(resolve, 3_000))
    assert.equal(
      counter(a, METRIC.beaconsOut) + counter(b, METRIC.beaconsOut),
      beaconsBefore,
      'no beacon for idle documents'
    )
    const idleExchanges = exchanges() - exchangesBefore
    assert.ok(idleExchanges <= 2, `an idle link makes at most each side's safety-net check, made ${idleExchanges}`)

    // The last edit of document 7 is lost on its way to b, and nothing follows it.
    const [ha, hb] = docs[7]
    const topic = docTopic(ha.id)
    const validators = b.libp2p.services.pubsub.topicValidators
    const real = validators.get(topic)
    assert.ok(real !== undefined)
    let lost = 0
    validators.set(topic, (peer, message) => {
      if (GossipFrame.decode(message.data).envelope != null) { lost++; return TopicValidatorResult.Ignore }
      return real(peer, message)
    })
    const differBefore = counter(a, METRIC.headsExchanges, 'differ') + counter(b, METRIC.headsExchanges, 'differ')
    ha.doc.getText('text').insert(0, 'lost? ')
    await ha.flush()
    await waitFor('the envelope was dropped at b', () => lost > 0)
    await waitFor('b found it through the heads exchange', () => text(hb) === text(ha), 20_000)
    assert.ok(counter(a, METRIC.headsExchanges, 'differ') + counter(b, METRIC.headsExchanges, 'differ') > differBefore)
    await waitFor('and a sees it confirmed', () => ha.unconfirmed === 0, 20_000)
  } finally {
    await peers.cleanup()
  }
})
