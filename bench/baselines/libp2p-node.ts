/**
 * A bare libp2p 3 node with the same transports as weft (TCP or in-memory, noise, yamux,
 * identify) plus gossipsub: the floor the mesh baseline stands on.
 */
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { memory } from '@libp2p/memory'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import type { Transport } from '../systems/types.js'
import { uniqueName } from '../lib/random.js'
import type { ByteMeter } from '../lib/byte-meter.js'

export type MeshNode = Libp2p<{ identify: ReturnType<ReturnType<typeof identify>>, pubsub: GossipSub }>

/** Signature policy of the mesh baseline: unsigned, since it is the floor and weft signs its own envelopes. */
export const MESH_SIGNATURE_POLICY = 'StrictNoSign' as const

export function listenAddr (transport: Transport): string {
  return transport === 'tcp' ? '/ip4/127.0.0.1/tcp/0' : `/memory/${uniqueName('mesh')}`
}

export async function createMeshNode (
  transport: Transport,
  listen = listenAddr(transport),
  meter?: ByteMeter
): Promise<MeshNode> {
  const node = await createLibp2p({
    ...(meter !== undefined ? { metrics: meter.factory } : {}),
    addresses: { listen: [listen] },
    transports: transport === 'tcp' ? [tcp()] : [memory()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      inboundConnectionThreshold: 100_000,
      maxConnections: 1000,
      maxIncomingPendingConnections: 1000
    },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        globalSignaturePolicy: MESH_SIGNATURE_POLICY,
        scoreParams: { IPColocationFactorWeight: 0 },
        allowPublishToZeroTopicPeers: true,
        emitSelf: false
      })
    }
  })
  return node as unknown as MeshNode
}

/** Peers in this node's gossipsub mesh for `topic` (the class has it; the exported interface does not). */
export function meshPeersOf (node: MeshNode, topic: string): string[] {
  return (node.services.pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(topic)
}
