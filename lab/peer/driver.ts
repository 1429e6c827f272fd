/**
 * A lab peer: one weft instance on the public API (`createWeft`), run inside a
 * lab namespace, driven by JSON lines on stdin. Started by PeerProcess.
 */
import { readdirSync } from 'node:fs'
import { createInterface } from 'node:readline'
import * as Y from 'yjs'
import { createWeft, REMOTE_ORIGIN, type DocHandle } from '../../src/index.js'
import type { DocState, DriverConfig, DriverEvent, Request, Response, Stats } from './protocol.js'

const send = (message: Response | DriverEvent): void => { process.stdout.write(JSON.stringify(message) + '\n') }

process.on('uncaughtException', err => {
  send({ event: 'fatal', error: String(err?.stack ?? err) })
  process.exit(70)
})
process.on('unhandledRejection', err => {
  send({ event: 'fatal', error: `unhandled rejection: ${String((err as Error)?.stack ?? err)}` })
  process.exit(70)
})

const config = JSON.parse(process.argv[2]) as DriverConfig
const skewSeen = new Set<string>()
const weft = await createWeft({
  dataDir: config.dataDir,
  listen: config.listen,
  bootstrap: config.bootstrap,
  mdns: config.mdns,
  beaconIntervalMs: config.beaconIntervalMs,
  discoveryIntervalMs: config.discoveryIntervalMs,
  relay: config.relay,
  nat: config.nat,
  onClockSkew: e => {
    // One event per direction is enough for the controller; the engine counts them all.
    if (skewSeen.has(e.direction)) return
    skewSeen.add(e.direction)
    send({ event: 'skew', direction: e.direction, offsetMs: e.offsetMs })
  }
})
send({ event: 'ready', peerId: weft.peerId, multiaddrs: weft.multiaddrs })

const handles = new Map<string, DocHandle>()
const handle = (doc: string): DocHandle => {
  const h = handles.get(doc)
  if (h === undefined) throw new Error(`document ${doc} is not open`)
  return h
}

function state (h: DocHandle): DocState {
  const sv: Record<string, number> = {}
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(h.doc))) sv[String(client)] = clock
  const text = h.doc.getText('text').toString()
  return { sv, text, map: h.doc.getMap('map').toJSON(), vv: h.versionVector, unconfirmed: h.unconfirmed }
}

function stats (): Stats {
  // With --expose-gc (the lab passes it) heap figures are taken after a full collection.
  (globalThis as { gc?: () => void }).gc?.()
  const memory = process.memoryUsage()
  return {
    rssMB: memory.rss / 2 ** 20,
    heapMB: memory.heapUsed / 2 ** 20,
    fds: readdirSync('/proc/self/fd').length,
    resources: process.getActiveResourcesInfo().length,
    connections: weft.libp2p.getConnections().length,
    openDocs: weft.openDocuments().length,
    counters: weft.metrics.counters()
  }
}

async function serve (req: Request): Promise<unknown> {
  switch (req.cmd) {
    case 'open':
      handles.set(req.doc, await weft.open(req.doc))
      return
    case 'close':
      await handles.get(req.doc)?.close()
      handles.delete(req.doc)
      return
    case 'edit': {
      const h = handle(req.doc)
      // Sabotage (checker self-test): the edit is applied as if it came from a peer, so weft
      // never seals, stores or sends it, yet the driver acknowledges it.
      h.doc.transact(() => {
        if (req.kind === 'text') {
          const text = h.doc.getText('text')
          // At either end an insert never splits another one, so every token stays a substring.
          text.insert(req.atStart ? 0 : text.length, req.token)
        } else {
          h.doc.getMap('map').set(req.token, req.token)
        }
      }, req.sabotage === true ? REMOTE_ORIGIN : undefined)
      const client = h.doc.clientID
      const clock = Y.getState(h.doc.store, client)
      await h.flush()
      return { client, clock }
    }
    case 'state':
      return state(handle(req.doc))
    case 'stats':
      return stats()
    case 'connections':
      return weft.libp2p.getConnections().filter(c => c.status === 'open').map(c => ({
        peer: c.remotePeer.toString(),
        remoteAddr: c.remoteAddr.toString(),
        limited: c.limits != null,
        direction: c.direction
      }))
    case 'addresses':
      return weft.multiaddrs
    case 'stop':
      await weft.stop()
      send({ id: req.id, ok: true })
      process.exit(0)
  }
}

const lines = createInterface({ input: process.stdin })
lines.on('line', line => {
  const req = JSON.parse(line) as Request
  serve(req).then(
    result => { send({ id: req.id, ok: true, result }) },
    (err: any) => { send({ id: req.id, ok: false, error: String(err?.message ?? err) }) }
  )
})
// The controller went away: stop cleanly rather than linger in a namespace.
lines.on('close', () => { void weft.stop().finally(() => process.exit(0)) })
