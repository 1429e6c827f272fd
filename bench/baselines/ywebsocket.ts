/**
 * Baseline (a): the y-websocket server (`@y/websocket-server`) with Yjs clients (`y-websocket`)
 * over real WebSockets on 127.0.0.1. Server and clients share the benchmark process (like the
 * peers of the other systems), unless a scenario starts the server in a child process.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as Y from 'yjs'
import WebSocket, { WebSocketServer } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { setupWSConnection, docs as serverDocs } from '@y/websocket-server/utils'
import type { BenchPeer, Cluster, ClusterOptions, SystemFactory } from '../systems/types.js'
import { TEXT } from '../systems/types.js'
import { uniqueName } from '../lib/random.js'
import { waitFor, withTimeout } from '../lib/time.js'

export interface YwsServer {
  url: string
  close: () => Promise<void>
}

/** Starts the reference server on an ephemeral loopback port. */
export async function startYwsServer (): Promise<YwsServer> {
  const wss = new WebSocketServer({ noServer: true })
  wss.on('connection', setupWSConnection)
  const server = http.createServer((_req, res) => { res.writeHead(200); res.end('okay') })
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, ws => { wss.emit('connection', ws, req) })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const c of wss.clients) c.terminate()
      await new Promise<void>(resolve => { wss.close(() => { resolve() }) })
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}

/** Drops a room from the server's global doc map (it keeps rooms forever without persistence). */
export function forgetRoom (room: string): void {
  const d = (serverDocs as Map<string, Y.Doc>).get(room)
  if (d !== undefined) {
    d.destroy();
    (serverDocs as Map<string, Y.Doc>).delete(room)
  }
}

/** Bytes moved by one client's WebSocket (message payloads, as the other systems count stream payloads). */
export interface ByteCounter { rx: number, tx: number }

/** A `ws` WebSocket that counts payload bytes; passed to y-websocket as its WebSocketPolyfill. */
export function countingWebSocket (counter: ByteCounter): typeof WebSocket {
  return class CountingWebSocket extends WebSocket {
    constructor (address: string | URL, protocols?: string | string[]) {
      super(address, protocols)
      this.on('message', (data: WebSocket.RawData) => {
        counter.rx += Array.isArray(data) ? data.reduce((a, b) => a + b.byteLength, 0) : data.byteLength
      })
    }

    override send (data: any, options?: any, cb?: any): void {
      counter.tx += typeof data === 'string' ? Buffer.byteLength(data) : (data.byteLength as number)
      super.send(data, options, cb)
    }
  } as unknown as typeof WebSocket
}

export interface YwsClient extends BenchPeer {
  provider: WebsocketProvider
  bytes: ByteCounter
}

export function connectClient (url: string, room: string, doc = new Y.Doc()): YwsClient {
  const bytes: ByteCounter = { rx: 0, tx: 0 }
  const provider = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: countingWebSocket(bytes) as any,
    disableBc: true
  })
  return { doc, text: doc.getText(TEXT), provider, bytes, connections: () => (provider.wsconnected ? 1 : 0) }
}

export async function whenClientSynced (c: YwsClient, ms: number): Promise<void> {
  await waitFor(() => c.provider.synced, ms, 'y-websocket client sync', 5)
}

export const ywebsocket: SystemFactory = {
  name: 'y-websocket',
  supports: () => true,
  async createCluster (opts: ClusterOptions): Promise<Cluster> {
    const server = await startYwsServer()
    const room = uniqueName('bench')
    const clients: YwsClient[] = []
    const stop = async (): Promise<void> => {
      for (const c of clients) { c.provider.destroy(); c.doc.destroy() }
      await server.close()
      forgetRoom(room)
    }
    try {
      for (let i = 0; i < opts.n; i++) clients.push(connectClient(server.url, room))
      await withTimeout(Promise.all(clients.map(async c => { await whenClientSynced(c, opts.timeoutMs) })),
        opts.timeoutMs, `y-websocket: ${opts.n} clients syncing`)
    } catch (err) {
      await stop()
      throw err
    }
    return {
      system: 'y-websocket',
      transport: 'tcp',
      peers: clients,
      bytesReceived: () => clients.reduce((a, c) => a + c.bytes.rx + c.bytes.tx, 0),
      topology: `star: ${opts.n} clients -> 1 server (same process), TCP loopback`,
      stop
    }
  }
}
