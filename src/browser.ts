/**
 * weft for browsers: the same engine and provider as the Node entry, on the
 * browser platform (WebSockets transport, IndexedDB or in-memory storage, no
 * mDNS). Bundle it with any ESM bundler (`npm run build:browser` makes
 * `dist/browser/weft.js`).
 *
 * ```ts
 * import { createWeft, WeftProvider } from 'weft-sync/browser'
 * const weft = await createWeft({
 *   bootstrap: ['/dns4/sync.example.com/tcp/443/wss/p2p/12D3Koo...'],
 *   dataDir: 'my-app'
 * })
 * const provider = new WeftProvider(docId, ydoc, { weft })
 * ```
 */
import { createEngine } from './engine.js'
import { browserPlatform } from './platform/browser.js'
import type { Weft, WeftOptions } from './types.js'

/**
 * Starts a weft peer in the browser. Differences from Node defaults: `listen`
 * defaults to none (a browser cannot accept connections), the DHT to client
 * mode (nobody can dial a browser to ask it), and mDNS is unavailable.
 * `dataDir` names the IndexedDB database; omitted, nothing is persisted.
 */
export async function createWeft (options: WeftOptions = {}): Promise<Weft> {
  return await createEngine({
    ...options,
    listen: options.listen ?? [],
    mdns: false,
    dht: { ...options.dht, mode: options.dht?.mode ?? 'client' }
  }, browserPlatform)
}

export * from './api.js'
