/**
 * `dht.network: 'public'`: a weft peer speaks the public DHT's protocol and its provider records
 * land in a DHT that is not weft's. These machines cannot reach the real IPFS DHT, so a few plain
 * libp2p nodes speaking `/ipfs/kad/1.0.0` (no weft in them) stand in for it on loopback.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { Peers, waitFor } from './support/peers.js'
import { createWeft } from '../src/index.js'
import { documentKey } from '../src/discovery/rendezvous.js'
import { dhtSettings, PUBLIC_BOOTSTRAP, PUBLIC_DHT_PROTOCOL } from '../src/net/public-network.js'
import { normalizeOptions } from '../src/options.js'

type DhtNode = Libp2p<{ dht: KadDHT, identify: unknown, ping: unknown }>

/** A DHT server of the stand-in public network: libp2p and kad-dht, nothing of weft. */
async function standIn (): Promise<DhtNode> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 1000 },
    services: {
      identify: identify(),
      ping: ping(),
      // Loopback addresses must survive inside the stand-in network itself.
      dht: kadDHT({ protocol: PUBLIC_DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper })
    }
  }) as DhtNode
}

test('public network: provider records of a weft document land in a /ipfs/kad/1.0.0 DHT of other nodes', {
  timeout: 90_000
}, async () => {
  const peers = new Peers()
  const network: DhtNode[] = []
  try {
    for (let i = 0; i < 3; i++) network.push(await standIn())
    for (const node of network.slice(1)) await node.dial(network[0].getMultiaddrs()[0])
    await network[2].dial(network[1].getMultiaddrs()[0])

    // On loopback every address is private, which the public network filters out (tested below);
    // here the public DHT's protocol id with private addresses kept shows the records themselves.
    const a = await peers.start({
      dht: { protocol: PUBLIC_DHT_PROTOCOL }, bootstrap: [network[0].getMultiaddrs()[0].toString()]
    })
    assert.ok(a.libp2p.getProtocols().includes(PUBLIC_DHT_PROTOCOL), 'the weft peer speaks the public DHT protocol')
    const handle = await a.create()
    const key = await documentKey(handle.id)
    assert.equal(key.toString().includes(handle.id), false)

    // A stand-in node the weft peer never dialled finds it as a provider of the document's key.
    await waitFor('a stand-in node finds the weft peer as provider', async () => {
      try {
        for await (const p of network[2].services.dht.findProviders(key, { signal: AbortSignal.timeout(3_000) })) {
          if (p.name === 'PROVIDER' && p.providers.some(x => x.id.toString() === a.peerId)) return true
        }
      } catch {}
      return false
    }, 45_000, 500)

    // A second weft peer finds the holder through the stand-ins and syncs.
    const b = await peers.start({
      dht: { protocol: PUBLIC_DHT_PROTOCOL }, bootstrap: [network[1].getMultiaddrs()[0].toString()]
    })
    handle.doc.getText('text').insert(0, 'found on the stand-in public DHT')
    const hb = await b.open(handle.id)
    await hb.whenSynced({ signal: AbortSignal.timeout(45_000) })
    await waitFor('b has the text', () => hb.doc.getText('text').toString() === 'found on the stand-in public DHT')

    // A peer on weft's private DHT does not see the public one at all.
    const privatePeer = await peers.start({ bootstrap: [network[0].getMultiaddrs()[0].toString()] })
    await waitFor('private peer connected to a stand-in', () => privatePeer.connectedPeers().length > 0)
    await new Promise(resolve => setTimeout(resolve, 2_000))
    assert.equal(routingTableSize(privatePeer), 0, 'a /weft/kad/1.0.0 peer adds no /ipfs/kad/1.0.0 node')
  } finally {
    await peers.cleanup()
    await Promise.allSettled(network.map(async n => { await n.stop() }))
  }
})

test('public network: DHT peers with only private addresses are not used (public-address filtering)', {
  timeout: 30_000
}, async () => {
  const peers = new Peers()
  const node = await standIn()
  try {
    const bootstrap = [node.getMultiaddrs()[0].toString()]
    const publicPeer = await peers.start({ dht: { network: 'public', mode: 'server' }, bootstrap })
    const unfiltered = await peers.start({ dht: { protocol: PUBLIC_DHT_PROTOCOL }, bootstrap })
    assert.ok(publicPeer.libp2p.getProtocols().includes(PUBLIC_DHT_PROTOCOL))
    assert.equal(publicPeer.libp2p.getProtocols().includes('/weft/kad/1.0.0'), false)
    await waitFor('both connected to the stand-in', () =>
      [publicPeer, unfiltered].every(p => p.connectedPeers().some(c => c.id === node.peerId.toString())))
    await waitFor('the unfiltered peer adds the stand-in to its routing table', () => routingTableSize(unfiltered) > 0)
    await new Promise(resolve => setTimeout(resolve, 2_000))
    assert.equal(routingTableSize(publicPeer), 0, 'a loopback-only DHT node is no use on the internet')
  } finally {
    await peers.cleanup()
    await node.stop()
  }
})

function routingTableSize (peer: { libp2p: { services: Record<string, unknown> } }): number {
  return (peer.libp2p.services.dht as { routingTable: { size: number } }).routingTable.size
}

test('public network: the IPFS bootstrap peers unless a bootstrap list is given; mode left to kad-dht', () => {
  const pub = dhtSettings({ dht: { network: 'public' } })
  assert.deepEqual(pub.bootstrap, [...PUBLIC_BOOTSTRAP])
  assert.equal(pub.protocol, PUBLIC_DHT_PROTOCOL)
  assert.equal(pub.clientMode, undefined)
  const own = dhtSettings({ dht: { network: 'public', mode: 'server' }, bootstrap: ['/ip4/1.2.3.4/tcp/1/p2p/x'] })
  assert.deepEqual(own.bootstrap, ['/ip4/1.2.3.4/tcp/1/p2p/x'])
  assert.equal(own.clientMode, false)
  const priv = dhtSettings({})
  assert.deepEqual(priv.bootstrap, [])
  assert.equal(priv.protocol, '/weft/kad/1.0.0')
  assert.equal(priv.clientMode, false, 'weft peers answer DHT queries on a private network')
})

test('dht.network: a mistake is one TypeError naming the option', async () => {
  await assert.rejects(createWeft({ dht: { network: 'internet' as any } }),
    /dht\.network must be "private" or "public", got "internet"/)
})

test('network: \'public\' is the short form of dht.network; mistakes are one TypeError', async () => {
  assert.deepEqual(normalizeOptions({ network: 'public', dht: { mode: 'server' } }).dht,
    { mode: 'server', network: 'public' })
  assert.equal(normalizeOptions({ network: 'public' }).network, undefined, 'no knobs object left behind')
  const knobs = { maxConnections: 50 }
  assert.equal(normalizeOptions({ network: knobs }).network, knobs, 'the object form is left alone')
  await assert.rejects(createWeft({ network: 'internet' as any }),
    /network must be "private", "public" or an object, got "internet"/)
  await assert.rejects(createWeft({ network: 'public', dht: { network: 'private' } }), /disagree/)
  // a real peer started with the short form speaks the public DHT's protocol, not weft's own
  const peers = new Peers()
  try {
    // (server mode: in public mode kad-dht stays a client, with no handler, until it sees a public address)
    const w = await peers.start({ network: 'public', dht: { mode: 'server' }, bootstrap: [] })
    assert.ok(w.libp2p.getProtocols().includes(PUBLIC_DHT_PROTOCOL))
    assert.equal(w.libp2p.getProtocols().includes('/weft/kad/1.0.0'), false)
  } finally {
    await peers.cleanup()
  }
})
