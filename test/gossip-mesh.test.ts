import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { rawPeer } from './support/raw-peer.js'
import { waitFor } from './support/peers.js'
import type { WeftLibp2p } from '../src/net/libp2p-node.js'

const TOPIC = '/weft/doc/1/meshtestmeshtestmeshtestme'
interface RouterInternals {
  getMeshPeers: (topic: string) => string[]
  getSubscribers: (topic: string) => Array<{ toString: () => string }>
  addToMesh: (id: string, topic: string, reason: string) => void
  sendGraft: (id: string, topics: string[]) => void
}
const router = (node: WeftLibp2p): RouterInternals => node.services.pubsub as unknown as RouterInternals
const meshOf = (node: WeftLibp2p): string[] => router(node).getMeshPeers(TOPIC)

/**
 * `node` grafts `hub` on the topic unless its own heartbeat already did. Each raw peer's DHT
 * self-query can link it to the other joiners through the hub, and a joiner whose mesh filled
 * from those never grafted the hub (a CI run timed out with the hub's mesh short of six).
 */
async function graftHub (node: WeftLibp2p, hub: WeftLibp2p): Promise<void> {
  const hubId = hub.peerId.toString()
  await waitFor('the joiner sees the hub on the topic',
    () => router(node).getSubscribers(TOPIC).some(p => p.toString() === hubId), 20_000)
  if (meshOf(node).includes(hubId)) return
  router(node).addToMesh(hubId, TOPIC, 'test')
  router(node).sendGraft(hubId, [TOPIC])
}

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
        await graftHub(node, hub.node)
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
