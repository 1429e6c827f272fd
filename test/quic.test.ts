/**
 * QUIC on loopback: a `/udp/<port>/quic-v1` listen address adds the QUIC transport, peers find
 * each other and sync over it (TLS and QUIC's own streams, no Noise or yamux), and a peer that
 * listens on TCP and QUIC is reachable on both.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Peers, waitFor, text } from './support/peers.js'
import type { Weft } from '../src/index.js'

const QUIC_ONLY = ['/ip4/127.0.0.1/udp/0/quic-v1']
const BOTH = ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/udp/0/quic-v1']

const remoteAddrs = (from: Weft, to: Weft): string[] =>
  from.libp2p.getConnections().filter(c => c.remotePeer.toString() === to.peerId && c.status === 'open')
    .map(c => c.remoteAddr.toString())

test('peers that listen only on QUIC find each other and sync over it', { timeout: 60_000 }, async () => {
  const peers = new Peers()
  try {
    const hub = await peers.start({ listen: QUIC_ONLY })
    const quicAddress = hub.multiaddrs.find(a => a.includes('/quic-v1/'))
    assert.ok(quicAddress !== undefined, `the hub announces a QUIC address (${hub.multiaddrs.join(' ')})`)
    assert.ok(hub.multiaddrs.every(a => !a.includes('/tcp/')), 'nothing listens on TCP')
    const a = await peers.start({ listen: QUIC_ONLY, bootstrap: [quicAddress] })
    const b = await peers.start({ listen: QUIC_ONLY, bootstrap: [quicAddress] })

    const ha = await a.create()
    ha.doc.getText('text').insert(0, 'over QUIC')
    const hb = await b.open(ha.id)
    await hb.whenSynced({ signal: AbortSignal.timeout(30_000) })
    await waitFor('b has the text', () => text(hb) === 'over QUIC', 30_000)
    hb.doc.getText('text').insert(0, '> ')
    await waitFor('a has b\'s edit', () => text(ha) === '> over QUIC', 10_000)
    const used = [...remoteAddrs(b, a), ...remoteAddrs(b, hub)]
    assert.ok(used.length > 0 && used.every(addr => addr.includes('/quic-v1')),
      `only QUIC connections: ${used.join(' ')}`)
  } finally {
    await peers.cleanup()
  }
})

test('a peer listening on TCP and QUIC is reachable on each', { timeout: 60_000 }, async () => {
  const peers = new Peers()
  try {
    const both = await peers.start({ listen: BOTH })
    const tcp = both.multiaddrs.find(a => a.includes('/tcp/'))
    const quic = both.multiaddrs.find(a => a.includes('/quic-v1/'))
    assert.ok(tcp !== undefined && quic !== undefined, `both addresses announced: ${both.multiaddrs.join(' ')}`)
    const overTcp = await peers.start({ bootstrap: [tcp] })
    const overQuic = await peers.start({ listen: QUIC_ONLY, bootstrap: [quic] })
    await waitFor('both dialled in', () =>
      remoteAddrs(overTcp, both).length > 0 && remoteAddrs(overQuic, both).length > 0)
    assert.ok(remoteAddrs(overTcp, both).every(a => a.includes('/tcp/')), remoteAddrs(overTcp, both).join(' '))
    assert.ok(remoteAddrs(overQuic, both).every(a => a.includes('/quic-v1')), remoteAddrs(overQuic, both).join(' '))
  } finally {
    await peers.cleanup()
  }
})
