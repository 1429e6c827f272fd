import type { WeftMetrics } from '../types.js'

/**
 * The engine's counters and gauges, kept as plain numbers so the library needs
 * no metrics backend; the daemon maps them to Prometheus at scrape time.
 */
export class Metrics implements WeftMetrics {
  private readonly counterValues = new Map<string, Map<string, number>>()
  private readonly gaugeSources = new Map<string, () => number>()

  inc (name: string, label = '', by = 1): void {
    let byLabel = this.counterValues.get(name)
    if (byLabel === undefined) this.counterValues.set(name, byLabel = new Map())
    byLabel.set(label, (byLabel.get(label) ?? 0) + by)
  }

  /** A gauge is read from its source when asked, never stored stale. */
  gauge (name: string, source: () => number): void {
    this.gaugeSources.set(name, source)
  }

  counter (name: string, label = ''): number {
    return this.counterValues.get(name)?.get(label) ?? 0
  }

  counters (): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {}
    for (const [name, byLabel] of this.counterValues) out[name] = Object.fromEntries(byLabel)
    return out
  }

  gauges (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [name, source] of this.gaugeSources) out[name] = source()
    return out
  }
}

/** Counter names, in one place so the daemon's exporter and the docs agree. */
export const METRIC = {
  envelopesOut: 'weft_envelopes_out_total',
  envelopesIn: 'weft_envelopes_in_total',
  envelopesDuplicate: 'weft_envelopes_duplicate_total',
  dropped: 'weft_dropped_total',
  beaconsOut: 'weft_beacons_out_total',
  beaconsIn: 'weft_beacons_in_total',
  acksOut: 'weft_delivery_acks_out_total',
  acksIn: 'weft_delivery_acks_in_total',
  syncPulls: 'weft_sync_pulls_total',
  syncServed: 'weft_sync_served_total',
  syncBytesIn: 'weft_sync_bytes_in_total',
  syncBytesOut: 'weft_sync_bytes_out_total',
  gossipBytesOut: 'weft_gossip_bytes_out_total',
  gossipBytesIn: 'weft_gossip_bytes_in_total',
  checkpointsWritten: 'weft_checkpoints_written_total',
  dials: 'weft_dials_total',
  dhtProvides: 'weft_dht_provides_total',
  dhtProvidersFound: 'weft_dht_providers_found_total',
  storeErrors: 'weft_store_errors_total',
  presenceDropped: 'weft_presence_dropped_total',
  dhtQueries: 'weft_dht_queries_total',
  connectionsTrimmed: 'weft_connections_trimmed_total',
  headsExchanges: 'weft_heads_exchanges_total',
  clockSkew: 'weft_clock_skew_total',
  peersBanned: 'weft_peers_banned_total',
  documentsOpen: 'weft_documents_open',
  documentsServed: 'weft_documents_served',
  documentsDormant: 'weft_documents_dormant',
  peersConnected: 'weft_peers_connected',
  peersBannedNow: 'weft_peers_banned',
  presenceRelays: 'weft_presence_relays'
} as const

export type MetricName = typeof METRIC[keyof typeof METRIC]

export interface MetricInfo {
  type: 'counter' | 'gauge'
  help: string
  /** The label a counter's non-empty label values are exported under (Prometheus). */
  label?: string
}

/**
 * What each metric means, for exporters: the daemon's `/metrics` registers every one of them at
 * start, so a counter reads 0 (and an alert on it works) before it first moves.
 */
export const METRIC_INFO: Record<MetricName, MetricInfo> = {
  [METRIC.envelopesIn]: { type: 'counter', help: 'Envelopes received from peers and accepted (gossip and sync).' },
  [METRIC.envelopesOut]: { type: 'counter', help: 'Envelopes authored here and published.' },
  [METRIC.envelopesDuplicate]: { type: 'counter', help: 'Envelopes dropped because they were already known.' },
  [METRIC.dropped]: {
    type: 'counter',
    label: 'reason',
    help: 'Messages refused (envelopes, beacons, sync replies), by reason: bad signature, too large, clock drift, ...'
  },
  [METRIC.beaconsOut]: { type: 'counter', help: 'Heads beacons published.' },
  [METRIC.beaconsIn]: { type: 'counter', help: 'Heads beacons received.' },
  [METRIC.acksOut]: {
    type: 'counter', help: 'Delivery acks sent back to authors whose envelopes came from them directly.'
  },
  [METRIC.acksIn]: { type: 'counter', help: 'Delivery acks received from neighbours holding our envelopes.' },
  [METRIC.peersBanned]: {
    type: 'counter',
    label: 'reason',
    help: 'Peers cut off for sending what no honest peer sends, by their most frequent offence.'
  },
  [METRIC.syncPulls]: { type: 'counter', help: 'Version-vector pulls made to peers.' },
  [METRIC.syncServed]: { type: 'counter', help: 'Pull requests served to peers.' },
  [METRIC.syncBytesIn]: { type: 'counter', help: 'Bytes received in sync replies.' },
  [METRIC.syncBytesOut]: { type: 'counter', help: 'Bytes sent in sync replies.' },
  [METRIC.gossipBytesIn]: { type: 'counter', help: 'Gossip message bytes received.' },
  [METRIC.gossipBytesOut]: { type: 'counter', help: 'Gossip message bytes published.' },
  [METRIC.checkpointsWritten]: { type: 'counter', help: 'Checkpoints folded from the envelope log.' },
  [METRIC.dials]: { type: 'counter', label: 'result', help: 'Dials to peers found by discovery, by result.' },
  [METRIC.dhtProvides]: { type: 'counter', label: 'result', help: 'DHT provider records published, by result.' },
  [METRIC.dhtProvidersFound]: { type: 'counter', help: 'Providers found in the DHT.' },
  [METRIC.storeErrors]: { type: 'counter', help: 'Storage errors.' },
  [METRIC.clockSkew]: {
    type: 'counter',
    label: 'direction',
    help: 'Remote clock stamps more than maxClockDriftMs away from ours, by direction (merged, never refused).'
  },
  [METRIC.presenceDropped]: {
    type: 'counter',
    label: 'reason',
    help: 'Presence (awareness) messages refused, by reason.'
  },
  [METRIC.dhtQueries]: { type: 'counter', help: 'DHT provider lookups (walks) started.' },
  [METRIC.connectionsTrimmed]: {
    type: 'counter',
    help: 'Peers disconnected by the connection budget: dialled by us, needed by no document and in no gossipsub mesh.'
  },
  [METRIC.headsExchanges]: {
    type: 'counter',
    label: 'result',
    help: 'Per-neighbour heads digest exchanges, by result (same, or differ: per-document hashes compared).'
  },
  [METRIC.documentsOpen]: { type: 'gauge', help: 'Documents loaded in memory (open handles, or served and active).' },
  [METRIC.documentsServed]: {
    type: 'gauge',
    help: 'Documents served for the network (weft.serve), loaded or dormant.'
  },
  [METRIC.documentsDormant]: {
    type: 'gauge',
    help: 'Served documents unloaded while idle, answering sync from the store.'
  },
  [METRIC.peersConnected]: { type: 'gauge', help: 'Peers with an open connection.' },
  [METRIC.peersBannedNow]: { type: 'gauge', help: 'Peers refused now for misbehaving (see weft_peers_banned_total).' },
  [METRIC.presenceRelays]: { type: 'gauge', help: 'Presence topics relayed for neighbours.' }
}
