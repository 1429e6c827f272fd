import { run } from './exec.js'
import type { Host, Lan } from './lan.js'

export interface NatOptions {
  /**
   * 'cone': Linux masquerade as it comes (port-preserving, endpoint-independent mapping; conntrack
   * lets a reply through, including a packet of the other side's hole punch once this side sent one
   * to it). 'strict': random source ports (a new mapping per destination, so a peer's observed port
   * predicts nothing): no hole can be punched. Both drop unsolicited inbound on the WAN side.
   */
  kind: 'cone' | 'strict'
}

/**
 * Turns `router` (a host on the WAN lan, its `eth0` the WAN side) into a NAT router for `inside`:
 * a veth from the inside lan's switch into the router (`lan0`, `<subnet>.1/24`), IP forwarding,
 * nftables masquerade on the way out, and a forward chain that lets in only replies. Every host
 * of `inside` gets a default route through it. Nothing leaves the lab: the router has no default
 * route, so the inside hosts reach the WAN lan and nothing else.
 */
export async function makeNatRouter (router: Host, inside: Lan, subnet: string, options: NatOptions): Promise<void> {
  const gateway = `${subnet}.1`
  const sw = inside.switchNs
  await run('ip', ['-n', sw, 'link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'lan0', 'netns', router.ns])
  await run('ip', ['-n', inside.switchNs, 'link', 'set', 'up0', 'master', 'br0', 'up'])
  await run('ip', ['-n', router.ns, 'addr', 'add', `${gateway}/24`, 'dev', 'lan0'])
  await run('ip', ['-n', router.ns, 'link', 'set', 'lan0', 'up'])
  await run('ip', ['netns', 'exec', router.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
  await run('ip', ['netns', 'exec', router.ns, 'nft', '-f', '-'], natRuleset(options))
  for (const host of inside.hosts) await run('ip', ['-n', host.ns, 'route', 'add', 'default', 'via', gateway])
}

export function natRuleset (options: NatOptions): string {
  const strict = options.kind === 'strict'
  return [
    'table ip weftnat {',
    '  chain forward {',
    '    type filter hook forward priority 0; policy drop;',
    '    ct state established,related accept',
    '    iifname "lan0" oifname "eth0" accept',
    // A port forward (UPnP, upnp-gateway.ts) lets a new connection in: the router DNAT-ed it.
    '    ct status dnat accept',
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname "eth0" masquerade${strict ? ' random' : ''}`,
    '  }',
    // Like a home router, neither kind answers unsolicited packets to itself from the WAN. Dropped
    // here, such a packet leaves no conntrack entry; accepted (and answered with ICMP), it would
    // leave one for 30 s holding the very port pair that the peer's own outgoing packet needs for
    // a port-preserving mapping, and the NAT would pick another port: a hole punch whose first
    // packet arrives before the other side's would fail (seen in the lab with WebRTC's ICE checks).
    '  chain input {',
    '    type filter hook input priority 0; policy accept;',
    '    iifname "eth0" ct state new drop',
    '  }',
    '}',
    ''
  ].join('\n')
}

/** Byte counters on a host for its traffic with some addresses (what went through a relay). */
export async function installByteCounters (host: Host, peers: string[]): Promise<void> {
  const set = `{ ${peers.join(', ')} }`
  await run('ip', ['netns', 'exec', host.ns, 'nft', '-f', '-'], [
    'table ip weftcount {',
    '  counter fromPeers {}',
    '  counter toPeers {}',
    '  chain in {',
    '    type filter hook input priority 0; policy accept;',
    `    ip saddr ${set} counter name fromPeers`,
    '  }',
    '  chain out {',
    '    type filter hook output priority 0; policy accept;',
    `    ip daddr ${set} counter name toPeers`,
    '  }',
    '}',
    ''
  ].join('\n'))
}

export async function readByteCounters (host: Host): Promise<{ in: number, out: number }> {
  const text = await run('ip', ['netns', 'exec', host.ns, 'nft', 'list', 'table', 'ip', 'weftcount'])
  const bytes = (name: string): number =>
    Number(new RegExp(`counter ${name} \\{[^}]*bytes (\\d+)`).exec(text)?.[1] ?? NaN)
  return { in: bytes('fromPeers'), out: bytes('toPeers') }
}
