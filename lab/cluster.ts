import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Lan, type Host } from './net/lan.js'
import { applyFirewall, openFirewall, type FirewallState } from './net/firewall.js'
import { mountTmpfs, unmount } from './net/tmpfs.js'
import { LAB_PREFIX, LAB_ROOT } from './net/names.js'
import { PeerProcess } from './peer/peer-process.js'
import type { DriverConfig } from './peer/protocol.js'

export const PEER_PORT = 4001

export interface PeerSpec {
  /** Clock offset in seconds for this peer's process. */
  skewSeconds?: number
  /** Put the data dir on a tmpfs of this many KiB (a disk that fills up). */
  tmpfsKiB?: number
  mdns?: boolean
  /** Dial the first peer at start (default true; mDNS tests turn it off). */
  bootstrap?: boolean
}

export interface ClusterOptions {
  name: string
  peers: PeerSpec[]
  beaconIntervalMs?: number
  discoveryIntervalMs?: number
  onStderr?: (peer: number, line: string) => void
}

const active = new Set<Cluster>()

/** Tears down every cluster still up: for Ctrl-C and fatal errors. */
export async function destroyAllClusters (): Promise<void> {
  await Promise.allSettled([...active].map(async c => { await c.destroy() }))
}

/**
 * A Lan plus one weft peer process per host, each with its own data dir and
 * firewall state. Peers keep fixed addresses (`<ip>/tcp/4001`) and their keys
 * (in the data dir), so a restarted peer is the same peer.
 */
export class Cluster {
  readonly lan: Lan
  readonly peers: PeerProcess[] = []
  readonly firewalls: FirewallState[] = []
  readonly root: string
  private readonly mounts: string[] = []

  constructor (readonly options: ClusterOptions) {
    this.lan = new Lan({ name: options.name })
    this.root = join(LAB_ROOT, `${LAB_PREFIX}${options.name}`)
  }

  static async start (options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(options)
    active.add(cluster)
    try {
      await cluster.create()
      return cluster
    } catch (err) {
      await cluster.destroy()
      throw err
    }
  }

  private async create (): Promise<void> {
    await this.lan.create()
    for (let i = 0; i < this.options.peers.length; i++) {
      const spec = this.options.peers[i]
      const host = await this.lan.addHost()
      const dataDir = join(this.root, `h${i}`)
      if (spec.tmpfsKiB !== undefined) {
        await mountTmpfs(dataDir, spec.tmpfsKiB)
        this.mounts.push(dataDir)
      } else {
        await mkdir(dataDir, { recursive: true })
      }
      this.firewalls.push(openFirewall())
      this.peers.push(new PeerProcess({
        host,
        config: this.configFor(host, dataDir, spec, []),
        skewSeconds: spec.skewSeconds,
        onStderr: line => this.options.onStderr?.(i, line)
      }))
    }
    // The first peer starts alone; the others bootstrap from it (in parallel).
    await this.startPeer(0)
    await Promise.all(this.peers.slice(1).map(async (_, i) => { await this.startPeer(i + 1) }))
  }

  private configFor (host: Host, dataDir: string, spec: PeerSpec, bootstrap: string[]): DriverConfig {
    return {
      dataDir,
      listen: [`/ip4/${host.ip}/tcp/${PEER_PORT}`],
      bootstrap,
      mdns: spec.mdns ?? false,
      beaconIntervalMs: this.options.beaconIntervalMs ?? 1_000,
      discoveryIntervalMs: this.options.discoveryIntervalMs ?? 2_000
    }
  }

  /** (Re)starts peer i on its data dir, bootstrapping from every other peer known so far. */
  async startPeer (i: number): Promise<void> {
    const peer = this.peers[i]
    const spec = this.options.peers[i]
    const bootstrap = spec.bootstrap === false
      ? []
      : this.peers.filter((p, j) => j !== i && p.peerId !== '')
        .map(p => `/ip4/${p.options.host.ip}/tcp/${PEER_PORT}/p2p/${p.peerId}`)
    peer.options.config.bootstrap = bootstrap
    await peer.start()
  }

  host (i: number): Host {
    return this.lan.hosts[i]
  }

  async setFirewall (i: number, change: (state: FirewallState) => void): Promise<void> {
    change(this.firewalls[i])
    await applyFirewall(this.host(i), this.firewalls[i])
  }

  /** Opens every firewall and plugs every cable back in. */
  async heal (): Promise<void> {
    for (let i = 0; i < this.peers.length; i++) {
      this.firewalls[i] = openFirewall()
      await applyFirewall(this.host(i), this.firewalls[i])
      await this.lan.setLink(this.host(i), true)
    }
  }

  /** Every crash so far: exits that no kill or stop asked for. */
  crashes (): string[] {
    return this.peers.flatMap(p => p.crashes)
  }

  async destroy (): Promise<void> {
    if (!active.delete(this)) return
    await Promise.allSettled(this.peers.map(async p => { await p.stop(2_000) }))
    for (const dir of this.mounts) await unmount(dir)
    await this.lan.destroy()
    await rm(this.root, { recursive: true, force: true })
  }
}
