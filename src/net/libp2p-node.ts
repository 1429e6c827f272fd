import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { bootstrap } from '@libp2p/bootstrap'
import { kadDHT } from '@libp2p/kad-dht'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { autoNAT } from '@libp2p/autonat'
import { relayServer } from './relay-server.js'
import { dhtSettings } from './public-network.js'
import { closeRelayedOnceDirect } from './limited.js'
import { pingOverOpenConnections } from './contact-ping.js'
import type { Identify } from '@libp2p/identify'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { ConnectionGater, Libp2p, PrivateKey } from '@libp2p/interface'
import type { PeerGuard } from './peer-guard.js'
import type { Platform } from '../platform/platform.js'
import type { WeftOptions } from '../types.js'
import { DEFAULTS } from '../defaults.js'
import { networkKnobs } from '../options.js'
import { quietLogger } from './quiet-logger.js'
import { hex } from '../util/hex.js'
import { windowUpdatesAtHalf } from './yamux-window.js'

export interface WeftServices {
  identify: Identify
  ping: Ping
  dht: KadDHT
  pubsub: GossipSub
  [key: string]: unknown
}

export type WeftLibp2p = Libp2p<WeftServices>

/** One libp2p node per weft instance: every document shares its connections. */
export async function createNode (
  options: WeftOptions,
  platform: Platform,
  privateKey: PrivateKey,
  guard?: PeerGuard
): Promise<WeftLibp2p> {
  const listen = options.listen ?? ['/ip4/0.0.0.0/tcp/0']
  const net = networkKnobs(options)
  const peerDiscovery: Array<(components: any) => any> = []
  // @libp2p/bootstrap refuses /memory addresses; the engine dials those itself.
  const dhtConfig = dhtSettings(options)
  const bootstrapList = dhtConfig.bootstrap.filter(a => !a.startsWith('/memory/'))
  if (bootstrapList.length > 0) peerDiscovery.push(bootstrap({ list: bootstrapList, timeout: 0 }))

  const config: Libp2pOptions<WeftServices> = {
    privateKey,
    logger: quietLogger(),
    addresses: { listen, announce: options.announce ?? [] },
    // Every peer can dial through a relay; it reserves a slot on one only with '/p2p-circuit' in `listen`.
    transports: [...await platform.transports(listen, options.nat, options.tls), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    // A window update per received frame was ~12 % of the main thread at 25 peers: see yamux-window.ts.
    streamMuxers: [windowUpdatesAtHalf(yamux())],
    peerDiscovery,
    // Each ping opens a stream (a multistream-select round, yamux and noise frames both ways): at
    // libp2p's default of one per connection every 10 s they were most of an idle peer's CPU and
    // bytes (25 peers, ~9 connections each: 320 ping streams and ~180 KB per 10 s).
    connectionMonitor: { pingInterval: net.pingIntervalMs ?? DEFAULTS.pingIntervalMs },
    connectionManager: {
      maxConnections: net.maxConnections ?? 300,
      inboundConnectionThreshold: net.inboundConnectionThreshold ?? 5
    },
    services: {
      identify: identify(),
      // libp2p's connection monitor and kad-dht both ping over this protocol, sometimes on the
      // same connection at once; with ping's default of one outbound stream the second ping
      // fails and the monitor aborts a healthy connection (measured: ~10 reconnects/s at 25 peers).
      ping: dhtConfig.dialToVerifyContacts
        ? ping({ maxOutboundStreams: 8, maxInboundStreams: 8 })
        : pingOverOpenConnections(ping({ maxOutboundStreams: 8, maxInboundStreams: 8 })),
      dht: kadDHT({
        protocol: dhtConfig.protocol,
        // kad-dht stays a client until it sees a public address of its own, which never
        // happens on loopback or a LAN: weft peers answer queries unless told not to (on the
        // public DHT kad-dht's own rule applies; see src/net/public-network.ts).
        clientMode: dhtConfig.clientMode,
        peerInfoMapper: dhtConfig.peerInfoMapper,
        // Provider records of every open document: kad-dht's default cache of 256 made each
        // lookup beyond it scan the whole datastore (~10 % of busy time with 1,000 documents).
        providers: { cacheSize: 4096 },
        // Every DHT query waits for the first self-query, and that one waits for the routing
        // table's first peer: starting it at once makes a newcomer's first lookup run as soon as
        // it has someone to ask (at 5 s, a newcomer found a document's holders in 5.4-5.7 s).
        // Later self-queries are rare; the routing table fills from ordinary traffic too.
        // kad-dht's defaults are 1 s and 5 min.
        initialQuerySelfInterval: 0,
        querySelfInterval: 15 * 60_000
      }),
      pubsub: gossipsub({
        // Envelopes carry their own author signature: a second signature per message
        // would double the CPU per edit for nothing (FIELD-NOTES).
        globalSignaturePolicy: 'StrictNoSign',
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        // Gossip also runs through relays (src/net/limited.ts): without it a peer reached only
        // through a relay would never learn that its neighbour holds the document.
        runOnLimitedConnection: true,
        // gossipsub tags each mesh peer once per topic in the peer store; with a topic per
        // document that made every stream wait behind a peer record of thousands of tags
        // (26 ms per merge at 2,000 tags: 70 % of busy time, and links aborted on ping timeouts).
        tagMeshPeers: false,
        heartbeatInterval: net.gossipHeartbeatMs ?? DEFAULTS.gossipHeartbeatMs,
        floodPublish: net.floodPublish ?? DEFAULTS.floodPublish,
        // Every mesh peer gets a copy of every message, and each connected topic peer outside the
        // mesh an IHAVE per heartbeat: the mesh degree is most of the CPU per delivered edit (each
        // copy is a yamux frame, a noise decryption and gossipsub's handling at the receiver, and a
        // window update back). gossipsub's 6 (4 to 12) cost, side by side with the bare mesh, 1.89x
        // its CPU per delivery at N = 25 and 2.39x at N = 100; 5 (4 to 6) brought that to 1.46x and
        // 1.47x (2026-12-04). But a peer whose mesh is at Dhi refuses GRAFTs from peers that dialled
        // it (gossipsub's guard against mesh takeover), and a newcomer has dialled everyone it knows:
        // with Dhi one above D most meshes sat at Dhi, a peer that joined a settled document ended
        // with a mesh of 1-3 or none, and a peer with none got every message through IHAVE/IWANT a
        // heartbeat late (rounds with p50 ~990 ms at N = 25 and in separate processes). 4 (3 to 7)
        // keeps the copies of 5 (4 to 6) (bytes per delivery 1,428 at N = 25, 1,472 at N = 100,
        // against 1,399-1,578 before) and leaves three places for newcomers; Dhi 8 with D 5 cost 1,804.
        // A copy a mesh misses arrives by IHAVE/IWANT gossip or weft's own repair (src/sync/doc-sync.ts).
        D: 4,
        Dlo: 3,
        Dhi: 7,
        Dlazy: 3,
        // Message ids as seen-cache and message-cache keys: gossipsub's default base64 builds each
        // id's string one character at a time, ~1.5 KiB of short-lived heap per copy received and
        // per id in an IHAVE (~4 % of all allocation at 100 peers); hex by table is flat.
        msgIdToStrFn: hex,
        maxInboundDataLength: (options.maxEnvelopeBytes ?? 1024 * 1024) + 4096,
        // Two topics per open document (content and presence); gossipsub's default budget of
        // 1 MiB per peer (~1 KiB a topic) silently stopped a peer's documents at ~490.
        maxTopicBytesPerPeer: 16 * 1024 * 1024,
        scoreParams: net.ipColocationFactorWeight === undefined
          ? {}
          : { IPColocationFactorWeight: net.ipColocationFactorWeight }
      }) as (components: any) => GossipSub
    }
  }
  if (net.allowPrivateDials === true || net.connectionGater !== undefined || guard !== undefined) {
    config.connectionGater = withGuard({
      ...(net.allowPrivateDials === true ? { denyDialMultiaddr: async () => false } : {}),
      ...net.connectionGater
    }, guard)
  }
  // mDNS runs as a service (it is still a peer discovery module to libp2p) so that the
  // engine can tell LAN peers, worth dialling, from peers a DHT walk merely mentions.
  if ((options.mdns ?? true) && platform.mdns !== undefined) {
    (config.services as Record<string, unknown>).mdns = platform.mdns()
  }
  addNatServices(config.services as Record<string, unknown>, options, platform)
  if (options.libp2pMetrics !== undefined) config.metrics = options.libp2pMetrics
  try {
    const node = await createLibp2p(config)
    closeRelayedOnceDirect(node)
    return node
  } catch (err) {
    throw explainListenError(err) ?? err
  }
}

/** The user's gater, with banned peers refused as well: a hook denies when either side does. */
function withGuard (gater: ConnectionGater, guard: PeerGuard | undefined): ConnectionGater {
  if (guard === undefined) return gater
  const merged: ConnectionGater = { ...gater }
  for (const [name, deny] of Object.entries(guard.gater())) {
    const key = name as 'denyDialPeer' | 'denyInboundEncryptedConnection' | 'denyOutboundEncryptedConnection'
    const theirs = gater[key] as ((...args: any[]) => boolean | Promise<boolean>) | undefined
    merged[key] = async (...args: any[]) =>
      (await (deny as (...a: any[]) => Promise<boolean>)(...args)) || (theirs !== undefined && await theirs(...args))
  }
  return merged
}

/** Relay server, hole punching, AutoNAT and UPnP, as the options ask (see README, "Reaching peers behind NAT"). */
function addNatServices (services: Record<string, unknown>, options: WeftOptions, platform: Platform): void {
  const nat = options.nat ?? {}
  if (nat.holePunching ?? DEFAULTS.holePunching) services.dcutr = dcutr()
  const autonat = nat.autonat ?? DEFAULTS.autonat
  if (autonat) services.autonat = autoNAT()
  if (nat.upnp ?? DEFAULTS.upnp) {
    if (platform.upnp === undefined) throw new TypeError(`createWeft: nat.upnp is not available on ${platform.name}`)
    // Without AutoNAT nothing would ever confirm the mapped address (and @libp2p/upnp-nat refuses to
    // start without it): the router's own report is trusted then. upnp-nat drops a private one.
    services.upnp = platform.upnp({ trustRouterAddress: !autonat })
  }
  const relay = relayServer(options.relay)
  if (relay !== undefined) services.relay = relay
}

/** A listen address that could not be bound: one line naming the address, instead of libp2p's multi-line dump. */
export class ListenError extends Error {
  readonly code = 'WEFT_LISTEN'
  override name = 'ListenError'
}

/**
 * libp2p reports failed listeners as one UnsupportedListenAddressesError whose message lists
 * `  <address>: <error>` per address and suggests `transportManager.faultTolerance`, which is not
 * a weft option; the individual errors are not attached, so the text is all there is to read.
 */
function explainListenError (err: any): ListenError | undefined {
  if (err?.name !== 'UnsupportedListenAddressesError') return undefined
  const failures = [...String(err.message).matchAll(/^\s+(\/\S+): (.+)$/gm)].map(m => ({ address: m[1], reason: m[2] }))
  const inUse = failures.find(f => f.reason.includes('EADDRINUSE'))
  if (inUse !== undefined) {
    return new ListenError(`listen address ${inUse.address} is in use (another weft running? ` +
      'choose another port, or port 0 for a free one)', { cause: err })
  }
  const first = failures[0]
  if (first !== undefined) return new ListenError(`cannot listen on ${first.address}: ${first.reason}`, { cause: err })
  return new ListenError(`cannot listen on the listen addresses: ${String(err.message).split('\n')[0]}`, { cause: err })
}
