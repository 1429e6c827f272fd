/**
 * Circuit relay v2 on loopback: two peers that may not dial each other directly (a connection
 * gater stands in for their NATs) find each other through a relay peer's DHT, sync through the
 * relay over a limited connection, and move gossip and sync to a direct connection once it exists.
 * The real NAT version, with hole punching, is the lab's `nat` scenario.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { Peers, waitFor, text } from './support/peers.js'
import { createWeft, type Weft, type WeftOptions } from '../src/index.js'

/** Ports that stand behind a "NAT": direct dials to them are refused, relayed ones pass. */
function natGater (blockedPorts: Set<number>): { denyDialMultiaddr: (ma: Multiaddr) => Promise<boolean> } {
  return {
    denyDialMultiaddr: async (ma: Multiaddr) => {
      if (ma.toString().includes('/p2p-circuit')) return false
      const port = ma.getComponents().find(c => c.name === 'tcp')?.value
      return port !== undefined && blockedPorts.has(Number(port))
    }
  }
}

function tcpPort (peer: Weft): number {
  const address = peer.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/p2p-circuit'))
  assert.ok(address !== undefined, `${peer.peerId} listens on tcp`)
  return Number(multiaddr(address).getComponents().find(c => c.name === 'tcp')?.value)
}

/**
 * A relay and two peers behind "NATs": each listens on loopback TCP and on the relay, and the
 * gater refuses dials to either peer's TCP port (until `blocked` is cleared), so they meet only through the relay.
 */
async function relayedPair (
  peers: Peers, relay: WeftOptions['relay']
): Promise<{ a: Weft, b: Weft, blocked: Set<number> }> {
  const blocked = new Set<number>()
  const relayPeer = await peers.start({ relay })
  const behindNat = {
    bootstrap: [relayPeer.multiaddrs[0]],
    listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'],
    network: { connectionGater: natGater(blocked) }
  }
  const a = await peers.start(behindNat)
  const b = await peers.start(behindNat)
  blocked.add(tcpPort(a)).add(tcpPort(b))
  await waitFor('a and b hold a reservation on the relay', () =>
    a.multiaddrs.some(m => m.includes('/p2p-circuit')) && b.multiaddrs.some(m => m.includes('/p2p-circuit')), 30_000)
  return { a, b, blocked }
}

const connectionsBetween = (from: Weft, to: Weft): Array<{ limited: boolean, relayed: boolean }> =>
  from.libp2p.getConnections().filter(c => c.remotePeer.toString() === to.peerId && c.status === 'open')
    .map(c => ({ limited: c.limits != null, relayed: c.remoteAddr.toString().includes('/p2p-circuit') }))

test('peers that cannot dial each other sync through a relay, then move to a direct connection', {
  timeout: 120_000
}, async () => {
  const peers = new Peers()
  try {
    const { a, b, blocked } = await relayedPair(peers, true)

    const ha = await a.create()
    ha.doc.getText('text').insert(0, 'through the relay')
    const hb = await b.open(ha.id)
    await hb.whenSynced({ signal: AbortSignal.timeout(60_000) })
    await waitFor('b has the text', () => text(hb) === 'through the relay')
    assert.deepEqual(connectionsBetween(b, a), [{ limited: true, relayed: true }], 'the only connection is relayed')
    // Live edits travel by gossip over the limited connection too.
    ha.doc.getText('text').insert(0, 'live ')
    await waitFor('b sees a live edit through the relay', () => text(hb) === 'live through the relay', 10_000)

    // The "NAT" opens (as hole punching would make it) and a direct connection is made; the
    // relayed one closes, as DCUtR closes it once the direct one stands.
    blocked.clear()
    // A dial may meet one of a's own and be closed during opening: dial until one stands.
    const direct = multiaddr(`/ip4/127.0.0.1/tcp/${tcpPort(a)}/p2p/${a.peerId}`)
    await waitFor('a direct connection', async () => {
      if (connectionsBetween(b, a).some(c => !c.relayed)) return true
      await b.libp2p.dial(direct).catch(() => {})
      return connectionsBetween(b, a).some(c => !c.relayed)
    }, 20_000, 200)
    for (const c of b.libp2p.getConnections(a.libp2p.peerId)) {
      if (c.limits != null) await c.close()
    }
    await waitFor('only the direct connection is left', () =>
      connectionsBetween(b, a).every(c => !c.relayed && !c.limited) && connectionsBetween(a, b).every(c => !c.relayed))
    // Gossip moved: an edit arrives well before a heads exchange (5 s here) could repair it.
    const start = Date.now()
    ha.doc.getText('text').insert(0, 'direct: ')
    await waitFor('b sees an edit over the direct connection',
      () => text(hb) === 'direct: live through the relay', 3_000)
    hb.doc.getText('text').insert(0, '>')
    await waitFor('a sees b\'s edit over the direct connection',
      () => text(ha) === '>direct: live through the relay', 3_000)
    assert.ok(Date.now() - start < 3_000)
    assert.deepEqual(connectionsBetween(b, a).map(c => c.relayed), [false], 'nothing reopened the relayed connection')
  } finally {
    await peers.cleanup()
  }
})

test('a relayed connection cut at the relay\'s data limit is dialled again and the peers catch up', {
  timeout: 120_000
}, async () => {
  const peers = new Peers()
  try {
    const { a, b } = await relayedPair(peers, { dataLimitBytes: 48 * 1024 })
    let relayedConnections = 0
    b.libp2p.addEventListener('connection:open', event => {
      if (event.detail.remotePeer.toString() === a.peerId) relayedConnections++
    })
    const ha = await a.create()
    const hb = await b.open(ha.id)
    let expected = ''
    // Each chunk fits within the limit, all together do not: the relay resets the connection
    // on the way, and later chunks must arrive over a new relayed connection.
    for (let i = 0; i < 4; i++) {
      const chunk = `[${i}:${'x'.repeat(20 * 1024)}]`
      ha.doc.getText('text').insert(ha.doc.getText('text').length, chunk)
      expected += chunk
      await waitFor(`b has chunk ${i}`, () => text(hb) === expected, 60_000, 100)
    }
    assert.ok(connectionsBetween(b, a).every(c => c.relayed), 'only relayed connections were ever possible')
    assert.ok(relayedConnections >= 2, `the relay cut a connection at its limit (${relayedConnections} connection(s))`)
  } finally {
    await peers.cleanup()
  }
})

test('a relay bounds its reservations by relay.maxReservations', { timeout: 60_000 }, async () => {
  const peers = new Peers()
  try {
    const relay = await peers.start({ relay: { maxReservations: 1 } })
    const options = { bootstrap: [relay.multiaddrs[0]], listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'] }
    const a = await peers.start(options)
    const b = await peers.start(options)
    await waitFor('both connected to the relay', () =>
      [a, b].every(p => p.connectedPeers().some(c => c.id === relay.peerId)))
    await waitFor('one reservation',
      () => [a, b].some(p => p.multiaddrs.some(m => m.includes('/p2p-circuit'))), 20_000)
    // Give the second peer time to ask and be refused.
    await new Promise(resolve => setTimeout(resolve, 3_000))
    const reserved = [a, b].filter(p => p.multiaddrs.some(m => m.includes('/p2p-circuit')))
    assert.equal(reserved.length, 1, 'only one peer holds a reservation')
    const service = relay.libp2p.services.relay as { reservations: { size: number } }
    assert.equal(service.reservations.size, 1)
  } finally {
    await peers.cleanup()
  }
})

test('relay and nat options: a mistake is one TypeError naming the option', async () => {
  await assert.rejects(createWeft({ relay: 'yes' as any }), /relay must be true, false or an object/)
  await assert.rejects(createWeft({ relay: { dataLimitBytes: -1 } }),
    /relay\.dataLimitBytes must be a positive integer/)
  await assert.rejects(createWeft({ nat: { upnp: 1 as any } }), /nat\.upnp must be true or false, got 1/)
  await assert.rejects(createWeft({ nat: [] as any }), /nat must be an object/)
})

test('nat.holePunching, nat.autonat and relay choose the libp2p services that run', { timeout: 30_000 }, async () => {
  const peers = new Peers()
  try {
    const plain = await peers.start()
    assert.ok(plain.libp2p.services.dcutr !== undefined, 'hole punching is on by default')
    assert.equal(plain.libp2p.services.autonat, undefined, 'AutoNAT is off by default')
    assert.equal(plain.libp2p.services.relay, undefined, 'no relay server by default')
    assert.equal(plain.libp2p.services.upnp, undefined, 'no UPnP by default')
    const on = await peers.start({ nat: { autonat: true } })
    assert.ok(on.libp2p.services.autonat !== undefined)
    const off = await peers.start({ nat: { holePunching: false } })
    assert.equal(off.libp2p.services.dcutr, undefined)
    assert.equal(off.libp2p.services.autonat, undefined)
    const relay = await peers.start({ relay: true })
    assert.ok(relay.libp2p.getProtocols().includes('/libp2p/circuit/relay/0.2.0/hop'), 'the relay speaks HOP')
  } finally {
    await peers.cleanup()
  }
})
