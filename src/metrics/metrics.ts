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
  clockSkew: 'weft_clock_skew_total',
  documentsOpen: 'weft_documents_open',
  peersConnected: 'weft_peers_connected'
} as const
