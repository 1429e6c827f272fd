/**
 * Daemon configuration: one table of options (`DAEMON_OPTIONS`) drives the
 * yargs flags, the `WEFT_...` environment variables, the JSON config file,
 * the defaults, `--help` and the README's options table.
 *
 * Precedence, highest first: command-line flag > environment variable >
 * config file > built-in default. Array options accept repeated flags
 * (`--listen a --listen b`) and comma- or space-separated lists (in every
 * source), so `WEFT_BOOTSTRAP="/ip4/.../p2p/A,/ip4/.../p2p/B"` works.
 */
import { DEFAULTS, PROTOCOL } from '../defaults.js'
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { addressProblem, isSecureWebSocket } from '../options.js'
import { isValidDocId } from './doc-id.js'
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log.js'
import { iceServerProblem } from '../net/ice-servers.js'

export type DhtMode = 'server' | 'client'

export interface AdminAddress {
  host: string
  /** 0 picks a free port (tests); the bound port is printed and written to `daemon.json`. */
  port: number
}

export interface DaemonConfig {
  dataDir: string
  listen: string[]
  announce: string[]
  /** PEM files served on `/tls/ws` listen addresses (secure WebSockets); '' when there are none. */
  tlsCert: string
  tlsKey: string
  bootstrap: string[]
  mdns: boolean
  dhtProtocol: string
  dhtMode: DhtMode
  /** Documents pinned at start (added to the persistent pin set). */
  pin: string[]
  /** Admin HTTP listen address, or null when the admin API is off. */
  admin: AdminAddress | null
  logFormat: LogFormat
  logLevel: LogLevel
  shutdownTimeoutMs: number
  /** Largest admin request body accepted, in bytes. */
  adminMaxBodyBytes: number
  /** Inbound connections accepted per second from one host (libp2p default 5). */
  inboundConnectionThreshold: number
  /** Serve as a circuit relay for peers behind NAT, and its bounds. */
  relay: boolean
  relayMaxReservations: number
  relayDataLimit: number
  relayDurationLimitMs: number
  /** DCUtR hole punching over relayed connections. */
  holePunching: boolean
  /** Ask the router for a port forward by UPnP. */
  upnp: boolean
  /** STUN/TURN URLs for WebRTC; empty: @libp2p/webrtc's public STUN servers. */
  iceServers: string[]
  /** Which DHT finds document holders: weft's own ('private') or the public libp2p DHT. */
  network: 'private' | 'public'
  history: 'full' | 'none'
  /** The config file that was read, if any. */
  configFile?: string
}

type OptionType = 'string' | 'boolean' | 'array' | 'number'

export interface OptionSpec {
  /** Key in `DaemonConfig` and in the config file (camelCase; kebab-case also accepted in the file). */
  key: Exclude<keyof DaemonConfig, 'configFile'>
  /** Command-line flag without the dashes. */
  flag: string
  type: OptionType
  /** Environment variable. */
  env: string
  default: unknown
  /** How the default is shown in --help and the README. */
  defaultText: string
  describe: string
  choices?: readonly string[]
}

export const DEFAULT_DATA_DIR_TEXT = '~/.weft'
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/7776']
export const DEFAULT_ADMIN = '127.0.0.1:7777'
export const DEFAULT_DHT_PROTOCOL = PROTOCOL.dht

const PATH_KEYS = new Set<string>(['dataDir', 'tlsCert', 'tlsKey'])

export const DAEMON_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'dataDir',
    flag: 'data-dir',
    type: 'string',
    env: 'WEFT_DATA_DIR',
    default: join(homedir(), '.weft'),
    defaultText: DEFAULT_DATA_DIR_TEXT,
    describe: 'Data directory: LevelDB store, peer identity, pins (pins.json), admin token (admin-token). ' +
      'In the home directory (not the working directory) so that `weft status` finds the daemon from anywhere.'
  },
  {
    key: 'listen',
    flag: 'listen',
    type: 'array',
    env: 'WEFT_LISTEN',
    default: DEFAULT_LISTEN,
    defaultText: DEFAULT_LISTEN.join(','),
    describe: 'libp2p listen multiaddrs (TCP; a /ws address adds WebSockets, /udp/<port>/quic-v1 QUIC, ' +
      '/webrtc WebRTC through relays). Use tcp/0 for a random port.'
  },
  {
    key: 'announce',
    flag: 'announce',
    type: 'array',
    env: 'WEFT_ANNOUNCE',
    default: [],
    defaultText: '(listen addresses)',
    describe: 'Multiaddrs announced to other peers instead of the listen addresses ' +
      '(public IP or DNS name behind a port forward).'
  },
  {
    key: 'tlsCert',
    flag: 'tls-cert',
    type: 'string',
    env: 'WEFT_TLS_CERT',
    default: '',
    defaultText: '(none)',
    describe: 'PEM certificate (chain) file for /tls/ws listen addresses: browsers dial wss:// directly, ' +
      'no TLS proxy in front (with --tls-key).'
  },
  {
    key: 'tlsKey',
    flag: 'tls-key',
    type: 'string',
    env: 'WEFT_TLS_KEY',
    default: '',
    defaultText: '(none)',
    describe: 'PEM private key file for --tls-cert.'
  },
  {
    key: 'bootstrap',
    flag: 'bootstrap',
    type: 'array',
    env: 'WEFT_BOOTSTRAP',
    default: [],
    defaultText: '(none)',
    describe: 'Peers dialled at start and kept as DHT entry points: multiaddrs ending in /p2p/<peer id>.'
  },
  {
    key: 'mdns',
    flag: 'mdns',
    type: 'boolean',
    env: 'WEFT_MDNS',
    default: true,
    defaultText: 'true',
    describe: 'LAN discovery over multicast DNS (--no-mdns to turn off).'
  },
  {
    key: 'dhtProtocol',
    flag: 'dht-protocol',
    type: 'string',
    env: 'WEFT_DHT_PROTOCOL',
    default: DEFAULT_DHT_PROTOCOL,
    defaultText: DEFAULT_DHT_PROTOCOL,
    describe: 'Kademlia protocol id; peers with different ids never see each other.'
  },
  {
    key: 'dhtMode',
    flag: 'dht-mode',
    type: 'string',
    env: 'WEFT_DHT_MODE',
    default: 'server',
    defaultText: 'server',
    choices: ['server', 'client'],
    describe: 'server answers DHT queries and holds provider records (what an always-on peer is for); client only asks.'
  },
  {
    key: 'pin',
    flag: 'pin',
    type: 'array',
    env: 'WEFT_PIN',
    default: [],
    defaultText: '(none)',
    describe: 'Document ids to pin at start, added to the pins kept in the data dir (which survive restarts).'
  },
  {
    key: 'admin',
    flag: 'admin',
    type: 'string',
    env: 'WEFT_ADMIN',
    default: DEFAULT_ADMIN,
    defaultText: DEFAULT_ADMIN,
    describe: 'Admin HTTP API address host:port (port 0 = random, printed at start), or "off". ' +
      'Every route but /health needs the token in <data-dir>/admin-token. The API is plain HTTP: keep it on loopback.'
  },
  {
    key: 'logFormat',
    flag: 'log-format',
    type: 'string',
    env: 'WEFT_LOG_FORMAT',
    default: 'human',
    defaultText: 'human',
    choices: LOG_FORMATS,
    describe: 'Log format: human-readable lines, or JSON lines.'
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    type: 'string',
    env: 'WEFT_LOG_LEVEL',
    default: 'info',
    defaultText: 'info',
    choices: LOG_LEVELS,
    describe: 'Lowest level written.'
  },
  {
    key: 'shutdownTimeoutMs',
    flag: 'shutdown-timeout',
    type: 'number',
    env: 'WEFT_SHUTDOWN_TIMEOUT',
    default: 5000,
    defaultText: '5000',
    describe: 'Milliseconds a graceful shutdown may take before the daemon exits anyway (code 1).'
  },
  {
    key: 'adminMaxBodyBytes',
    flag: 'admin-max-body',
    type: 'number',
    env: 'WEFT_ADMIN_MAX_BODY',
    default: 65536,
    defaultText: '65536',
    describe: 'Largest admin API request body in bytes; larger ones get 413.'
  },
  {
    key: 'inboundConnectionThreshold',
    flag: 'inbound-connection-threshold',
    type: 'number',
    env: 'WEFT_INBOUND_CONNECTION_THRESHOLD',
    default: 5,
    defaultText: '5',
    describe: 'Inbound connections accepted per second from one IP address (raise it when many peers share one host).'
  },
  {
    key: 'relay',
    flag: 'relay',
    type: 'boolean',
    env: 'WEFT_RELAY',
    default: DEFAULTS.relay,
    defaultText: String(DEFAULTS.relay),
    describe: 'Serve as a circuit relay (v2) for peers behind NAT: they reserve a slot here, are reached through it, ' +
      'and hole-punch a direct connection when their NATs allow. Needs a public address.'
  },
  {
    key: 'relayMaxReservations',
    flag: 'relay-max-reservations',
    type: 'number',
    env: 'WEFT_RELAY_MAX_RESERVATIONS',
    default: DEFAULTS.relayMaxReservations,
    defaultText: String(DEFAULTS.relayMaxReservations),
    describe: 'With --relay: peers that may hold a reservation at once.'
  },
  {
    key: 'relayDataLimit',
    flag: 'relay-data-limit',
    type: 'number',
    env: 'WEFT_RELAY_DATA_LIMIT',
    default: DEFAULTS.relayDataLimitBytes,
    defaultText: String(DEFAULTS.relayDataLimitBytes),
    describe: 'With --relay: bytes one relayed connection may carry each way before it is reset (the peers reconnect).'
  },
  {
    key: 'relayDurationLimitMs',
    flag: 'relay-duration-limit',
    type: 'number',
    env: 'WEFT_RELAY_DURATION_LIMIT',
    default: DEFAULTS.relayDurationLimitMs,
    defaultText: String(DEFAULTS.relayDurationLimitMs),
    describe: 'With --relay: milliseconds one relayed connection may stay open.'
  },
  {
    key: 'holePunching',
    flag: 'hole-punching',
    type: 'boolean',
    env: 'WEFT_HOLE_PUNCHING',
    default: DEFAULTS.holePunching,
    defaultText: String(DEFAULTS.holePunching),
    describe: 'DCUtR: over a relayed connection, both peers dial each other to open a direct one (--no-hole-punching).'
  },
  {
    key: 'upnp',
    flag: 'upnp',
    type: 'boolean',
    env: 'WEFT_UPNP',
    default: DEFAULTS.upnp,
    defaultText: String(DEFAULTS.upnp),
    describe: 'Ask the router to forward the listen port to this daemon (UPnP IGD, or NAT-PMP).'
  },
  {
    key: 'iceServers',
    flag: 'ice-server',
    type: 'array',
    env: 'WEFT_ICE_SERVERS',
    default: [],
    defaultText: '(@libp2p/webrtc\'s public STUN servers)',
    describe: 'STUN/TURN servers for /webrtc connections (stun:host:port, turn:user:password@host:port), ' +
      'repeatable: your own instead of the public ones.'
  },
  {
    key: 'network',
    flag: 'network',
    type: 'string',
    env: 'WEFT_NETWORK',
    default: 'private',
    defaultText: 'private',
    choices: ['private', 'public'],
    describe: 'private: weft\'s own DHT (/weft/kad/1.0.0) around your bootstrap peers. public: the public libp2p DHT ' +
      '(/ipfs/kad/1.0.0, the IPFS bootstrap peers unless --bootstrap is given, private addresses filtered out).'
  },
  {
    key: 'history',
    flag: 'history',
    type: 'string',
    env: 'WEFT_HISTORY',
    default: DEFAULTS.history,
    defaultText: DEFAULTS.history,
    choices: ['full', 'none'],
    describe: 'full: checkpoints keep every envelope, so history() and versionAt() reach back to the start (the ' +
      'store grows with the edit count). none: the last 256 envelopes per author are kept behind each checkpoint.'
  }
]

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export interface ResolveInput {
  /** Parsed flags (camelCase keys; undefined when a flag was not given). */
  flags?: Record<string, unknown>
  env?: Record<string, string | undefined>
  cwd?: string
  /** Reads the config file (injectable for tests). */
  readFile?: (path: string) => string
}

/** Merges flags > env > config file > defaults into a validated config. */
export function resolveDaemonConfig (input: ResolveInput = {}): DaemonConfig {
  const flags = input.flags ?? {}
  const env = input.env ?? {}
  const cwd = input.cwd ?? process.cwd()
  const readFile = input.readFile ?? ((p: string) => readFileSync(p, 'utf8'))

  const configPathRaw = nonEmpty(flags.config) ?? nonEmpty(env.WEFT_CONFIG)
  let file: Record<string, unknown> = {}
  let configFile: string | undefined
  if (configPathRaw != null) {
    configFile = resolvePath(String(configPathRaw), cwd)
    file = readConfigFile(configFile, readFile)
  }

  const out: Record<string, unknown> = {}
  for (const spec of DAEMON_OPTIONS) {
    let value: unknown
    let source: string
    let baseDir = cwd
    if (flags[spec.key] !== undefined) {
      value = flags[spec.key]
      source = `--${spec.flag}`
    } else if (env[spec.env] !== undefined && env[spec.env] !== '') {
      value = env[spec.env]
      source = spec.env
    } else if (file[spec.key] !== undefined) {
      value = file[spec.key]
      source = `${configFile ?? 'config'}: ${spec.key}`
      baseDir = dirname(configFile ?? cwd)
    } else {
      out[spec.key] = spec.default
      continue
    }
    out[spec.key] = coerce(spec, value, source, baseDir)
  }

  const config = out as unknown as DaemonConfig
  config.admin = parseAdminAddress(out.admin as string | null)
  if (configFile != null) config.configFile = configFile
  validate(config)
  return config
}

function readConfigFile (path: string, readFile: (p: string) => string): Record<string, unknown> {
  let text: string
  try {
    text = readFile(path)
  } catch (err: any) {
    throw new ConfigError(`cannot read config file ${path}: ${err?.message ?? err}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err: any) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${err?.message ?? err}`)
  }
  if (parsed == null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`)
  }
  const out: Record<string, unknown> = {}
  for (const [rawKey, value] of Object.entries(parsed)) {
    const spec = DAEMON_OPTIONS.find(s => configKeys(s).includes(rawKey))
    if (spec == null) {
      const known = DAEMON_OPTIONS.map(s => s.key).join(', ')
      throw new ConfigError(`config file ${path}: unknown option "${rawKey}" (known: ${known})`)
    }
    out[spec.key] = value
  }
  return out
}

/**
 * The names a config file may use for an option: its key and its flag, each in camelCase and in
 * kebab-case (`shutdownTimeoutMs`, `shutdown-timeout-ms`, `shutdown-timeout`, `shutdownTimeout`).
 */
export function configKeys (spec: OptionSpec): string[] {
  const camel = (s: string): string => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())
  const kebab = (s: string): string => s.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)
  return [...new Set([spec.key, kebab(spec.key), spec.flag, camel(spec.flag)])]
}

/** Splits list values given as one string: commas or whitespace separate items. */
export function splitList (value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value]
  const out: string[] = []
  for (const item of items) {
    if (item == null) continue
    for (const part of String(item).split(/[\s,]+/)) {
      if (part !== '') out.push(part)
    }
  }
  return out
}

function coerce (spec: OptionSpec, value: unknown, source: string, baseDir: string): unknown {
  switch (spec.type) {
    case 'array':
      return splitList(value)
    case 'boolean': {
      if (typeof value === 'boolean') return value
      const s = String(value).trim().toLowerCase()
      if (['1', 'true', 'yes', 'on'].includes(s)) return true
      if (['0', 'false', 'no', 'off'].includes(s)) return false
      throw new ConfigError(`${source}: expected a boolean (true/false), got ${JSON.stringify(value)}`)
    }
    case 'number': {
      const n = typeof value === 'number' ? value : Number(String(value).trim())
      if (!Number.isFinite(n) || n < 0 || String(value).trim() === '') {
        throw new ConfigError(`${source}: expected a non-negative number, got ${JSON.stringify(value)}`)
      }
      return n
    }
    case 'string': {
      if (Array.isArray(value)) value = value[value.length - 1] // repeated flag: last wins
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new ConfigError(`${source}: expected a string, got ${JSON.stringify(value)}`)
      }
      const s = String(value)
      if (spec.choices != null && !spec.choices.includes(s)) {
        throw new ConfigError(`${source}: must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(s)}`)
      }
      // Paths: relative to the working directory, or to the config file that named them.
      if (PATH_KEYS.has(spec.key) && s !== '') return resolvePath(s, baseDir)
      return s
    }
  }
}

/** Expands a leading `~` and resolves relative paths against `base`. */
export function resolvePath (p: string, base: string): string {
  if (p === '~') return homedir()
  if (p.startsWith('~/')) return join(homedir(), p.slice(2))
  return isAbsolute(p) ? p : resolve(base, p)
}

/** Parses `host:port`, `[v6]:port`, `:port`, `port`, `http://host:port`, or off/none. */
export function parseAdminAddress (value: string | null | undefined): AdminAddress | null {
  if (value == null) return null
  let s = String(value).trim()
  if (['', 'off', 'none', 'false', 'no'].includes(s.toLowerCase())) return null
  s = s.replace(/^https?:\/\//i, '').replace(/\/+$/, '')
  let host = '127.0.0.1'
  let portText: string
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(s)
  if (v6 != null) {
    host = v6[1]
    portText = v6[2]
  } else if (/^\d+$/.test(s)) {
    portText = s
  } else {
    const i = s.lastIndexOf(':')
    if (i < 0) throw new ConfigError(`admin address ${JSON.stringify(value)}: expected host:port`)
    host = s.slice(0, i) === '' ? '127.0.0.1' : s.slice(0, i)
    portText = s.slice(i + 1)
  }
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ConfigError(`admin address ${JSON.stringify(value)}: bad port`)
  }
  return { host, port }
}

export function formatAdminAddress (a: AdminAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`
}

export function isLoopbackHost (host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}

function validate (c: DaemonConfig): void {
  const checkAddrs = (name: string, addrs: string[], needPeerId: boolean): void => {
    for (const a of addrs) {
      const problem = addressProblem(a, needPeerId)
      if (problem !== undefined) throw new ConfigError(`--${name}: ${JSON.stringify(a)} ${problem}`)
    }
  }
  if (c.listen.length === 0) throw new ConfigError('--listen: at least one listen address is needed')
  checkAddrs('listen', c.listen, false)
  checkAddrs('announce', c.announce, false)
  checkAddrs('bootstrap', c.bootstrap, true)
  const secure = c.listen.find(isSecureWebSocket)
  if ((c.tlsCert === '') !== (c.tlsKey === '')) {
    throw new ConfigError(c.tlsCert === '' ? '--tls-key needs --tls-cert' : '--tls-cert needs --tls-key')
  }
  if (secure !== undefined && c.tlsCert === '') {
    throw new ConfigError(`--listen: ${JSON.stringify(secure)} serves secure WebSockets: give --tls-cert and --tls-key`)
  }
  if (secure === undefined && c.tlsCert !== '') {
    throw new ConfigError('--tls-cert: no --listen address serves it (add one ending in /tls/ws, ' +
      'e.g. /ip4/0.0.0.0/tcp/443/tls/ws)')
  }
  for (const id of c.pin) {
    if (!isValidDocId(id)) {
      throw new ConfigError(`--pin: ${JSON.stringify(id)} is not a document id (26 characters a-z, 2-7)`)
    }
  }
  for (const url of c.iceServers) {
    const problem = iceServerProblem(url)
    if (problem !== undefined) throw new ConfigError(`--ice-server: ${JSON.stringify(url)} ${problem}`)
  }
  if (!c.dhtProtocol.startsWith('/')) throw new ConfigError('--dht-protocol must start with "/"')
  if (!Number.isInteger(c.shutdownTimeoutMs) || c.shutdownTimeoutMs < 100) {
    throw new ConfigError('--shutdown-timeout must be an integer >= 100 (ms)')
  }
  if (!Number.isInteger(c.adminMaxBodyBytes) || c.adminMaxBodyBytes < 1) {
    throw new ConfigError('--admin-max-body must be a positive integer (bytes)')
  }
  if (!Number.isInteger(c.inboundConnectionThreshold) || c.inboundConnectionThreshold < 1) {
    throw new ConfigError('--inbound-connection-threshold must be a positive integer')
  }
  const relayBounds = [['relay-max-reservations', c.relayMaxReservations], ['relay-data-limit', c.relayDataLimit],
    ['relay-duration-limit', c.relayDurationLimitMs]] as const
  for (const [flag, value] of relayBounds) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ConfigError(`--${flag} must be a positive integer, got ${value}`)
    }
  }
}

/** The config with the data dir shown as given, for `--print-config` and the start banner. */
export function describeConfig (c: DaemonConfig): Record<string, unknown> {
  return {
    ...c,
    admin: c.admin == null ? 'off' : formatAdminAddress(c.admin)
  }
}

function nonEmpty (v: unknown): unknown {
  return v === undefined || v === null || v === '' ? undefined : v
}

// ---------------------------------------------------------------------------
// Client commands (weft status, pin, cat, ...)

export interface ClientConfig {
  dataDir: string
  /** Base URL of the admin API, e.g. http://127.0.0.1:7777 */
  url: string
  token?: string
  timeoutMs: number
}

export interface ResolveClientInput {
  flags?: Record<string, unknown>
  env?: Record<string, string | undefined>
  cwd?: string
  /**
   * The admin address the running daemon wrote into `<data-dir>/daemon.json`: undefined when no
   * daemon runs there, null when one runs with its admin API off.
   */
  runningAdmin?: (dataDir: string) => string | null | undefined
  /** Reads `<data-dir>/admin-token`, if any. */
  storedToken?: (dataDir: string) => string | undefined
}

/**
 * Where a client command finds the daemon: `--admin`/WEFT_ADMIN, else the
 * address the daemon in `--data-dir` wrote at start, else the default. The
 * token: `--token`/WEFT_TOKEN, else `<data-dir>/admin-token`.
 */
export function resolveClientConfig (input: ResolveClientInput): ClientConfig {
  const flags = input.flags ?? {}
  const env = input.env ?? {}
  const cwd = input.cwd ?? process.cwd()
  const dataDirRaw = nonEmpty(flags.dataDir) ?? nonEmpty(env.WEFT_DATA_DIR)
  const dataDir = dataDirRaw != null ? resolvePath(String(dataDirRaw), cwd) : join(homedir(), '.weft')
  const adminRaw = nonEmpty(flags.admin) ?? nonEmpty(env.WEFT_ADMIN)
  let url: string
  if (adminRaw != null) {
    url = adminUrl(String(adminRaw))
  } else {
    const running = input.runningAdmin?.(dataDir)
    if (running === null) {
      throw new ConfigError(`the daemon using ${dataDir} runs with its admin API off (--admin off, WEFT_ADMIN=off ` +
        'or "admin": "off" in its config), so it takes no commands: restart it with --admin 127.0.0.1:7777')
    }
    url = running ?? adminUrl(DEFAULT_ADMIN)
  }
  const tokenRaw = nonEmpty(flags.token) ?? nonEmpty(env.WEFT_TOKEN)
  const token = tokenRaw != null ? String(tokenRaw) : input.storedToken?.(dataDir)
  const timeoutRaw = nonEmpty(flags.timeout)
  const timeoutMs = timeoutRaw != null ? Number(timeoutRaw) : 10_000
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new ConfigError('--timeout must be a positive number (ms)')
  return { dataDir, url, token, timeoutMs }
}

export function adminUrl (address: string): string {
  if (/^https?:\/\//i.test(address)) return address.replace(/\/+$/, '')
  const a = parseAdminAddress(address)
  if (a == null) {
    throw new ConfigError(`--admin ${JSON.stringify(address)} turns the admin API off, so there is no daemon to ask: ` +
      'pass the address the daemon listens on (--admin host:port)')
  }
  const host = a.host === '0.0.0.0' ? '127.0.0.1' : a.host === '::' ? '::1' : a.host
  return `http://${formatAdminAddress({ host, port: a.port })}`
}
