import { NotFoundError } from '@libp2p/interface'
import type { Connection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Ping } from '@libp2p/ping'

type PingFactory = (components: any) => Ping

/**
 * The ping service as weft's own DHT sees it: a peer is pinged only over a connection that is
 * already open.
 *
 * kad-dht "verifies" every peer it merely hears about in a query response by pinging it, which
 * dials it, and nothing ever closes those connections: in a 25-peer network every peer ended up
 * connected to every other (24 connections each, 428 dials in 40 s, against 7 for a bare
 * gossipsub mesh), and the handshakes and per-connection traffic starved the event loop. With
 * this, a contact enters the routing table once it has talked to us (it answered one of our
 * queries, or connected to us), which is the original Kademlia rule; peers that are only
 * mentioned stay reachable through the nodes that mention them. The public DHT keeps kad-dht's
 * own rule (src/net/public-network.ts), where old contacts must be dialled to be kept.
 */
export function pingOverOpenConnections (factory: PingFactory): PingFactory {
  return (components: { connectionManager: { getConnections: (peer?: PeerId) => Connection[] } }) => {
    const service = factory(components)
    const ping = service.ping.bind(service)
    service.ping = async (peer: PeerId | Multiaddr | Multiaddr[], options?: Parameters<Ping['ping']>[1]) => {
      if (isPeerId(peer) && components.connectionManager.getConnections(peer).length === 0) {
        throw new NotFoundError(`not connected to ${peer.toString()}: weft's DHT does not dial a contact to ping it`)
      }
      return await ping(peer, options)
    }
    return service
  }
}

function isPeerId (x: unknown): x is PeerId {
  return typeof x === 'object' && x !== null && 'toMultihash' in x
}
