/**
 * Browser to browser over WebRTC, in headless Chromium: two pages (own browser contexts, own weft
 * peers) reach a Node relay over WebSockets, reserve a slot on it, and dial each other's
 * `/p2p-circuit/webrtc` address. The relay carries only the signalling: the document then syncs over
 * the pages' own WebRTC connection, and keeps syncing after the relay is stopped.
 */
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Peers, waitFor } from './support/peers.js'
import { newDocId } from '../src/index.js'
import { browserSkipReason, startHarness, type Harness, type TestPage } from './browser/harness.js'

const skip = browserSkipReason()
const T = 30_000
/** WebRTC dials before the test gives up (see the dial below). */
const MAX_DIALS = 3

/** The page's WebRTC address (signalled through the relay), once its reservation is announced. */
async function webRtcAddress (page: TestPage): Promise<string> {
  let address: string | undefined
  await waitFor('the page announces a /p2p-circuit/webrtc address', async () => {
    address = (await page.call('multiaddrs')).find(a => a.includes('/p2p-circuit/webrtc/'))
    return address !== undefined
  }, T, 100)
  return address as string
}

describe('two browsers over WebRTC', { skip, timeout: 150_000 }, () => {
  let harness: Harness
  // Chromium hides host addresses in ICE candidates behind random `<uuid>.local` names, which the
  // other side must resolve over multicast DNS. Between two contexts of one headless browser on this
  // machine that resolution sometimes never answers: the dial then stops after both `.local`
  // candidates were added (5 of 21 runs failed without the switch below). Real addresses in the host
  // candidates (the switch; what an app with camera permission gets anyway) leave ICE nothing to
  // resolve: 4 failures in 61 runs instead (the same stop after both candidates, cause not found).
  // Over the internet, STUN's server-reflexive candidates carry real addresses too.
  before(async () => { harness = await startHarness(['--disable-features=WebRtcHideLocalIpsWithMdns']) })
  after(async () => { await harness?.close() })

  test('two pages sync a document over WebRTC signalled through a relay, and go on without it', async (t) => {
    const peers = new Peers()
    const b1 = await harness.newPage('b1')
    const b2 = await harness.newPage('b2')
    try {
      const relay = await peers.start({ relay: true, listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
      const relayWs = relay.multiaddrs.find(a => a.includes('/ws/'))
      assert.ok(relayWs, `no /ws address in ${relay.multiaddrs.join(', ')}`)
      // No STUN server on loopback: host candidates are all ICE needs here.
      const asBrowser = { bootstrap: [relayWs], listen: ['/p2p-circuit', '/webrtc'], iceServers: [] }
      const t0 = Date.now()
      const { peerId: id1 } = await b1.call('start', asBrowser)
      const { peerId: id2 } = await b2.call('start', asBrowser)
      const [addr1, addr2] = [await webRtcAddress(b1), await webRtcAddress(b2)]
      t.diagnostic(`both pages hold a reservation ${Date.now() - t0} ms after start: ${addr1}`)
      assert.ok(addr1.endsWith(`/p2p-circuit/webrtc/p2p/${id1}`), addr1)

      const t1 = Date.now()
      // One dial at a time: a second one from b1 at once races the first (two WebRTC handshakes, one
      // aborted); b1 sees b2's connection as inbound. ICE between two pages of one browser on this
      // machine sometimes never connects after both host candidates are added (about 1 attempt in 15
      // even with real addresses; see `before`), as a real app's dialler would, the test dials again:
      // at most MAX_DIALS attempts, each failure's stages reported.
      let attempts = 0
      for (;;) {
        attempts++
        try {
          await b2.call('dial', addr1)
          break
        } catch (err) {
          t.diagnostic(`WebRTC dial attempt ${attempts} failed: ${String((err as Error).message).slice(0, 1500)}`)
          if (attempts >= MAX_DIALS) throw err
        }
      }
      await waitFor('b1 sees the connection from b2', async () =>
        (await b1.call('connectionsTo', id2)).length > 0, T)
      t.diagnostic(`WebRTC dial done in ${Date.now() - t1} ms, attempt ${attempts} of at most ${MAX_DIALS} (${addr2})`)

      const docId = newDocId()
      await b1.call('open', docId)
      await b2.call('open', docId)
      await b1.call('insert', docId, 0, 'from b1.')
      await waitFor('b2 has b1\'s text', async () => (await b2.call('text', docId)) === 'from b1.', T)
      await b2.call('insert', docId, 8, ' from b2.')
      await waitFor('b1 has b2\'s text', async () => (await b1.call('text', docId)) === 'from b1. from b2.', T)

      const between = async (): Promise<Array<{ remoteAddr: string, limited: boolean }>> =>
        [...await b1.call('connectionsTo', id2), ...await b2.call('connectionsTo', id1)]
      await waitFor('only unlimited WebRTC connections between the pages', async () => {
        const all = await between()
        return all.length > 0 && all.every(c => c.remoteAddr.includes('/webrtc') && !c.limited)
      }, T, 200)
      const final = await between()
      t.diagnostic(`connections between the pages: ${JSON.stringify(final)}`)

      // The relay goes away: an edit still crosses, so the relay was not in the data path.
      await peers.stop(relay)
      await waitFor('the pages no longer see the relay', async () =>
        !(await b1.call('connectedPeers')).includes(relay.peerId) &&
        !(await b2.call('connectedPeers')).includes(relay.peerId), T, 100)
      const s = performance.now()
      await b1.call('insert', docId, 0, '> ')
      await waitFor('b2 has b1\'s edit without the relay', async () =>
        (await b2.call('text', docId)) === '> from b1. from b2.', 10_000, 5)
      t.diagnostic(`edit b1 -> b2 with the relay stopped (incl. polling): ${(performance.now() - s).toFixed(1)} ms`)
      await b2.call('insert', docId, 0, '< ')
      await waitFor('b1 has b2\'s edit without the relay', async () =>
        (await b1.call('text', docId)) === '< > from b1. from b2.', 10_000, 5)
      const after = await between()
      assert.ok(after.length > 0 && after.every(c => c.remoteAddr.includes('/webrtc') && !c.limited),
        JSON.stringify(after))
    } catch (err) {
      console.log(harness.logs.slice(-40).join('\n'))
      throw err
    } finally {
      for (const p of [b1, b2]) {
        await p.call('stop').catch(() => {})
        await p.page.context().close()
      }
      await peers.cleanup()
    }
  })
})
