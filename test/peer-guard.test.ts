import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { lpStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import { Peers, text, waitFor } from './support/peers.js'
import { rawPeer } from './support/raw-peer.js'
import { METRIC, PROTOCOL, type Weft } from '../src/index.js'
import { docTopic } from '../src/sync/gossip.js'
import { PeerGuard, isOffence } from '../src/net/peer-guard.js'
import { TUNING } from '../src/defaults.js'
import type { WeftLibp2p } from '../src/net/libp2p-node.js'

/** A weft peer and a raw libp2p peer that may send it anything; both stopped afterwards. */
async function withRawPeer (run: (w: Weft, raw: WeftLibp2p, peers: Peers) => Promise<void>): Promise<void> {
  const peers = new Peers()
  const { node: raw } = await rawPeer()
  try {
    await run(await peers.start(), raw, peers)
  } finally {
    await raw.stop()
    await peers.cleanup()
  }
}

const banned = (w: Weft, reason: string): number => w.metrics.counters()[METRIC.peersBanned]?.[reason] ?? 0
const connectedTo = (w: Weft, peer: string): boolean =>
  w.libp2p.getConnections().some(c => c.remotePeer.toString() === peer)

describe('the peer guard cuts off peers that keep sending what no honest peer sends', () => {
  test('threshold within a window, ban expiry, the gater, and which reasons count', async () => {
    let now = 1_000
    const bans: string[] = []
    const guard = new PeerGuard({ threshold: 3, windowMs: 1000, banMs: 5000, now: () => now, onBan: p => bans.push(p) })
    assert.equal(guard.offence('a', 'malformed'), false)
    assert.equal(guard.offence('a', 'malformed'), false)
    now += 1500 // the window passed: the count starts again
    assert.equal(guard.offence('a', 'malformed'), false)
    assert.equal(guard.offence('a', 'oversized'), false)
    assert.equal(guard.offence('a', 'malformed'), true)
    assert.deepEqual(bans, ['a'])
    assert.equal(guard.banned('a'), true)
    assert.equal(guard.banned('b'), false)
    assert.equal(guard.offence('a', 'malformed'), false, 'a banned peer is not banned twice')
    const gater = guard.gater()
    const a = peerIdFromString('12D3KooWGRUVh2SC9mjk3XYt8EZkL3uxqcz5d8oFJ6LnPiyW6K7t')
    assert.equal(await gater.denyDialPeer?.(a), false, 'only the banned id is refused')
    now += 5001
    assert.equal(guard.banned('a'), false, 'the ban expires')
    assert.equal(guard.bannedCount, 0)
    // an honest peer can send these: a newer version, an unknown document, a rate limit, a timeout
    for (const reason of ['bad-version', 'unknown-document', 'rate-limited', 'sync-failed', 'unauthorized', 'no-key']) {
      assert.equal(isOffence(reason), false, reason)
    }
    assert.equal(isOffence('malformed'), true)
  })

  test('garbage sync streams get a raw peer disconnected and refused; honest peers carry on', { timeout: 60_000 },
    async () => {
      await withRawPeer(async (w, raw, peers) => {
        const handle = await w.create()
        handle.doc.getText('text').insert(0, 'intact')
        await handle.flush()
        const rawId = raw.peerId.toString()
        await raw.dial(w.libp2p.getMultiaddrs()[0])
        await waitFor('w sees the connection', () => connectedTo(w, rawId))
        // more garbage streams than the threshold; the guard counts each undecodable request
        const garbage = async (): Promise<void> => {
          const stream = await raw.dialProtocol(w.libp2p.peerId, PROTOCOL.sync)
          try { await lpStream(stream).write(randomBytes(300)) } catch {}
          try { for await (const _ of stream) void _ } catch {} // w aborts it: reading must not hang
        }
        for (let i = 0; i < TUNING.banThreshold + 5 && connectedTo(w, rawId); i++) await garbage().catch(() => {})
        await waitFor('w bans the raw peer', () => banned(w, 'malformed') === 1, 10_000)
        await waitFor('w closed its connection to the raw peer', () => !connectedTo(w, rawId), 10_000)
        assert.equal(w.metrics.gauges()[METRIC.peersBannedNow], 1)
        const rawSees = (): number => raw.getConnections(w.libp2p.peerId).length
        await waitFor('the raw peer sees its connection closed', () => rawSees() === 0, 10_000)
        // dialling again: w refuses the connection during the upgrade, whatever the dialler thinks at first
        const again = await raw.dial(w.libp2p.getMultiaddrs()[0], { signal: AbortSignal.timeout(5000) })
          .then(() => 'dialled', (err: Error) => err.name)
        await waitFor('the raw peer is refused', () => rawSees() === 0 && !connectedTo(w, rawId), 10_000)
        assert.notEqual(again, 'AbortError', 'refused at once, not left hanging')

        const honest = await peers.start({ bootstrap: [w.multiaddrs[0]] })
        const hh = await honest.open(handle.id)
        await hh.whenSynced({ signal: AbortSignal.timeout(20_000) })
        assert.equal(text(hh), 'intact')
        assert.equal(banned(w, 'malformed'), 1, 'the honest peer was not banned')
      })
    })

  test('heads, ack and sync streams that end before a whole message are no offence: the peer stays connected',
    { timeout: 60_000 }, async () => {
      await withRawPeer(async (w, raw) => {
        await w.create()
        const rawId = raw.peerId.toString()
        await raw.dial(w.libp2p.getMultiaddrs()[0])
        await waitFor('w sees the connection', () => connectedTo(w, rawId))
        const dropped = (reason: string): number => w.metrics.counters()[METRIC.dropped]?.[reason] ?? 0
        // What a link that breaks mid-exchange looks like to the serving side: half a length prefix, then the end.
        const broken = async (protocol: string): Promise<void> => {
          const stream = await raw.dialProtocol(w.libp2p.peerId, protocol)
          try { await stream.send(Uint8Array.from([0x80])) } catch {}
          await stream.close().catch(() => {})
          try { for await (const _ of stream) void _ } catch {}
        }
        const streams = TUNING.banThreshold + 5
        for (let i = 0; i < streams; i++) {
          await broken(PROTOCOL.heads)
          await broken(PROTOCOL.ack)
          await broken(PROTOCOL.sync)
        }
        await waitFor('every broken stream is counted', () =>
          dropped('stream-failed') >= 2 * streams && dropped('sync-failed') >= streams, 10_000)
        assert.equal(dropped('malformed'), 0, 'none counted as malformed')
        assert.equal(banned(w, 'malformed'), 0, 'not banned')
        assert.ok(connectedTo(w, rawId), 'still connected')
        // Bytes no honest peer sends still count: a length prefix past the protocol's limit (a heads
        // digest is ~40 bytes; 2,000 is refused before any of it is buffered).
        const huge = async (): Promise<void> => {
          const stream = await raw.dialProtocol(w.libp2p.peerId, PROTOCOL.heads)
          try { await stream.send(Uint8Array.from([0xd0, 0x0f])) } catch {}
          try { for await (const _ of stream) void _ } catch {}
        }
        await huge()
        await waitFor('an over-long frame is counted as oversized', () => dropped('oversized') >= 1, 10_000)
      })
    })

  test('a gossip flood of garbage frames gets the sender cut off, past gossipsub graylisting', { timeout: 60_000 },
    async () => {
      await withRawPeer(async (w, raw) => {
        const handle = await w.create()
        const topic = docTopic(handle.id)
        raw.services.pubsub.subscribe(topic)
        await raw.dial(w.libp2p.getMultiaddrs()[0])
        await waitFor('the raw peer sees w on the topic',
          () => raw.services.pubsub.getSubscribers(topic).some(p => p.equals(w.libp2p.peerId)))
        const rawId = raw.peerId.toString()
        const deadline = Date.now() + 30_000
        // graylisting lets a few frames through per decay interval; the guard adds them up
        while (connectedTo(w, rawId) && Date.now() < deadline) {
          await raw.services.pubsub.publish(topic, randomBytes(100)).catch(() => {})
          await new Promise(resolve => setTimeout(resolve, 20))
        }
        assert.equal(connectedTo(w, rawId), false, 'w cut the flooding peer off')
        assert.equal(banned(w, 'malformed'), 1)
        assert.ok((w.metrics.counters()[METRIC.dropped]?.malformed ?? 0) >= TUNING.banThreshold)
      })
    })
})
