/**
 * Prometheus metrics for the daemon, on one private prom-client registry:
 *
 * - libp2p's own metrics (connections, streams, data transfer, DHT, gossipsub)
 *   through `@libp2p/prometheus-metrics`, plus the process defaults (CPU,
 *   memory, event loop lag, file descriptors);
 * - weft's engine counters and gauges (`weft.metrics.counters()/gauges()`),
 *   read at scrape time and exported with a `reason` or `kind` label; every known one is
 *   registered from the start and reads 0 until it moves (an alert on it sees 0, not "no data");
 * - the daemon's own: pinned documents, admin requests, start-up time.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Counter, Gauge, Registry, type Metric } from 'prom-client'
import { METRIC_INFO, type MetricInfo } from '../metrics/metrics.js'

/** A source of engine metrics: the `WeftMetrics` interface of the library. */
export interface MetricsSource {
  counters (): Record<string, Record<string, number>>
  gauges (): Record<string, number>
}

/** Help texts, types and label names of the metrics we know of; names the engine adds later are exported too. */
export const KNOWN_ENGINE_METRICS: Record<string, MetricInfo> = {
  ...METRIC_INFO,
  weft_daemon_pinned_documents: { type: 'gauge', help: 'Documents pinned by the daemon.' }
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
    for (const [name, info] of Object.entries(KNOWN_ENGINE_METRICS)) {
      if (info.type === 'counter') this.ensureCounter(name)
      else this.ensureGauge(name)
    }
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
    const label = known?.label ?? 'kind'
    if (!LABEL_RE.test(label)) return
    const self = this
    const counter = new Counter({
      name,
      help: known?.help ?? `weft engine counter ${name}`,
      labelNames: [label],
      registers: [this.registry],
      collect () {
        this.reset()
        const values = Object.entries(self.counterSnapshot[name] ?? {}).filter(([, n]) => Number.isFinite(n) && n >= 0)
        // A counter that never moved is still a sample: 0, so that rate() and alerts on it have data.
        if (values.length === 0) this.inc(0)
        for (const [value, n] of values) {
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
        this.set(typeof v === 'number' && Number.isFinite(v) ? v : 0)
      }
    })
    this.dynamic.set(name, gauge)
  }
}
