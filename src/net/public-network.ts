/**
 * `dht.network: 'public'`: documents are found through the public libp2p DHT (the IPFS Amino DHT)
 * instead of a private weft DHT, so a user needs no bootstrap server of their own.
 *
 * What changes, and why:
 * - the Kademlia protocol id is the public DHT's, `/ipfs/kad/1.0.0`;
 * - private and loopback addresses are dropped from DHT records and answers
 *   (`removePrivateAddressesMapper`): on the internet they name someone else's machine;
 * - with no `bootstrap` list given, the well-known public bootstrap peers are dialled;
 * - the DHT mode follows kad-dht's own rule (client until a public address of this peer is
 *   confirmed) unless `dht.mode` says otherwise: a laptop behind NAT cannot answer queries, and a
 *   public DHT has no use for servers nobody can reach.
 * Provider records are keyed by SHA-256 of the document's topic name (src/discovery/rendezvous.ts),
 * so the DHT learns a hash, not the id; whoever knows the id can still look its holders up.
 */
import { passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { PROTOCOL } from '../defaults.js'
import type { WeftOptions } from '../types.js'

export const PUBLIC_DHT_PROTOCOL = '/ipfs/kad/1.0.0'

/** The public DHT's bootstrap peers, as the IPFS implementations (kubo, helia) ship them. */
export const PUBLIC_BOOTSTRAP: readonly string[] = [
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN',
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa',
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmbLHAnMoJPWSCR5Zhtx6BHJX9KiKNN6tpvbUcqanj75Nb',
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmcZf59bWwK5XFi76CZX8cbJ4BhTzzA3gU1ZjYZcYW3dwt',
  '/ip4/104.131.131.82/tcp/4001/p2p/QmaCpDMGvV2BGHeYERUEnRQAwe3N8SzbUtfsmvsqQLuvuJ'
]

export interface DhtSettings {
  protocol: string
  /** undefined: kad-dht decides (client until a public address is confirmed). */
  clientMode: boolean | undefined
  peerInfoMapper: typeof passthroughMapper
  bootstrap: string[]
  /** kad-dht may dial a contact it only heard about to check it is alive (see src/net/contact-ping.ts). */
  dialToVerifyContacts: boolean
}

/** The DHT settings the options ask for, public or private network. */
export function dhtSettings (options: WeftOptions): DhtSettings {
  const dht = options.dht ?? {}
  const isPublic = dht.network === 'public'
  const mode = dht.mode ?? (isPublic ? undefined : 'server')
  return {
    protocol: dht.protocol ?? (isPublic ? PUBLIC_DHT_PROTOCOL : PROTOCOL.dht),
    clientMode: mode === undefined ? undefined : mode === 'client',
    // Private networks keep private addresses: peers on one LAN or host must reach each other.
    peerInfoMapper: isPublic ? removePrivateAddressesMapper : passthroughMapper,
    bootstrap: options.bootstrap ?? (isPublic ? [...PUBLIC_BOOTSTRAP] : []),
    dialToVerifyContacts: isPublic
  }
}
