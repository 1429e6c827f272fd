import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Lan, type Host } from '../net/lan.js'
import { makeNatRouter } from '../net/nat.js'
import { startUpnpGateway, type UpnpGateway } from '../net/upnp-gateway.js'
import { LAB_PREFIX, LAB_ROOT } from '../net/names.js'
import { startScenarioPeer, type PeerProcess } from '../peer/peer-process.js'
import type { DriverConfig } from '../peer/protocol.js'
import { PEER_PORT } from '../cluster.js'
import { poll } from '../wait.js'
import { newDocId } from '../../src/index.js'

/** A public range on purpose, as in nat.ts (the lab has no route out; nothing leaves it). */
const WAN = '11.78.0'
const INSIDE = '10.78.1'

export interface UpnpResult {
  /** The address the peer behind NAT announced for the router's port forward, if any. */
  mapped?: string
  /** The router's forward rules once mapped (miniupnpd's nftables chain). */
  forwards?: string
  /** A peer on the WAN dialled the mapped address, with nothing else to go by, and got a direct connection. */
  reached: boolean
  /** And the document written behind the NAT arrived over it. */
  synced: boolean
  mappedMs?: number
  why?: string
}

/**
 * A peer behind a NAT router that forwards ports on request (miniupnpd: UPnP IGD and NAT-PMP, or
 * NAT-PMP only), with `nat: { upnp: true }` and nothing else: no relay, no hole punching. It asks
 * the router for a port forward, announces the mapped public address, and a peer on the WAN that
 * knows only that address reaches it directly and syncs. `npm run lab -- upnp` / `-- natpmp`.
 */
export async function upnpScenario (protocols: 'upnp' | 'natpmp' = 'upnp'): Promise<boolean> {
  const r = await runUpnp(protocols)
  const mapped = r.mapped === undefined ? 'no mapped address' : `mapped ${r.mapped} in ${r.mappedMs} ms`
  console.log(`${protocols}: ${mapped}; reached from the WAN: ${r.reached ? 'yes' : 'no'}; ` +
    `synced: ${r.synced ? 'yes' : 'no'}${r.why === undefined ? '' : ` (${r.why})`}`)
  return r.reached && r.synced
}

export async function runUpnp (protocols: 'upnp' | 'natpmp' = 'upnp'): Promise<UpnpResult> {
  const name = `${protocols === 'upnp' ? 'upnp' : 'pmp'}${process.pid}`
  const wan = new Lan({ name: `${name}w`, subnet: WAN })
  const inside = new Lan({ name: `${name}i`, subnet: INSIDE })
  const root = join(LAB_ROOT, `${LAB_PREFIX}${name}`)
  const peers: PeerProcess[] = []
  let gateway: UpnpGateway | undefined
  try {
    await wan.create()
    const outsideHost = await wan.addHost()
    const router = await wan.addHost()
    await inside.create()
    const insideHost = await inside.addHost()
    await makeNatRouter(router, inside, INSIDE, { kind: 'cone' })
    await mkdir(root, { recursive: true })
    gateway = await startUpnpGateway(router, INSIDE, root, protocols)

    const start = async (host: Host, extra: Partial<DriverConfig>): Promise<PeerProcess> =>
      await startScenarioPeer(host, root, peers, {
        listen: [`/ip4/${host.ip}/tcp/${PEER_PORT}`],
        bootstrap: [],
        mdns: false,
        beaconIntervalMs: 1_000,
        discoveryIntervalMs: 2_000,
        ...extra
      })
    const t0 = Date.now()
    // Only UPnP: no relay to reserve on, no hole punching to fall back on.
    const behind = await start(insideHost, { nat: { upnp: true, holePunching: false } })
    let mapped: string | undefined
    await poll(async () => {
      mapped = (await behind.addresses()).find(a => a.startsWith(`/ip4/${router.ip}/tcp/`))
      return mapped !== undefined
    }, 30_000, 200)
    if (mapped === undefined) {
      return {
        reached: false,
        synced: false,
        why: `no address of the router announced; the peer's: ${(await behind.addresses()).join(', ')}`
      }
    }
    const mappedMs = Date.now() - t0
    const forwards = await gateway.forwards()

    const doc = newDocId()
    await behind.open(doc)
    const token = '[written behind the UPnP router]'
    await behind.edit(doc, 'text', token, false)
    // The outside peer knows nothing but the mapped address: dialling it is its only way in.
    const dial = mapped.includes('/p2p/') ? mapped : `${mapped}/p2p/${behind.peerId}`
    const outside = await start(outsideHost, { bootstrap: [dial] })
    await outside.open(doc)
    const synced = await poll(async () => (await outside.state(doc)).text === token, 30_000, 50)
    const toBehind = (await outside.connections()).filter(c => c.peer === behind.peerId)
    const reached = toBehind.some(c => !c.limited && c.remoteAddr.startsWith(`/ip4/${router.ip}/tcp/`))
    const listed = toBehind.map(c => `${c.remoteAddr} ${c.direction}${c.limited ? ' (limited)' : ''}`).join(', ')
    return {
      mapped,
      mappedMs,
      forwards,
      reached,
      synced,
      why: reached && synced ? undefined : `outside's connections to the peer behind NAT: ${listed || 'none'}`
    }
  } finally {
    await Promise.allSettled(peers.map(async p => { await p.stop(2_000) }))
    await gateway?.stop()
    await inside.destroy()
    await wan.destroy()
    await rm(root, { recursive: true, force: true })
  }
}
