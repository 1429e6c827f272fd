import type { AbstractLevel } from 'abstract-level'
import type { TlsOptions } from '../types.js'

/** The level database the store runs on: string keys, byte values. */
export type LevelDb = AbstractLevel<any, string, Uint8Array>

/**
 * What differs between Node and the browser. The engine never imports a
 * platform-specific module itself; `src/index.ts` (Node) and `src/browser.ts`
 * (browser) each hand it one of these.
 */
export interface Platform {
  readonly name: 'node' | 'browser'
  /** A level database in `dataDir`, or in memory when it is undefined. */
  openLevel (dataDir: string | undefined): Promise<LevelDb>
  /** libp2p transports able to listen on / dial the given addresses (some load on demand). */
  transports (listen: string[], nat?: { iceServers?: string[] }, tls?: TlsOptions):
  Array<(components: any) => any> | Promise<Array<(components: any) => any>>
  /** LAN discovery, when the platform has it. */
  mdns?: () => (components: any) => any
  /**
   * Port forwarding by UPnP IGD, when the platform has it. `trustRouterAddress`: announce the mapped
   * address at once (the router that performs the NAT reported it), rather than after AutoNAT confirms it.
   */
  upnp?: (init: { trustRouterAddress: boolean }) => (components: any) => any
  /** ed25519 over raw 32-byte keys. */
  ed25519: Ed25519
}

export interface Ed25519 {
  sign (seed: Uint8Array, publicKey: Uint8Array, data: Uint8Array): Uint8Array
  verify (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean
}
