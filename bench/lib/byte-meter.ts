/**
 * A minimal libp2p `Metrics` implementation that only counts bytes: per negotiated protocol (stream
 * payloads) and on the raw connections ('wire': noise + yamux framing included). Everything else
 * libp2p registers is a no-op. Pass `byteMeter.factory` as weft's `libp2pMetrics` option.
 */
import type { Metrics, MultiaddrConnection, Stream } from '@libp2p/interface'

export interface ByteCounts { rx: number, tx: number }

const noop = (): void => {}
const noopMetric = {
  update: noop,
  increment: noop,
  decrement: noop,
  reset: noop,
  observe: noop,
  timer: () => noop
}

export class ByteMeter {
  readonly byProtocol = new Map<string, ByteCounts>()
  readonly wire: ByteCounts = { rx: 0, tx: 0 }

  private bucket (name: string): ByteCounts {
    let b = this.byProtocol.get(name)
    if (b === undefined) { b = { rx: 0, tx: 0 }; this.byProtocol.set(name, b) }
    return b
  }

  private track (stream: any, counts: () => ByteCounts): void {
    // wrap dispatchEvent rather than adding a 'message' listener (a listener changes flow control)
    const dispatch = stream.dispatchEvent.bind(stream)
    stream.dispatchEvent = (evt: any) => {
      if (evt.type === 'message') counts().rx += evt.data.byteLength as number
      return dispatch(evt)
    }
    const send = stream.send.bind(stream)
    stream.send = (buf: any) => {
      counts().tx += buf.byteLength as number
      return send(buf)
    }
  }

  reset (): void {
    this.byProtocol.clear()
    this.wire.rx = 0
    this.wire.tx = 0
  }

  snapshot (): { wire: ByteCounts, protocols: Record<string, ByteCounts> } {
    return {
      wire: { ...this.wire },
      protocols: Object.fromEntries([...this.byProtocol].map(([k, v]) => [k, { ...v }]))
    }
  }

  /** A libp2p metrics factory bound to this meter. */
  readonly factory = (): Metrics => {
    const m = {
      trackMultiaddrConnection: (maConn: MultiaddrConnection) => { this.track(maConn, () => this.wire) },
      trackProtocolStream: (stream: Stream) => {
        const name = stream.protocol
        if (name == null) return
        this.track(stream, () => this.bucket(name))
      },
      registerMetric: () => noopMetric,
      registerMetricGroup: () => noopMetric,
      registerCounter: () => noopMetric,
      registerCounterGroup: () => noopMetric,
      registerHistogram: () => noopMetric,
      registerHistogramGroup: () => noopMetric,
      registerSummary: () => noopMetric,
      registerSummaryGroup: () => noopMetric,
      traceFunction: (_name: string, fn: any) => fn,
      createTrace: () => undefined
    }
    return m as unknown as Metrics
  }
}
