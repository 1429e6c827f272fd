import { logger } from '@libp2p/logger'
import type { ClockSkewEvent } from './hlc.js'

const log = logger('weft:clock')

/** What the engine does with a clock skew the HLC reports. */
export interface SkewSinks {
  /** Counts every skewed stamp (the engine's metrics). */
  count: (direction: ClockSkewEvent['direction']) => void
  /** The app's listener (`WeftOptions.onClockSkew`), called for every skewed stamp. */
  listener?: (event: ClockSkewEvent) => void
  /** One line per direction for the life of the process. Default `console.warn`. */
  warn?: (line: string) => void
}

/** Explains a skew in one line, from this peer's point of view. */
export function describeSkew (event: ClockSkewEvent): string {
  const minutes = (Math.abs(event.offsetMs) / 60_000).toFixed(1)
  return event.direction === 'ahead'
    ? `weft: a peer's clock stamps are ${minutes} min ahead of this machine's clock (max drift ` +
      `${event.maxDriftMs} ms): its edits are merged, but this clock does not follow it. ` +
      'Either that peer\'s clock is fast or this one is slow.'
    : `weft: a peer's clock stamps are ${minutes} min behind this machine's clock (max drift ` +
      `${event.maxDriftMs} ms): edits still merge both ways, but peers do not follow this clock ` +
      'if it is the one running ahead. Check this machine\'s time.'
}

/** An HLC `onSkew` callback: counts, tells the app, and logs once per direction. */
export function skewReporter (sinks: SkewSinks): (event: ClockSkewEvent) => void {
  const warned = new Set<string>()
  const warn = sinks.warn ?? ((line: string) => { console.warn(line) })
  return event => {
    sinks.count(event.direction)
    log('clock skew %s %d ms', event.direction, event.offsetMs)
    if (!warned.has(event.direction)) {
      warned.add(event.direction)
      warn(describeSkew(event))
    }
    try {
      sinks.listener?.(event)
    } catch (err) {
      log.error('onClockSkew listener threw: %e', err)
    }
  }
}
