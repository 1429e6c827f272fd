/**
 * Prometheus metrics for the daemon, on one private prom-client registry:
 *
 * - libp2p's own metrics (connections, streams, data transfer, DHT, gossipsub)
 *   through `@libp2p/prometheus-metrics`, plus the process defaults (CPU,
 *   memory, event loop lag, file descriptors);
 * - weft's engine counters and gauges (`weft.metrics.counters()/gauges()`),
 *   read at scrape time and exported with a `reason` or `kind` label;
 * - the daemon's own: pinned documents, admin requests, start-up time.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Counter, Gauge, Registry, type Metric } from 'prom-client'
import { METRIC } from '../index.js'

/** A source of engine metrics: the `WeftMetrics` interface of the library. */
export interface MetricsSource {
  counters (): Record<string, Record<string, number>>
  gauges (): Record<string, number>
}

interface Known {
  help: string
  /** Label used for non-empty label values. */
  label?: string
}

/** Help texts and label names for the engine metrics we know of; names the engine adds later are exported too. */
export const KNOWN_ENGINE_METRICS: Record<string, Known> = {
  [METRIC.envelopesIn]: { help: 'Envelopes received from peers and accepted (gossip and sync).', label: 'kind' },
  [METRIC.envelopesOut]: { help: 'Envelopes authored here and published.', label: 'kind' },
  [METRIC.envelopesDuplicate]: { help: 'Envelopes dropped because they were already known.', label: 'kind' },
  [METRIC.dropped]: { help: 'Messages refused (envelopes, beacons, sync replies), by reason: bad signature, too large, clock drift, ...', label: 'reason' },
  [METRIC.beaconsOut]: { help: 'Heads beacons published.', label: 'kind' },
  [METRIC.beaconsIn]: { help: 'Heads beacons received.', label: 'kind' },
  [METRIC.syncPulls]: { help: 'Version-vector pulls made to peers.', label: 'kind' },
  [METRIC.syncServed]: { help: 'Pull requests served to peers.', label: 'kind' },
  [METRIC.syncBytesIn]: { help: 'Bytes received in sync replies.', label: 'kind' },
  [METRIC.syncBytesOut]: { help: 'Bytes sent in sync replies.', label: 'kind' },
  [METRIC.gossipBytesIn]: { help: 'Gossip message bytes received.', label: 'kind' },
  [METRIC.gossipBytesOut]: { help: 'Gossip message bytes published.', label: 'kind' },
  [METRIC.checkpointsWritten]: { help: 'Checkpoints folded from the envelope log.', label: 'kind' },
  [METRIC.dials]: { help: 'Dials to peers found by discovery, by result.', label: 'result' },
  [METRIC.dhtProvides]: { help: 'DHT provider records published, by result.', label: 'result' },
  [METRIC.dhtProvidersFound]: { help: 'Providers found in the DHT.', label: 'kind' },
  [METRIC.storeErrors]: { help: 'Storage errors.', label: 'kind' },
  [METRIC.clockSkew]: { help: 'Remote clock stamps more than maxClockDriftMs away from ours, by direction.', label: 'direction' },
  [METRIC.documentsOpen]: { help: 'Documents open in the engine.' },
  [METRIC.peersConnected]: { help: 'Peers with an open connection.' },
  weft_daemon_pinned_documents: { help: 'Documents pinned by the daemon.' }
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/

export class DaemonMetrics {
  readonly registry = new Registry()
  private source: MetricsSource | undefined
  private extraGauges: () => Record<string, number> = () => ({})
  private counterSnapshot: Record<string, Record<string, number>> = {}
  private gaugeSnapshot: Record<string, number> = {}
  private readonly dynamic = new Map<string, Metric>()
  readonly adminRequests: Counter<'route' | 'code'>
  readonly readySeconds: Gauge

  constructor () {
    this.adminRequests = new Counter({
      name: 'weft_daemon_admin_requests_total',
      help: 'Admin API requests, by route and HTTP status.',
      labelNames: ['route', 'code'],
      registers: [this.registry]
    })
    this.readySeconds = new Gauge({
      name: 'weft_daemon_startup_seconds',
      help: 'Seconds from process start until the daemon was ready.',
      registers: [this.registry]
    })
  }

  /** The `libp2pMetrics` option for `createWeft`: libp2p's metrics and the process defaults on our registry. */
  libp2pMetrics (): (components: any) => any {
    return prometheusMetrics({ registry: this.registry, collectDefaultMetrics: true })
  }

  /**
   * Attaches the engine's metrics. `extraGauges` adds daemon-level gauges
   * (pinned documents, and documents open / peers connected when the engine
   * does not report them itself).
   */
  attach (source: MetricsSource, extraGauges?: () => Record<string, number>): void {
    this.source = source
    if (extraGauges != null) this.extraGauges = extraGauges
  }

  /** Renders the Prometheus text exposition. */
  async render (): Promise<{ contentType: string, body: string }> {
    this.snapshot()
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }

  /** Reads the engine once per scrape and registers metrics for names seen for the first time. */
  private snapshot (): void {
    let counters: Record<string, Record<string, number>> = {}
    let gauges: Record<string, number> = {}
    try {
      counters = this.source?.counters() ?? {}
      gauges = { ...(this.source?.gauges() ?? {}) }
    } catch {
      // An engine that throws while stopping must not break the scrape.
    }
    for (const [name, value] of Object.entries(this.extraGauges())) {
      if (gauges[name] === undefined) gauges[name] = value
    }
    this.counterSnapshot = counters
    this.gaugeSnapshot = gauges
    for (const name of Object.keys(counters)) this.ensureCounter(name)
    for (const name of Object.keys(gauges)) this.ensureGauge(name)
  }

  private ensureCounter (name: string): void {
    if (this.dynamic.has(name) || !NAME_RE.test(name) || this.registry.getSingleMetric(name) != null) return
    const known = KNOWN_ENGINE_METRICS[name]
    const label = known?.label ?? (name.includes('reject') ? 'reason' : 'kind')
    if (!LABEL_RE.test(label)) return
    const self = this
    const counter = new Counter({
      name,
      help: known?.help ?? `weft engine counter ${name}`,
      labelNames: [label],
      registers: [this.registry],
      collect () {
        this.reset()
        for (const [value, n] of Object.entries(self.counterSnapshot[name] ?? {})) {
          if (!Number.isFinite(n) || n < 0) continue
          if (value === '') this.inc(n)
          else this.inc({ [label]: value }, n)
        }
      }
    })
    this.dynamic.set(name, counter)
  }

  private ensureGauge (name: string): void {
    if (this.dynamic.has(name) || !NAME_RE.test(name) || this.registry.getSingleMetric(name) != null) return
    const self = this
    const gauge = new Gauge({
      name,
      help: KNOWN_ENGINE_METRICS[name]?.help ?? `weft gauge ${name}`,
      registers: [this.registry],
      collect () {
        const v = self.gaugeSnapshot[name]
        if (typeof v === 'number' && Number.isFinite(v)) this.set(v)
      }
    })
    this.dynamic.set(name, gauge)
  }
}
