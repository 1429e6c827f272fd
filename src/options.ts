/**
 * Checks `createWeft` options before anything starts, so that a mistake is reported as one
 * `TypeError` naming the option and the value, instead of a libp2p stack trace later (a peer id
 * with one character missing used to fail inside @libp2p/bootstrap with "Incorrect length"), or
 * worse, being accepted and silently ignored (a bootstrap address without `/p2p/` is never dialled).
 *
 * The daemon's config checks use `addressProblem` too, so both doors say the same thing.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NetworkKnobs, WeftOptions } from './types.js'
import { iceServerProblem } from './net/ice-servers.js'

const NUMBER_OPTIONS = [
  'maxClockDriftMs', 'batchWindowMs', 'minSealIntervalMs', 'beaconIntervalMs', 'discoveryIntervalMs',
  'headsIntervalMs', 'maxEnvelopeBytes', 'maxSyncResponseBytes', 'maxEnvelopesPerSync', 'checkpointEvery'
] as const

/**
 * What is wrong with one address, or undefined when it is fine. `needPeerId`: the address must end
 * in `/p2p/<peer id>` with a valid peer id (bootstrap peers are dialled by id).
 */
export function addressProblem (address: unknown, needPeerId: boolean): string | undefined {
  if (typeof address !== 'string') return `must be a multiaddr string, got ${describe(address)}`
  let components
  try {
    components = multiaddr(address).getComponents()
  } catch (err: any) {
    return `is not a multiaddr (${String(err?.message ?? err)})`
  }
  const p2p = components.find(c => c.name === 'p2p')
  if (p2p === undefined) return needPeerId ? 'has no /p2p/<peer id>' : undefined
  try {
    peerIdFromString(p2p.value ?? '')
  } catch (err: any) {
    return `has an invalid peer id "${p2p.value ?? ''}" (${String(err?.message ?? err)})`
  }
  return undefined
}

/** Throws a `TypeError` for the first option that cannot work. */
/**
 * `network: 'public' | 'private'` is the short form of `dht.network`: the engine below reads
 * `dht.network` and the object form of `network` only.
 */
export function normalizeOptions (options: WeftOptions): WeftOptions {
  if (options == null || typeof options !== 'object' || typeof options.network !== 'string') return options
  const network = options.network
  if (network !== 'private' && network !== 'public') {
    throw new TypeError(`createWeft: network must be "private", "public" or an object, got ${describe(network)}`)
  }
  if (options.dht?.network !== undefined && options.dht.network !== network) {
    throw new TypeError(`createWeft: network "${network}" and dht.network "${String(options.dht.network)}" disagree`)
  }
  return { ...options, network: undefined, dht: { ...options.dht, network } }
}

/** The object form of `network` (its knobs), whichever form was given. */
export function networkKnobs (options: Pick<WeftOptions, 'network'>): NetworkKnobs {
  return typeof options.network === 'object' && options.network !== null ? options.network : {}
}

export function validateOptions (options: WeftOptions): void {
  if (options == null || typeof options !== 'object') {
    throw new TypeError(`createWeft: options must be an object, got ${describe(options)}`)
  }
  if (options.dataDir !== undefined && (typeof options.dataDir !== 'string' || options.dataDir === '')) {
    throw new TypeError(`createWeft: dataDir must be a non-empty path, got ${describe(options.dataDir)}`)
  }
  checkAddresses('listen', options.listen, false)
  checkAddresses('announce', options.announce, false)
  checkAddresses('bootstrap', options.bootstrap, true)
  if (options.mdns !== undefined && typeof options.mdns !== 'boolean') {
    throw new TypeError(`createWeft: mdns must be true or false, got ${describe(options.mdns)}`)
  }
  const dht = options.dht
  if (dht?.mode !== undefined && dht.mode !== 'server' && dht.mode !== 'client') {
    throw new TypeError(`createWeft: dht.mode must be "server" or "client", got ${describe(dht.mode)}`)
  }
  if (dht?.network !== undefined && dht.network !== 'private' && dht.network !== 'public') {
    throw new TypeError(`createWeft: dht.network must be "private" or "public", got ${describe(dht.network)}`)
  }
  if (dht?.protocol !== undefined && (typeof dht.protocol !== 'string' || !dht.protocol.startsWith('/'))) {
    throw new TypeError(
      `createWeft: dht.protocol must be a protocol id starting with "/", got ${describe(dht.protocol)}`)
  }
  checkNetworkKnobs(networkKnobs(options))
  checkTls(options.tls, options.listen)
  checkRelay(options.relay)
  checkNat(options.nat)
  for (const name of NUMBER_OPTIONS) {
    const value = options[name]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new TypeError(`createWeft: ${name} must be a non-negative number, got ${describe(value)}`)
    }
  }
  if (options.history !== undefined && options.history !== 'full' && options.history !== 'none') {
    throw new TypeError(`createWeft: history must be "full" or "none", got ${describe(options.history)}`)
  }
  const idle = options.unloadIdleAfterMs
  if (idle !== undefined && (typeof idle !== 'number' || Number.isNaN(idle) || idle < 0)) {
    throw new TypeError(
      `createWeft: unloadIdleAfterMs must be a non-negative number or Infinity, got ${describe(idle)}`
    )
  }
}

/** Intervals and ceilings: zero or less would mean a ping or heartbeat storm, or no connections at all. */
function checkNetworkKnobs (net: NetworkKnobs): void {
  for (const name of ['pingIntervalMs', 'gossipHeartbeatMs', 'maxConnections'] as const) {
    const value: unknown = net[name]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
      throw new TypeError(`createWeft: network.${name} must be a positive number, got ${describe(value)}`)
    }
  }
}

/** A `/tls/ws` listen address: secure WebSockets, served with the `tls` option's certificate. */
export const isSecureWebSocket = (address: string): boolean => /\/(tls\/ws|wss)(\/|$)/.test(address)

function checkTls (tls: unknown, listen: unknown): void {
  const secure = Array.isArray(listen) ? listen.filter(a => typeof a === 'string' && isSecureWebSocket(a)) : []
  if (tls === undefined) {
    if (secure.length > 0) {
      throw new TypeError(`createWeft: listen address ${secure[0] as string} needs the tls option ` +
        '(a PEM cert and key) to serve secure WebSockets')
    }
    return
  }
  if (tls === null || typeof tls !== 'object' || Array.isArray(tls)) {
    throw new TypeError(`createWeft: tls must be an object { cert, key }, got ${describe(tls)}`)
  }
  for (const name of ['cert', 'key'] as const) {
    const value = (tls as Record<string, unknown>)[name]
    const pem = typeof value === 'string' || value instanceof Uint8Array
    if (!pem || (value as string | Uint8Array).length === 0) {
      throw new TypeError(`createWeft: tls.${name} must be a PEM string or bytes, got ${describe(value)}`)
    }
  }
  if (secure.length === 0) {
    throw new TypeError('createWeft: tls is set but no listen address serves it ' +
      '(add one ending in /tls/ws, e.g. /ip4/0.0.0.0/tcp/443/tls/ws)')
  }
}

function checkRelay (relay: unknown): void {
  if (relay === undefined || typeof relay === 'boolean') return
  if (relay === null || typeof relay !== 'object' || Array.isArray(relay)) {
    throw new TypeError(`createWeft: relay must be true, false or an object of limits, got ${describe(relay)}`)
  }
  for (const name of ['maxReservations', 'dataLimitBytes', 'durationLimitMs'] as const) {
    const value = (relay as Record<string, unknown>)[name]
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)) {
      throw new TypeError(`createWeft: relay.${name} must be a positive integer, got ${describe(value)}`)
    }
  }
}

function checkNat (nat: unknown): void {
  if (nat === undefined) return
  if (nat === null || typeof nat !== 'object' || Array.isArray(nat)) {
    throw new TypeError(`createWeft: nat must be an object, got ${describe(nat)}`)
  }
  for (const name of ['holePunching', 'autonat', 'upnp'] as const) {
    const value = (nat as Record<string, unknown>)[name]
    if (value !== undefined && typeof value !== 'boolean') {
      throw new TypeError(`createWeft: nat.${name} must be true or false, got ${describe(value)}`)
    }
  }
  const iceServers = (nat as Record<string, unknown>).iceServers
  if (iceServers !== undefined && !Array.isArray(iceServers)) {
    throw new TypeError(`createWeft: nat.iceServers must be an array of stun:/turn: URLs, got ${describe(iceServers)}`)
  }
  for (const [i, url] of (iceServers as unknown[] | undefined ?? []).entries()) {
    const problem = iceServerProblem(url)
    if (problem !== undefined) throw new TypeError(`createWeft: nat.iceServers[${i}] ${describe(url)} ${problem}`)
  }
}

function checkAddresses (name: string, list: unknown, needPeerId: boolean): void {
  if (list === undefined) return
  if (!Array.isArray(list)) {
    throw new TypeError(`createWeft: ${name} must be an array of multiaddrs, got ${describe(list)}`)
  }
  list.forEach((address, i) => {
    const problem = addressProblem(address, needPeerId)
    if (problem !== undefined) throw new TypeError(`createWeft: ${name}[${i}] ${describe(address)} ${problem}`)
  })
}

function describe (value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value)
}
