import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Peers, text, waitFor } from './support/peers.js'
import { rawPeer, signedEnvelope, frame, textUpdate, canGossipTo } from './support/raw-peer.js'
import { METRIC, packHlc, type ClockSkewEvent } from '../src/index.js'
import { docTopic } from '../src/sync/gossip.js'

describe('clock skew: a stamp far ahead is merged, clamped and reported, never refused', () => {
  test('an envelope stamped 2 h ahead is applied, counted and reported to the app', { timeout: 60_000 }, async () => {
    const peers = new Peers()
    const { node: raw, key } = await rawPeer()
    try {
      const events: ClockSkewEvent[] = []
      const w = await peers.start({ onClockSkew: e => events.push(e) })
      const handle = await w.create()
      const topic = docTopic(handle.id)
      raw.services.pubsub.subscribe(topic)
      await raw.dial(w.libp2p.getMultiaddrs()[0])
      const seesW = (): boolean => canGossipTo(raw, topic, w.libp2p.peerId)
      await waitFor('the raw peer sees w on the topic', seesW)
      const future = packHlc({ wall: Date.now() + 2 * 3_600_000, logical: 0 })
      const envelope = signedEnvelope(key, handle.id, 1, textUpdate('from the future'), future)
      await raw.services.pubsub.publish(topic, frame(envelope))
      await waitFor('the future-stamped edit is merged', () => text(handle) === 'from the future')
      assert.equal(w.metrics.counters()[METRIC.clockSkew]?.ahead, 1)
      assert.equal(events.length, 1)
      assert.equal(events[0].direction, 'ahead')
      assert.ok(events[0].offsetMs > 3_600_000)
      // Our own next edit is stamped at most maxClockDriftMs (60 s) ahead of our wall clock.
      handle.doc.getText('text').insert(0, '!')
      await handle.flush()
      const vv = handle.versionVector
      assert.equal(Object.keys(vv).length, 2)
    } finally {
      await raw.stop()
      await peers.cleanup()
    }
  })
})
