import type { ConnectionGater } from '@libp2p/interface'

type GateMethod = 'denyDialPeer' | 'denyDialMultiaddr' | 'denyInboundConnection' | 'denyOutboundConnection' |
'denyInboundEncryptedConnection' | 'denyOutboundEncryptedConnection'

const GATED: GateMethod[] = ['denyDialPeer', 'denyDialMultiaddr', 'denyInboundConnection', 'denyOutboundConnection',
  'denyInboundEncryptedConnection', 'denyOutboundEncryptedConnection']

/**
 * "Work offline": a connection gater that refuses every dial and every inbound
 * connection while `isOffline()` holds, and otherwise defers to `inner`.
 * (The caller also hangs up the connections already open.)
 */
export function offlineGate (isOffline: () => boolean, inner: ConnectionGater = {}): ConnectionGater {
  const gate: ConnectionGater = { ...inner }
  for (const method of GATED) {
    const next = inner[method] as ((...args: any[]) => boolean | Promise<boolean>) | undefined
    ;(gate as Record<GateMethod, (...args: any[]) => Promise<boolean>>)[method] = async (...args: any[]) =>
      isOffline() || (next !== undefined && await next.apply(inner, args))
  }
  return gate
}
