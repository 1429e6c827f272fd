/**
 * WebRTC between Node peers on loopback: two peers that may not dial each other's TCP addresses (a
 * connection gater stands in for their NATs) and listen on `/webrtc` find each other through a
 * relay, and end up on a WebRTC connection signalled through it, with the relayed one closed.
 * The NAT version (ICE through two masquerade NATs, with STUN) is the lab's `nat` scenario.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Multiaddr } from '@multiformats/multiaddr'
import { Peers, waitFor, text } from './support/peers.js'
import { createWeft, type Weft } from '../src/index.js'
import { iceServers } from '../src/net/ice-servers.js'

/** Every direct TCP dial between the two is refused; relayed and WebRTC ones pass. */
const noDirectTcp = (blocked: Set<string>): { denyDialMultiaddr: (ma: Multiaddr) => Promise<boolean> } => ({
  denyDialMultiaddr: async (ma: Multiaddr) => {
    const address = ma.toString()
    if (address.includes('/p2p-circuit')) return false
    return [...blocked].some(port => address.includes(`/tcp/${port}`))
  }
})

const connectionsBetween = (from: Weft, to: Weft): Array<{ kind: string, limited: boolean }> =>
  from.libp2p.getConnections().filter(c => c.remotePeer.toString() === to.peerId && c.status === 'open')
    .map(c => {
      const address = c.remoteAddr.toString()
      const kind = address.includes('/webrtc') ? 'webrtc' : address.includes('/p2p-circuit') ? 'relay' : 'direct'
      return { kind, limited: c.limits != null }
    })

test('peers behind "NAT" go from the relay to a WebRTC connection and sync over it', { timeout: 90_000 },
  async () => {
    const peers = new Peers()
    const blocked = new Set<string>()
    try {
      const relay = await peers.start({ relay: true })
      const behindNat = {
        bootstrap: [relay.multiaddrs[0]],
        listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit', '/webrtc'],
        // No STUN server on loopback: the host candidates are all ICE needs here.
        nat: { iceServers: [] },
        network: { connectionGater: noDirectTcp(blocked) }
      }
      const a = await peers.start(behindNat)
      const b = await peers.start(behindNat)
      for (const peer of [a, b]) {
        const port = /\/tcp\/(\d+)\/p2p\/[^/]+$/.exec(peer.multiaddrs.find(m => !m.includes('circuit')) ?? '')?.[1]
        assert.ok(port !== undefined, `${peer.peerId} has a TCP address`)
        blocked.add(port)
      }
      await waitFor('a announces a WebRTC address through the relay', () =>
        a.multiaddrs.some(m => m.includes('/p2p-circuit/webrtc/')), 30_000)

      const ha = await a.create()
      ha.doc.getText('text').insert(0, 'behind NAT A')
      const hb = await b.open(ha.id)
      await waitFor('b has the text', () => text(hb) === 'behind NAT A', 60_000)
      await waitFor('only WebRTC connections between them (the relayed one closed)', () => {
        const both = [...connectionsBetween(b, a), ...connectionsBetween(a, b)]
        return both.length > 0 && both.every(c => c.kind === 'webrtc' && !c.limited)
      }, 30_000, 200)
      hb.doc.getText('text').insert(0, '> ')
      await waitFor('a has b\'s edit over WebRTC', () => text(ha) === '> behind NAT A', 10_000)
      assert.ok(connectionsBetween(b, a).every(c => c.kind === 'webrtc'), JSON.stringify(connectionsBetween(b, a)))
    } finally {
      await peers.cleanup()
    }
  })

test('nat.iceServers takes stun: URLs and turn: URLs with credentials only', async () => {
  await assert.rejects(createWeft({ listen: ['/webrtc'], nat: { iceServers: ['http://stun.example.org'] } }),
    /nat\.iceServers\[0\] "http:\/\/stun\.example\.org" is not stun:host:port or turn:user:password@host:port/)
  // node-datachannel and browsers refuse a TURN server without credentials: every WebRTC connection failed.
  await assert.rejects(createWeft({ listen: ['/webrtc'], nat: { iceServers: ['stun:a:3478', 'turn:b:3478'] } }),
    /nat\.iceServers\[1\] "turn:b:3478" is a TURN server without credentials/)
  await assert.rejects(createWeft({ nat: { iceServers: 'stun:stun.example.org' as unknown as string[] } }),
    /nat\.iceServers must be an array/)
  assert.deepEqual(iceServers(['stun:a:3478', 'turns:me:s%40cret@b:5349?transport=tcp']), [
    { urls: 'stun:a:3478' },
    { urls: 'turns:b:5349?transport=tcp', username: 'me', credential: 's@cret' }
  ], 'credentials go beside the URL, as RTCIceServer wants them')
})
