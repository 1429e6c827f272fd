import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Lan } from '../net/lan.js'
import { installByteCounters, makeNatRouter, readByteCounters, type NatOptions } from '../net/nat.js'
import { LAB_PREFIX, LAB_ROOT } from '../net/names.js'
import { PeerProcess } from '../peer/peer-process.js'
import { PEER_PORT } from '../cluster.js'
import { poll } from '../wait.js'
import { newDocId } from '../../src/index.js'
import type { ConnectionInfo } from '../peer/protocol.js'

/**
 * The "internet" of the NAT scenarios. Not an RFC 1918 range on purpose: libp2p (DCUtR, AutoNAT)
 * ignores private addresses as candidates for a direct connection, so a WAN in 10.x would make
 * every hole punch fail for a reason the real internet does not have. The lab namespaces have no
 * route out, so these addresses never reach the real network.
 */
const WAN = '11.77.0'
const INSIDE = ['10.77.1', '10.77.2']
/** How long hole punching gets after the first sync through the relay. */
const PUNCH_WINDOW_MS = 30_000
/** The document the peer behind NAT A writes: big enough that the relay's share of the bytes shows. */
const DOC_BYTES = 64 * 1024

export interface NatResult {
  synced: boolean
  direct: boolean
  firstSyncMs?: number
  directMs?: number
  relayBytes?: number
  why?: string
}

/** WEFT_LAB_AUTONAT=1 turns AutoNAT on in every peer (off by default: see README, `nat.autonat`). */
const NAT_OPTIONS = process.env.WEFT_LAB_AUTONAT === '1' ? { autonat: true } : {}
const isDirect = (c: ConnectionInfo): boolean => !c.limited && !c.remoteAddr.includes('/p2p-circuit')

/**
 * Two peers, each behind its own NAT router (nftables masquerade), and a public peer on the WAN
 * that is the only DHT server they know and a circuit relay. The two find each other through the
 * DHT (provider records on the public peer, naming their relayed addresses), sync through the
 * relay, and DCUtR tries to open a direct connection.
 *
 * `kind: 'cone'` (`npm run lab -- nat`) passes only with a direct connection at the end;
 * `kind: 'strict'` (`npm run lab -- nat-strict`, NATs that drop unsolicited inbound and randomise
 * ports) passes when the document syncs through the relay and stays synced there.
 */
export async function natScenario (options: NatOptions): Promise<boolean> {
  const result = await runNat(options)
  const first = result.firstSyncMs === undefined
    ? 'did NOT sync through the relay'
    : `synced through the relay in ${result.firstSyncMs} ms`
  const bytes = result.relayBytes === undefined ? '' : ` (${result.relayBytes} bytes through the relay host)`
  const direct = result.direct ? `yes, after ${result.directMs} ms` : `no (${result.why ?? 'unknown'})`
  console.log(`nat ${options.kind}: ${first}${bytes}; direct after hole punch: ${direct}`)
  return options.kind === 'cone' ? result.synced && result.direct : result.synced
}

export async function runNat (options: NatOptions): Promise<NatResult> {
  const name = `nat${process.pid}${options.kind[0]}`
  const wan = new Lan({ name: `${name}w`, subnet: WAN })
  const insides = INSIDE.map((subnet, i) => new Lan({ name: `${name}${i}`, subnet }))
  const root = join(LAB_ROOT, `${LAB_PREFIX}${name}`)
  const peers: PeerProcess[] = []
  try {
    await wan.create()
    const publicHost = await wan.addHost()
    const routers = [await wan.addHost(), await wan.addHost()]
    for (const [i, lan] of insides.entries()) {
      await lan.create()
      await lan.addHost()
      await makeNatRouter(routers[i], lan, INSIDE[i], options)
    }
    await installByteCounters(publicHost, routers.map(r => r.ip))

    const start = async (
      host: typeof publicHost, listen: string[], bootstrap: string[], relay: boolean
    ): Promise<PeerProcess> => {
      const dataDir = join(root, host.ns)
      await mkdir(dataDir, { recursive: true })
      const peer = new PeerProcess({
        host,
        config: {
          dataDir,
          listen,
          bootstrap,
          mdns: false,
          relay,
          nat: NAT_OPTIONS,
          beaconIntervalMs: 1_000,
          discoveryIntervalMs: 2_000
        },
        // DEBUG=... (libp2p's logger) in the environment shows each peer's log, prefixed by its host.
        onStderr: process.env.DEBUG === undefined ? undefined : line => { console.error(`${host.ns}: ${line}`) }
      })
      peers.push(peer)
      await peer.start()
      return peer
    }
    const relay = await start(publicHost, [`/ip4/${publicHost.ip}/tcp/${PEER_PORT}`], [], true)
    const relayAddress = `/ip4/${publicHost.ip}/tcp/${PEER_PORT}/p2p/${relay.peerId}`
    const [a, b] = await Promise.all(insides.map(async lan =>
      await start(lan.hosts[0], [`/ip4/${lan.hosts[0].ip}/tcp/${PEER_PORT}`, '/p2p-circuit'], [relayAddress], false)))
    const reserved = await poll(async () => {
      const all = await Promise.all([a, b].map(async p => await p.addresses()))
      return all.every(addrs => addrs.some(m => m.includes('/p2p-circuit')))
    }, 30_000)
    if (!reserved) return { synced: false, direct: false, why: 'the peers behind NAT got no relay reservation' }

    const doc = newDocId()
    await a.open(doc)
    const token = `[written behind NAT A ${'x'.repeat(DOC_BYTES)}]`
    await a.edit(doc, 'text', token, false)
    const before = await readByteCounters(publicHost)
    const opened = Date.now()
    await b.open(doc)
    const synced = await poll(async () => (await b.state(doc)).text === token, 60_000, 50)
    if (!synced) {
      const seen = (await b.connections())
        .map(c => `${c.peer.slice(-6)} ${c.remoteAddr}${c.limited ? ' (limited)' : ''}`)
      return { synced: false, direct: false, why: `the document never reached B; B's connections: ${seen.join(', ')}` }
    }
    const firstSyncMs = Date.now() - opened
    const after = await readByteCounters(publicHost)
    const relayBytes = after.in - before.in + after.out - before.out
    const viaRelay = (await b.connections()).filter(c => c.peer === a.peerId)
    if (viaRelay.some(isDirect)) {
      return { synced, direct: true, firstSyncMs, relayBytes, directMs: 0, why: 'direct before any relaying' }
    }

    const punched = await poll(async () => (await b.connections()).some(c => c.peer === a.peerId && isDirect(c)),
      PUNCH_WINDOW_MS, 100)
    const directMs = punched ? Date.now() - opened : undefined

    // Still in sync at the end, over whatever connection is left: an edit from B reaches A.
    await b.edit(doc, 'map', 'from-b', false)
    const back = await poll(async () => (await a.state(doc)).map['from-b'] === 'from-b', 30_000, 50)
    const final = (await b.connections()).filter(c => c.peer === a.peerId)
    const direct = punched && final.some(isDirect)
    let why: string | undefined
    if (!direct) why = await explain(a, b, options)
    return { synced: synced && back, direct, firstSyncMs, directMs, relayBytes, why }
  } finally {
    await Promise.allSettled(peers.map(async p => { await p.stop(2_000) }))
    for (const lan of insides) await lan.destroy()
    await wan.destroy()
    await rm(root, { recursive: true, force: true })
  }
}

/** Why no direct connection came, from what the peers announce about themselves. */
async function explain (a: PeerProcess, b: PeerProcess, options: NatOptions): Promise<string> {
  if (options.kind === 'strict') return 'both NATs drop unsolicited inbound and randomise ports: stayed on the relay'
  const addresses = await Promise.all([a, b].map(async p => await p.addresses()))
  const publicDirect = addresses.map(list =>
    list.filter(m => m.includes(`/ip4/${WAN}.`) && !m.includes('/p2p-circuit')))
  if (publicDirect.every(list => list.length === 0)) {
    return `neither peer announces a public address of its own (A: ${addresses[0].join(' ')}), so DCUtR has none ` +
      'to dial. A NAT peer learns its public IP:port only from the relay\'s identify, and that is ' +
      'the mapping of an outgoing TCP connection, which leaves from a new ephemeral port (Node cannot bind a ' +
      'client socket to its listening port: no SO_REUSEPORT for outgoing TCP), so libp2p cannot treat it as ' +
      'where the peer listens; and the NAT forwards nothing unsolicited to the listening port'
  }
  return `DCUtR had public addresses (${publicDirect.flat().join(' ')}) but the simultaneous dials did not ` +
    'meet: the NAT mapping of each dial is a new ephemeral port, not the one the other side dials'
}
