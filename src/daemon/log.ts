/**
 * The daemon's logger: one line per event, human-readable by default or JSON
 * lines (`--log-format json`) for log shippers. Levels filter what is written.
 *
 * Everything goes to one stream (stdout by default) so that the order of
 * events is preserved under systemd/journald, Docker and `| jq`.
 */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const
export type LogLevel = typeof LOG_LEVELS[number]
export const LOG_FORMATS = ['human', 'json'] as const
export type LogFormat = typeof LOG_FORMATS[number]

export type LogFields = Record<string, unknown>

export interface Logger {
  error (msg: string, fields?: LogFields): void
  warn (msg: string, fields?: LogFields): void
  info (msg: string, fields?: LogFields): void
  debug (msg: string, fields?: LogFields): void
  /** Whether `level` would be written. */
  enabled (level: LogLevel): boolean
}

export interface LoggerOptions {
  level?: LogLevel
  format?: LogFormat
  /** Where lines go. Default: `process.stdout.write`. */
  write?: (line: string) => void
  /** Clock, injectable for tests. */
  now?: () => Date
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 }

export function createLogger (options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info']
  const format = options.format ?? 'human'
  const write = options.write ?? ((line: string) => { process.stdout.write(line) })
  const now = options.now ?? (() => new Date())

  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[level] > threshold) return
    const time = now().toISOString()
    let line: string
    if (format === 'json') {
      line = safeStringify({ time, level, msg, ...normalizeFields(fields) })
    } else {
      line = `${time} ${level.toUpperCase().padEnd(5)} ${msg}${humanFields(fields)}`
    }
    try {
      write(line + '\n')
    } catch {
      // A closed stdout (EPIPE) must not take the daemon down.
    }
  }

  return {
    error: (msg, fields) => { emit('error', msg, fields) },
    warn: (msg, fields) => { emit('warn', msg, fields) },
    info: (msg, fields) => { emit('info', msg, fields) },
    debug: (msg, fields) => { emit('debug', msg, fields) },
    enabled: (level) => RANK[level] <= threshold
  }
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = {
  error () {}, warn () {}, info () {}, debug () {}, enabled: () => false
}

function normalizeFields (fields: LogFields | undefined): LogFields {
  if (fields == null) return {}
  const out: LogFields = {}
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message, code: (v as any).code, stack: v.stack } : v
  }
  return out
}

function humanFields (fields: LogFields | undefined): string {
  if (fields == null) return ''
  let out = ''
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue
    out += ` ${k}=${humanValue(v)}`
  }
  return out
}

function humanValue (v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message) + (v.stack != null ? `\n${v.stack}` : '')
  if (typeof v === 'string') return /^[\w./:@+-]+$/.test(v) ? v : JSON.stringify(v)
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v)
  return safeStringify(v)
}

function safeStringify (v: unknown): string {
  try {
    return JSON.stringify(v, (_k, val) => typeof val === 'bigint' ? val.toString() : val)
  } catch {
    return '"[unserializable]"'
  }
}
