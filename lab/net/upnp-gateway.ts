import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from './exec.js'
import type { Host } from './lan.js'

export interface UpnpGateway {
  /** The router's port-forward rules as nftables lists them (what miniupnpd added). */
  forwards: () => Promise<string>
  stop: () => Promise<void>
}

/**
 * Makes a lab NAT router (see nat.ts) a UPnP Internet Gateway Device, as home routers are:
 * miniupnpd (Debian's miniupnpd-nftables) answers SSDP and UPnP on the inside leg (`lan0`) and adds
 * port forwards to nftables chains of its own, which the router's NAT table jumps to. Peers of
 * `insideSubnet` may map ports 1024-65535 to themselves only (miniupnpd's secure mode).
 * `protocols`: 'upnp' (UPnP IGD and NAT-PMP, as most home routers) or 'natpmp' (NAT-PMP only).
 */
export async function startUpnpGateway (
  router: Host, insideSubnet: string, dir: string, protocols: 'upnp' | 'natpmp' = 'upnp'
): Promise<UpnpGateway> {
  // miniupnpd's defaults: table inet "filter", chains miniupnpd, prerouting_miniupnpd and
  // postrouting_miniupnpd. Its forward chain only accepts: the router's own forward chain
  // (nat.ts) lets DNAT-ed connections through.
  await run('ip', ['netns', 'exec', router.ns, 'nft', '-f', '-'], [
    'table inet filter {',
    '  chain forward { type filter hook forward priority -1; policy accept; jump miniupnpd; }',
    '  chain miniupnpd {}',
    '  chain prerouting { type nat hook prerouting priority dstnat; policy accept; jump prerouting_miniupnpd; }',
    '  chain prerouting_miniupnpd {}',
    '  chain postrouting { type nat hook postrouting priority srcnat - 1; policy accept; jump postrouting_miniupnpd; }',
    '  chain postrouting_miniupnpd {}',
    '}',
    ''
  ].join('\n'))
  const conf = join(dir, 'miniupnpd.conf')
  await writeFile(conf, [
    'ext_ifname=eth0',
    'listening_ip=lan0',
    'http_port=5000',
    `enable_upnp=${protocols === 'upnp' ? 'yes' : 'no'}`,
    'enable_natpmp=yes',
    'secure_mode=yes',
    'system_uptime=yes',
    'uuid=6e7cbd1c-3f3e-4a53-9d2a-7765667400aa',
    `allow 1024-65535 ${insideSubnet}.0/24 1024-65535`,
    'deny 0-65535 0.0.0.0/0 0-65535',
    ''
  ].join('\n'))
  const child = spawn('ip', ['netns', 'exec', router.ns, 'miniupnpd', '-d', '-4', '-f', conf,
    '-P', join(dir, 'miniupnpd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const collect = (d: Buffer): void => { output += d.toString() }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }
  const ready = await new Promise<boolean>(resolve => {
    const timer = setTimeout(() => { resolve(false) }, 10_000)
    const check = (): void => {
      if (/HTTP listening on port|Listening for NAT-PMP/.test(output)) { clearTimeout(timer); resolve(true) }
    }
    child.stdout.on('data', check)
    child.stderr.on('data', check)
    child.once('exit', () => { clearTimeout(timer); resolve(false) })
  })
  if (!ready) {
    await stop()
    throw new Error(`miniupnpd did not start in ${router.ns}: ${output.trim().slice(-800) || 'no output'}`)
  }
  return {
    forwards: async () => await run('ip', ['netns', 'exec', router.ns, 'nft', 'list', 'chain', 'inet', 'filter',
      'prerouting_miniupnpd']),
    stop
  }
}
