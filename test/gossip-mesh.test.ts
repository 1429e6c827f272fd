import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { rawPeer } from './support/raw-peer.js'
import { waitFor } from './support/peers.js'
import type { WeftLibp2p } from '../src/net/libp2p-node.js'

const TOPIC = '/weft/doc/1/meshtestmeshtestmeshtestme'
const meshOf = (node: WeftLibp2p): string[] =>
  (node.services.pubsub as unknown as { getMeshPeers: (topic: string) => string[] }).getMeshPeers(TOPIC)

describe('gossip mesh with weft\'s gossipsub settings', () => {
  // A peer whose mesh is at gossipsub's Dhi refuses a GRAFT from a peer that dialled it, and a newcomer
  // has dialled everyone it knows: with Dhi just above D, a peer joining a settled document was left
  // out of every mesh and got each edit a heartbeat late.
  test('a peer whose mesh already holds six takes a seventh that dialled it', { timeout: 60_000 }, async () => {
    const hub = await rawPeer()
    const others: WeftLibp2p[] = []
    try {
      hub.node.services.pubsub.subscribe(TOPIC)
      const join = async (): Promise<WeftLibp2p> => {
        const { node } = await rawPeer()
        others.push(node)
        node.services.pubsub.subscribe(TOPIC)
        await node.dial(hub.node.getMultiaddrs()[0])
        return node
      }
      for (let i = 0; i < 6; i++) await join()
      await waitFor('the hub\'s mesh holds the first six', () => meshOf(hub.node).length === 6, 20_000)
      const newcomer = await join()
      const id = newcomer.peerId.toString()
      await waitFor('the newcomer is in the hub\'s mesh, and the hub in the newcomer\'s',
        () => meshOf(hub.node).includes(id) && meshOf(newcomer).includes(hub.node.peerId.toString()), 20_000)
      assert.equal(meshOf(hub.node).length, 7)
    } finally {
      await Promise.allSettled([hub.node, ...others].map(async n => { await n.stop() }))
    }
  })
})
