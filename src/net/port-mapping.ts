/**
 * Who forwards a port to this peer (Node only): the gateways @libp2p/upnp-nat maps ports on, which
 * then announces the mapped addresses and renews the mappings. UPnP IGD gateways come from its own
 * SSDP search; when none has answered after a few seconds, the default router is asked over NAT-PMP
 * (RFC 6886), which routers such as Apple's and many open-source firmwares speak instead of UPnP.
 * The protocols themselves are @achingbrain/nat-port-mapper's; the default route is default-gateway's.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { pmpNat, upnpNat, type Gateway, type UPnPNAT } from '@achingbrain/nat-port-mapper'
import { gateway4async } from 'default-gateway'

/**
 * How long UPnP's search goes first: a router that speaks both (and answers SSDP by then) is used
 * over UPnP only. With the
 * probe, well inside upnp-nat's first search (5 s), which ends the search when it times out.
 */
const UPNP_FIRST_MS = 1_500
/** A router that speaks NAT-PMP answers its external-address request at once. */
const PMP_PROBE_MS = 2_000

export function portMappingClient (): UPnPNAT {
  const upnp = upnpNat()
  // One NAT-PMP client per router for the node's life: upnp-nat searches again every few minutes
  // and skips gateways it knows by id, and each client holds a UDP socket.
  const pmpClients = new Map<string, Promise<Gateway | undefined>>()
  // Once a UPnP gateway has answered, later searches (upnp-nat repeats them) ask no NAT-PMP.
  let upnpFound = false
  const natPmp = async (): Promise<Gateway | undefined> => {
    const router = (await gateway4async()).gateway
    let found = pmpClients.get(router)
    if (found === undefined) {
      found = probe(router)
      pmpClients.set(router, found)
      // A router that did not answer is asked again at the next search.
      void found.then(g => { if (g === undefined) pmpClients.delete(router) })
    }
    return await found
  }
  return {
    getGateway: async (descriptor, options) => await upnp.getGateway(descriptor, options),
    async * findGateways (options = {}) {
      let pmp: Promise<Gateway | undefined> | undefined = (async () => {
        await sleep(UPNP_FIRST_MS, undefined, { signal: options.signal })
        return upnpFound ? undefined : await natPmp()
      })().catch(() => undefined)
      const search = upnp.findGateways(options)[Symbol.asyncIterator]()
      let next: Promise<IteratorResult<Gateway>> | undefined = search.next()
      type Won = { from: 'upnp', result: IteratorResult<Gateway> } | { from: 'pmp', gateway: Gateway | undefined }
      while (next !== undefined || pmp !== undefined) {
        const contenders: Array<Promise<Won>> = []
        if (next !== undefined) {
          contenders.push(next.then(
            result => ({ from: 'upnp' as const, result }),
            () => ({ from: 'upnp' as const, result: { done: true as const, value: undefined } })))
        }
        if (pmp !== undefined) contenders.push(pmp.then(gateway => ({ from: 'pmp' as const, gateway })))
        const won = await Promise.race(contenders)
        if (won.from === 'pmp') {
          pmp = undefined
          if (won.gateway !== undefined) yield won.gateway
        } else if (won.result.done === true) {
          next = undefined
        } else {
          upnpFound = true
          yield won.result.value
          next = search.next()
        }
      }
    }
  }
}

async function probe (router: string): Promise<Gateway | undefined> {
  const gateway = pmpNat(router)
  try {
    await gateway.externalIp({ signal: AbortSignal.timeout(PMP_PROBE_MS) })
    return gateway
  } catch {
    await gateway.stop().catch(() => {})
    return undefined
  }
}
