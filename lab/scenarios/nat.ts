import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Lan } from '../net/lan.js'
import { installByteCounters, makeNatRouter, readByteCounters, type NatOptions } from '../net/nat.js'
import { LAB_PREFIX, LAB_ROOT } from '../net/names.js'
import { startStunServer, type StunServer } from '../net/stun.js'
import { startScenarioPeer, type PeerProcess } from '../peer/peer-process.js'
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
  /** Bytes through the relay host while B wrote DOC_BYTES more after the direct connection stood. */
  relayBytesAfterDirect?: number
  /** How the final connection between the two goes: 'webrtc', 'relay', or a transport name. */
  path?: string
  /** B's connections to A when the document had arrived. */
  firstPaths?: string[]
  why?: string
}

/** WEFT_LAB_AUTONAT=1 turns AutoNAT on in every peer (off by default: see README, `nat.autonat`). */
const NAT_OPTIONS = process.env.WEFT_LAB_AUTONAT === '1' ? { autonat: true } : {}
/**
 * A connection whose data does not pass the relay: any unlimited one but a plain relayed one. A
 * WebRTC connection's address names the relay it was signalled through (`…/p2p-circuit/webrtc/…`),
 * but its data flows over the ICE path; the scenario checks that with the relay's byte counters.
 */
const isDirect = (c: ConnectionInfo): boolean =>
  !c.limited && (!c.remoteAddr.includes('/p2p-circuit') || c.remoteAddr.includes('/webrtc'))
const pathOf = (c: ConnectionInfo): string =>
  c.remoteAddr.includes('/webrtc') ? 'webrtc' : c.remoteAddr.includes('/p2p-circuit') ? 'relay' : c.remoteAddr

/**
 * Two peers, each behind its own NAT router (nftables masquerade), and a public peer on the WAN
 * that is the only DHT server they know and a circuit relay. The two find each other through the
 * DHT (provider records on the public peer, naming their relayed addresses), sync through the
 * relay, and WebRTC (signalled through the relay, ICE with the public host's STUN responder) opens
 * a direct connection; DCUtR runs too, but has no public TCP address of either peer to dial.
 *
 * `kind: 'cone'` (`npm run lab -- nat`) passes only with a direct connection at the end;
 * `kind: 'strict'` (`npm run lab -- nat-strict`, NATs that drop unsolicited inbound and randomise
 * ports) passes when the document syncs through the relay and stays synced there.
 */
export async function natScenario (options: NatOptions): Promise<boolean> {
  const result = await runNat(options)
  const over = result.firstPaths === undefined ? '' : `, B-A connections then: ${result.firstPaths.join(' + ')}`
  const first = result.firstSyncMs === undefined
    ? 'did NOT sync'
    : `synced in ${result.firstSyncMs} ms`
  const bytes = result.relayBytes === undefined ? '' : ` (${result.relayBytes} bytes through the relay host${over})`
  const after = result.relayBytesAfterDirect === undefined
    ? ''
    : `, ${result.relayBytesAfterDirect} bytes through the relay host for B's ${DOC_BYTES} bytes back`
  const direct = result.direct
    ? `yes, after ${result.directMs} ms over ${result.path ?? '?'}${after}`
    : `no (${result.why ?? 'unknown'})`
  console.log(`nat ${options.kind}: ${first}${bytes}; direct after hole punch: ${direct}`)
  return options.kind === 'cone' ? result.synced && result.direct : result.synced
}

export async function runNat (options: NatOptions): Promise<NatResult> {
  const name = `nat${process.pid}${options.kind[0]}`
  const wan = new Lan({ name: `${name}w`, subnet: WAN })
  const insides = INSIDE.map((subnet, i) => new Lan({ name: `${name}${i}`, subnet }))
  const root = join(LAB_ROOT, `${LAB_PREFIX}${name}`)
  const peers: PeerProcess[] = []
  let stun: StunServer | undefined
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
    // The public host also answers STUN, as public STUN servers do on the internet: WebRTC learns
    // from it the NAT's mapping of the very socket its connectivity checks go out from.
    stun = await startStunServer(publicHost)
    const iceServers = [stun.url]

    const start = async (
      host: typeof publicHost, listen: string[], bootstrap: string[], relay: boolean
    ): Promise<PeerProcess> => await startScenarioPeer(host, root, peers, {
      listen,
      bootstrap,
      mdns: false,
      relay,
      nat: { ...NAT_OPTIONS, iceServers },
      beaconIntervalMs: 1_000,
      discoveryIntervalMs: 2_000
    })
    const relay = await start(publicHost, [`/ip4/${publicHost.ip}/tcp/${PEER_PORT}`], [], true)
    const relayAddress = `/ip4/${publicHost.ip}/tcp/${PEER_PORT}/p2p/${relay.peerId}`
    // '/p2p-circuit': reachable through the relay; '/webrtc': by WebRTC, signalled through it.
    const [a, b] = await Promise.all(insides.map(async lan => await start(lan.hosts[0],
      [`/ip4/${lan.hosts[0].ip}/tcp/${PEER_PORT}`, '/p2p-circuit', '/webrtc'], [relayAddress], false)))
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
    // What B's document came over: WebRTC may already stand by the time the pull completes.
    const firstPaths = [...new Set((await b.connections()).filter(c => c.peer === a.peerId)
      .map(c => `${pathOf(c)}${c.limited ? ' (limited)' : ''}`))]
    const after = await readByteCounters(publicHost)
    const relayBytes = after.in - before.in + after.out - before.out

    // Moved, not just punched: a direct connection stands and the relayed one is closed (weft closes
    // it 2 s after the direct one opens), so that what B writes next cannot take the relay.
    const moved = (cs: ConnectionInfo[]): boolean => {
      const toA = cs.filter(c => c.peer === a.peerId)
      return toA.some(isDirect) && toA.every(isDirect)
    }
    const punched = await poll(async () => moved(await b.connections()), PUNCH_WINDOW_MS, 100)
    const directMs = punched ? Date.now() - opened : undefined

    // Still in sync at the end, over whatever connection is left: as much again from B reaches A,
    // and the relay's counters tell whether it went through the relay host.
    const beforeBack = await readByteCounters(publicHost)
    const back = `[written behind NAT B ${'y'.repeat(DOC_BYTES)}]`
    await b.edit(doc, 'map', back, false)
    const arrived = await poll(async () => (await a.state(doc)).map[back] === back, 30_000, 50)
    const afterBack = await readByteCounters(publicHost)
    const relayBytesAfterDirect = afterBack.in - beforeBack.in + afterBack.out - beforeBack.out
    const final = (await b.connections()).filter(c => c.peer === a.peerId)
    const path = final.find(isDirect) ?? final[0]
    // Direct: a connection that is not relayed, and B's 64 KiB did not cross the relay host.
    const direct = punched && final.some(isDirect) && relayBytesAfterDirect < DOC_BYTES / 2
    let why: string | undefined
    if (!direct) why = await explain(a, b, options, relayBytesAfterDirect)
    return {
      synced: synced && arrived,
      direct,
      firstSyncMs,
      firstPaths,
      directMs,
      relayBytes,
      relayBytesAfterDirect,
      path: path === undefined ? undefined : pathOf(path),
      why
    }
  } finally {
    await Promise.allSettled(peers.map(async p => { await p.stop(2_000) }))
    await stun?.stop()
    for (const lan of insides) await lan.destroy()
    await wan.destroy()
    await rm(root, { recursive: true, force: true })
  }
}

/** Why no direct connection came, from B's connections to A and the relay's counters. */
async function explain (a: PeerProcess, b: PeerProcess, options: NatOptions, relayedAfter: number): Promise<string> {
  if (options.kind === 'strict') {
    return 'both NATs drop unsolicited inbound and randomise ports: no ICE candidate pair works, stayed on the relay'
  }
  const toA = (await b.connections()).filter(c => c.peer === a.peerId)
  const listed = toA.map(c => `${c.remoteAddr}${c.limited ? ' (limited)' : ''}`).join(', ') || 'none'
  if (toA.some(isDirect)) {
    return `a connection looked direct but B's ${DOC_BYTES} bytes crossed the relay host (${relayedAfter} bytes); ` +
      `B's connections to A: ${listed}`
  }
  return `no WebRTC connection came up within ${PUNCH_WINDOW_MS / 1000} s (DEBUG=libp2p:webrtc* shows the ICE ` +
    `log); B's connections to A: ${listed}`
}
