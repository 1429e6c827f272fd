import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { DEFAULTS } from '../defaults.js'
import type { WeftOptions } from '../types.js'

/**
 * The circuit relay v2 server of a peer with `relay` set, bounded by the options: how many peers
 * may hold a reservation, and how many bytes and how long each relayed connection may carry.
 * libp2p's own limits (128 KiB, 2 min) suit a relay that only carries hole punching; weft's
 * defaults are larger because a document must still sync through a NAT that cannot be punched.
 */
export function relayServer (relay: WeftOptions['relay']): ((components: any) => unknown) | undefined {
  if (relay === undefined || relay === false) return undefined
  const bounds = relay === true ? {} : relay
  return circuitRelayServer({
    reservations: {
      maxReservations: bounds.maxReservations ?? DEFAULTS.relayMaxReservations,
      applyDefaultLimit: true,
      defaultDataLimit: BigInt(bounds.dataLimitBytes ?? DEFAULTS.relayDataLimitBytes),
      defaultDurationLimit: bounds.durationLimitMs ?? DEFAULTS.relayDurationLimitMs
    }
  })
}
