/**
 * Graceful shutdown on SIGINT/SIGTERM: the first signal starts `stop()` and
 * exits 0 when it resolves (1 when it fails, or when it takes longer than
 * `timeoutMs`); a second signal exits at once (130 for SIGINT, 143 for SIGTERM).
 * A signal that arrives while the daemon is still starting is acted on as soon
 * as `setStop()` is called.
 */
import type { Logger } from './log.js'

export interface ShutdownOptions {
  log: Logger
  timeoutMs: number
  exit?: (code: number) => void
  /** Where signals come from (tests pass an EventEmitter). Default: `process`. */
  source?: { on: (event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) => unknown }
}

export interface ShutdownControl {
  /** Registers the stop function once the daemon has started. */
  setStop: (stop: () => Promise<void>) => void
  /** Starts a shutdown as if `signal` had been received. */
  trigger: (signal: NodeJS.Signals, exitCode?: number) => void
}

export function installShutdown (options: ShutdownOptions): ShutdownControl {
  const { log, timeoutMs } = options
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const source = options.source ?? process
  let stop: (() => Promise<void>) | undefined
  let signalled = false
  let started = false
  let exitCode = 0

  const run = (): void => {
    if (started || stop == null) return
    started = true
    const t0 = Date.now()
    stop().then(() => {
      log.info('stopped', { ms: Date.now() - t0 })
      exit(exitCode)
    }, (err) => {
      log.error('shutdown failed', { err })
      exit(1)
    })
  }

  const trigger = (signal: NodeJS.Signals, code = 0): void => {
    if (signalled) {
      log.warn('second signal: exiting now', { signal })
      exit(signal === 'SIGINT' ? 130 : 143)
      return
    }
    signalled = true
    exitCode = code
    log.info('shutting down', { signal, timeoutMs })
    const timer = setTimeout(() => {
      log.error('shutdown took too long: exiting anyway', { timeoutMs })
      exit(1)
    }, timeoutMs)
    timer.unref()
    run()
  }

  source.on('SIGINT', () => { trigger('SIGINT') })
  source.on('SIGTERM', () => { trigger('SIGTERM') })

  return {
    setStop: (fn) => {
      stop = fn
      if (signalled) run()
    },
    trigger
  }
}
