/**
 * Scenario: DHT rendezvous. A network of P weft peers (TCP loopback, each bootstrapped from peer 0)
 * fills its Kademlia routing tables; the last peer creates a document and provides it. A newcomer that
 * knows one bootstrap address (a peer that does not hold the document) opens the document by id.
 * Timed from the newcomer's createWeft(): first provider record found (weft_dht_providers_found_total),
 * first replicating peer (handle.peers), and synced (whenSynced).
 */
import type { Weft } from '../../src/types.js'
import { loadWeft, weftOptions } from '../systems/weft.js'
import { summarize, type Summary } from '../lib/stats.js'
import { waitFor, withTimeout, sleep } from '../lib/time.js'
import { log, errMsg } from '../lib/log.js'
import type { ScenarioContext, SkipNote } from './context.js'

export interface DhtTrial {
  bootstrapPeer: number
  startNodeMs: number
  /** From createWeft() until the first provider record came back. */
  providersFoundMs: number | null
  /** From createWeft() until the handle lists a replicating peer. */
  firstPeerMs: number | null
  /** From createWeft() until whenSynced resolved. */
  syncedMs: number | null
  /** Connections the newcomer had when open() was called, and from createWeft() until its first one, ms. */
  connectionsAtOpen?: number
  firstConnectionMs?: number | null
  /** The newcomer's DHT queries (weft_dht_queries_total) by the end of the trial. */
  dhtQueries?: number
  /**
   * At the end of the trial: the newcomer's routing-table size and connections, and the bootstrap
   * peer's routing-table size (a newcomer that never found a holder, seen once in 25 full runs,
   * left nothing else to go on).
   */
  routingTableAtEnd?: number
  connectionsAtEnd?: number
  bootstrapRoutingTable?: number
}

export interface DhtRow {
  peers: number
  networkSetupMs: number
  routingTableMin: number
  routingTableMean: number
  provideMs: number
  trials: DhtTrial[]
  /** Newcomers that found a holder of the document and synced within the 30 s bound. */
  succeeded: number
  /** DHT provider record found (weft_dht_providers_found_total). */
  providersFound: Summary
  /**
   * A holder of the document known: the first of a provider record and a replicating peer (the
   * engine skips the DHT walk when a neighbour already holds the document).
   */
  holderFound: Summary
  synced: Summary
}

/** The first of: provider record found, replicating peer listed. */
export const holder = (t: DhtTrial): number | null => {
  const known = [t.providersFoundMs, t.firstPeerMs].filter((x): x is number => x !== null)
  return known.length === 0 ? null : Math.min(...known)
}

const counter = (w: Weft, name: string): number =>
  Object.values(w.metrics.counters()[name] ?? {}).reduce((a, b) => a + b, 0)

const routingTableSize = (w: Weft): number =>
  ((w.libp2p.services as any).dht?.routingTable?.size as number | undefined) ?? 0

export async function runDht (
  ctx: ScenarioContext,
  peers: number,
  trials: number
): Promise<{ row?: DhtRow, skipped: SkipNote[] }> {
  if (!ctx.systems.includes('weft')) return { skipped: [] }
  const net: Weft[] = []
  try {
    return await withTimeout((async () => {
      const createWeft = await loadWeft()
      log(`dht: starting ${peers} weft peers`)
      const t0 = performance.now()
      const first = await createWeft(weftOptions('tcp'))
      net.push(first)
      for (let i = 1; i < peers; i += 5) {
        const batch = await Promise.all(Array.from({ length: Math.min(5, peers - i) }, async () =>
          await createWeft(weftOptions('tcp', { bootstrap: [first.multiaddrs[0]] }))))
        net.push(...batch)
      }
      const want = Math.min(peers - 1, 10)
      const mean = (): number => net.reduce((a, w) => a + routingTableSize(w), 0) / net.length
      await waitFor(
        () => mean() >= want && net.every(w => routingTableSize(w) >= 3),
        30_000,
        `routing tables reaching ${want} entries on average`,
        100
      )
        .catch(err => { log(`dht: ${errMsg(err)}; continuing`) })
      const networkSetupMs = performance.now() - t0
      const sizes = net.map(routingTableSize)
      const provider = net[net.length - 1]
      const tp = performance.now()
      const h = await provider.create()
      h.doc.getText('bench').insert(0, 'found me')
      await waitFor(
        () => (provider.metrics.counters().weft_dht_provides_total?.ok ?? 0) >= 1,
        30_000,
        'provider record stored',
        10
      )
      const provideMs = performance.now() - tp
      log(`dht: network up in ${(networkSetupMs / 1000).toFixed(1)} s, ` +
        `routing tables ${Math.min(...sizes)}..${Math.max(...sizes)}, provided in ${provideMs.toFixed(0)} ms`)
      const results: DhtTrial[] = []
      for (let t = 0; t < trials; t++) {
        const bootstrapPeer = 1 + Math.floor((t + 1) * (peers - 2) / (trials + 1))
        const s0 = performance.now()
        const newcomer = await createWeft(weftOptions('tcp', { bootstrap: [net[bootstrapPeer].multiaddrs[0]] }))
        const startNodeMs = performance.now() - s0
        const trial: DhtTrial = {
          bootstrapPeer,
          startNodeMs,
          providersFoundMs: null,
          firstPeerMs: null,
          syncedMs: null,
          connectionsAtOpen: newcomer.connectedPeers().length,
          firstConnectionMs: null
        }
        const connected = (): void => {
          if (trial.firstConnectionMs !== null || newcomer.connectedPeers().length === 0) return
          trial.firstConnectionMs = performance.now() - s0
        }
        connected()
        newcomer.on('connections', connected)
        try {
          const nh = await newcomer.open(h.id)
          // Handled at once: this can time out while the wait below still runs (an unhandled
          // rejection then ended a whole bench run).
          const synced = nh.whenSynced({ signal: AbortSignal.timeout(30_000) })
            .then(
              () => { trial.syncedMs = performance.now() - s0 },
              err => { log(`dht trial ${t}: whenSynced: ${errMsg(err)}`) })
          await waitFor(() => {
            if (trial.providersFoundMs === null && counter(newcomer, 'weft_dht_providers_found_total') > 0) {
              trial.providersFoundMs = performance.now() - s0
            }
            if (trial.firstPeerMs === null && nh.peers.length > 0) trial.firstPeerMs = performance.now() - s0
            return trial.providersFoundMs !== null && trial.firstPeerMs !== null
          }, 30_000, 'newcomer finding the provider', 1).catch(err => { log(`dht trial ${t}: ${errMsg(err)}`) })
          await synced
        } finally {
          trial.dhtQueries = counter(newcomer, 'weft_dht_queries_total')
          trial.routingTableAtEnd = routingTableSize(newcomer)
          trial.connectionsAtEnd = newcomer.connectedPeers().length
          trial.bootstrapRoutingTable = routingTableSize(net[bootstrapPeer])
          if (trial.syncedMs === null) {
            log(`dht trial ${t}: not synced; newcomer routing table ${trial.routingTableAtEnd}, ` +
              `connections ${trial.connectionsAtEnd}, DHT queries ${trial.dhtQueries}; ` +
              `bootstrap peer ${bootstrapPeer}'s routing table ${trial.bootstrapRoutingTable}`)
          }
          newcomer.off('connections', connected)
          await newcomer.stop()
        }
        results.push(trial)
        log(`dht trial ${t}: providers found ${trial.providersFoundMs?.toFixed(0) ?? 'never'} ms, ` +
          `first peer ${trial.firstPeerMs?.toFixed(0) ?? 'never'} ms, ` +
          `synced ${trial.syncedMs?.toFixed(0) ?? 'never'} ms`)
        await sleep(200)
      }
      const row: DhtRow = {
        peers,
        networkSetupMs,
        routingTableMin: Math.min(...sizes),
        routingTableMean: sizes.reduce((a, b) => a + b, 0) / sizes.length,
        provideMs,
        trials: results,
        succeeded: results.filter(r => holder(r) !== null && r.syncedMs !== null).length,
        providersFound: summarize(results.map(r => r.providersFoundMs ?? Number.POSITIVE_INFINITY)),
        holderFound: summarize(results.map(r => holder(r) ?? Number.POSITIVE_INFINITY)),
        synced: summarize(results.map(r => r.syncedMs ?? Number.POSITIVE_INFINITY))
      }
      return { row, skipped: [] }
    })(), ctx.quick ? 45_000 : 120_000 + peers * 1_000, `dht scenario (${peers} peers)`)
  } catch (err) {
    log(`dht: failed: ${errMsg(err)}`)
    return { skipped: [{ scenario: 'dht', system: 'weft', n: peers, reason: errMsg(err) }] }
  } finally {
    await Promise.allSettled(net.map(async w => { await w.stop() }))
  }
}
