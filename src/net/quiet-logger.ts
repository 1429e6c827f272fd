import { defaultLogger, enabled } from '@libp2p/logger'
import type { ComponentLogger, Logger } from '@libp2p/interface'

const noop = (): void => {}

/**
 * libp2p asks for a logger for every stream and connection it opens (yamux, multistream-select,
 * the connection itself), and @libp2p/logger builds several `weald` loggers each time, each of
 * which asks `isatty()` whether to use colours: ~7 % of the CPU of opening and closing a stream,
 * profiled over 500 streams between two peers in one process. A name that `DEBUG` does not enable
 * (nor its `:error` or `:trace` side) gets a logger that does nothing instead; an enabled one
 * gets @libp2p/logger's own, so `DEBUG=libp2p:*` works as documented.
 */
export function quietLogger (): ComponentLogger {
  const loud = defaultLogger()
  return {
    forComponent (name: string): Logger {
      if (isEnabled(name)) return loud.forComponent(name)
      return Object.assign(noop.bind(null), {
        error: noop,
        trace: noop,
        enabled: false,
        newScope: (scope: string): Logger => this.forComponent(`${name}:${scope}`)
      })
    }
  }
}

function isEnabled (name: string): boolean {
  return enabled(name) || enabled(`${name}:error`) || enabled(`${name}:trace`)
}
