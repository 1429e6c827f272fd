import { run, tryRun } from './exec.js'
import { LAB_PREFIX } from './names.js'

export interface LanOptions {
  /** Short unique name; namespaces are `weftlab-<name>-sw` and `weftlab-<name>-h<i>`. */
  name: string
  /** First three octets of a private /24 that exists only inside the lab. Default '10.77.0'. */
  subnet?: string
}

export interface Host {
  index: number
  /** Network namespace the host's processes run in. */
  ns: string
  ip: string
  /** The host's port on the switch (in the switch namespace); down = cable pulled. */
  switchPort: string
}

/**
 * One virtual LAN: a switch namespace holding a Linux bridge, and hosts (one
 * namespace each) plugged into it with veth pairs. Nothing is created in the
 * caller's namespace and no host has a default route, so lab traffic cannot
 * leave the lab. Reusable for other topologies: a NAT scenario adds a router
 * namespace with a leg on two Lans.
 */
export class Lan {
  readonly switchNs: string
  readonly hosts: Host[] = []
  private readonly subnet: string

  constructor (readonly options: LanOptions) {
    this.switchNs = `${LAB_PREFIX}${options.name}-sw`
    this.subnet = options.subnet ?? '10.77.0'
  }

  async create (): Promise<void> {
    await run('ip', ['netns', 'add', this.switchNs])
    await run('ip', ['-n', this.switchNs, 'link', 'set', 'lo', 'up'])
    await run('ip', ['-n', this.switchNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0'])
    await run('ip', ['-n', this.switchNs, 'link', 'set', 'br0', 'up'])
  }

  async addHost (): Promise<Host> {
    const index = this.hosts.length
    const host: Host = {
      index,
      ns: `${LAB_PREFIX}${this.options.name}-h${index}`,
      ip: `${this.subnet}.${10 + index}`,
      switchPort: `p${index}`
    }
    await run('ip', ['netns', 'add', host.ns])
    // Both ends are created inside lab namespaces: the switch end stays in the switch namespace.
    const port = host.switchPort
    const sw = this.switchNs
    await run('ip', ['-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns])
    await run('ip', ['-n', this.switchNs, 'link', 'set', host.switchPort, 'master', 'br0', 'up'])
    await run('ip', ['-n', host.ns, 'link', 'set', 'lo', 'up'])
    await run('ip', ['-n', host.ns, 'addr', 'add', `${host.ip}/24`, 'dev', 'eth0'])
    await run('ip', ['-n', host.ns, 'link', 'set', 'eth0', 'up'])
    // Multicast (mDNS) goes out on the lab interface only; there is no default route.
    await run('ip', ['-n', host.ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0'])
    this.hosts.push(host)
    return host
  }

  /** Pulls (false) or plugs back (true) a host's cable. */
  async setLink (host: Host, up: boolean): Promise<void> {
    await run('ip', ['-n', this.switchNs, 'link', 'set', host.switchPort, up ? 'up' : 'down'])
  }

  async destroy (): Promise<void> {
    for (const host of this.hosts) await tryRun('ip', ['netns', 'del', host.ns])
    await tryRun('ip', ['netns', 'del', this.switchNs])
    this.hosts.length = 0
  }
}
