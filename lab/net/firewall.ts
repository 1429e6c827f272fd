import { run } from './exec.js'
import type { Host } from './lan.js'

/** The faults a host's firewall applies to traffic on its lab interface. */
export interface FirewallState {
  /** Drop packets arriving from these addresses. */
  dropFrom: Set<string>
  /** Drop packets sent to these addresses. */
  dropTo: Set<string>
  /** Drop this percentage of packets in each direction (random). */
  lossPercent: number
}

export const openFirewall = (): FirewallState => ({ dropFrom: new Set(), dropTo: new Set(), lossPercent: 0 })

/** The nftables ruleset for a state: one table, replaced atomically on every change. */
export function ruleset (state: FirewallState): string {
  const rules = (dir: 'iifname' | 'oifname', key: 'saddr' | 'daddr', addrs: Set<string>): string[] => {
    const out: string[] = []
    if (addrs.size > 0) out.push(`${dir} "eth0" ip ${key} { ${[...addrs].join(', ')} } drop`)
    if (state.lossPercent > 0) out.push(`${dir} "eth0" numgen random mod 100 < ${state.lossPercent} drop`)
    return out
  }
  return [
    'table inet weftlab',
    'delete table inet weftlab',
    'table inet weftlab {',
    '  chain in {',
    '    type filter hook input priority 0; policy accept;',
    ...rules('iifname', 'saddr', state.dropFrom).map(r => `    ${r}`),
    '  }',
    '  chain out {',
    '    type filter hook output priority 0; policy accept;',
    ...rules('oifname', 'daddr', state.dropTo).map(r => `    ${r}`),
    '  }',
    '}',
    ''
  ].join('\n')
}

/** Installs `state` as the host's firewall (inside its namespace only). */
export async function applyFirewall (host: Host, state: FirewallState): Promise<void> {
  await run('ip', ['netns', 'exec', host.ns, 'nft', '-f', '-'], ruleset(state))
}
