/**
 * The headless peer: a weft node built on the public library API, the pin set
 * it keeps open, its admin API and its metrics, and a graceful stop.
 *
 * Start order: data dir -> admin token -> pins -> engine (createWeft) -> open
 * pinned documents -> admin API -> `daemon.json` -> ready.
 * Stop order: admin API refuses work (503) and closes -> pinned documents are
 * flushed and closed -> pins file flushed -> engine stopped (which closes the
 * store and libp2p) -> `daemon.json` removed.
 */
import { readFile } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import {
  createWeft as createWeftFromLibrary, isPrivateDocId, isValidDocId, LinkError, parseLink, type LinkRole
} from '../index.js'
import type { DocHandle, Weft, WeftOptions } from '../types.js'
import { AdminError, AdminServer, type AdminBackend } from './admin-server.js'
import { DEFAULT_DHT_PROTOCOL, formatAdminAddress, isLoopbackHost, type DaemonConfig } from './config.js'
import { docToJSON } from './doc-json.js'
import { ensureDataDir, loadOrCreateToken, removeRuntimeInfo, writeRuntimeInfo } from './files.js'
import type { Logger } from './log.js'
import { PinStore } from './pins.js'
import { DAEMON_VERSION } from './version.js'
import { DaemonMetrics } from './prometheus.js'

export type CreateWeft = (options: WeftOptions) => Promise<Weft>

export interface DaemonStartOptions {
  config: DaemonConfig
  logger: Logger
  /** Where the start banner and ready line go. Default: stdout. */
  out?: (text: string) => void
  /** The library's factory (injectable for tests). Default: `createWeft` from the package. */
  createWeft?: CreateWeft
  /** Process start time (ms since epoch) for the start-up measurement. Default: `performance.timeOrigin`. */
  processStart?: number
}

export interface ReadyInfo {
  pid: number
  version: string
  peerId: string
  multiaddrs: string[]
  /** The address other peers can pass to --bootstrap. */
  bootstrap: string | undefined
  admin: string | undefined
  dataDir: string
  pins: number
  startupMs: number
}

const PIN_RETRY_MS = 30_000
/** How long `join` waits for the link's invite to arrive from a member. */
const JOIN_TIMEOUT_MS = 30_000
const OPEN_CONCURRENCY = 8

export class Daemon {
  readonly config: DaemonConfig
  readonly weft: Weft
  readonly pins: PinStore
  readonly metrics: DaemonMetrics
  readonly token: string
  adminUrl: string | undefined
  ready: ReadyInfo | undefined
  private admin: AdminServer | undefined
  private readonly log: Logger
  private readonly pinErrors = new Map<string, string>()
  private retryTimer: NodeJS.Timeout | undefined
  private stopping: Promise<void> | undefined
  private readonly startedAt = new Date()

  private constructor (init: {
    config: DaemonConfig
    weft: Weft
    pins: PinStore
    metrics: DaemonMetrics
    token: string
    logger: Logger
  }) {
    this.config = init.config
    this.weft = init.weft
    this.pins = init.pins
    this.metrics = init.metrics
    this.token = init.token
    this.log = init.logger
  }

  static async start (options: DaemonStartOptions): Promise<Daemon> {
    const { config, logger: log } = options
    const out = options.out ?? ((s: string) => { process.stdout.write(s) })
    const t0 = options.processStart ?? performance.timeOrigin

    await ensureDataDir(config.dataDir)
    const tokenInfo = await loadOrCreateToken(config.dataDir)
    if (tokenInfo.created) log.info('created admin token', { path: tokenInfo.path })
    if (tokenInfo.looseMode != null) {
      log.warn('admin token file is readable by other users: chmod 600 it',
        { path: tokenInfo.path, mode: tokenInfo.looseMode.toString(8) })
    }
    // Read (and validated) before the engine starts; written only once the engine holds the store lock.
    const pins = await PinStore.open(config.dataDir)

    const metrics = new DaemonMetrics()
    const createWeft = options.createWeft ?? createWeftFromLibrary
    const weftOptions: WeftOptions = {
      dataDir: config.dataDir,
      listen: config.listen,
      announce: config.announce.length > 0 ? config.announce : undefined,
      tls: config.tlsCert === ''
        ? undefined
        : { cert: await readPem('tls-cert', config.tlsCert), key: await readPem('tls-key', config.tlsKey) },
      // On the public network an empty list means "the public bootstrap peers", a changed
      // protocol id is honoured, the default one gives way to the public DHT's.
      bootstrap: config.network === 'public' && config.bootstrap.length === 0 ? undefined : config.bootstrap,
      mdns: config.mdns,
      dht: {
        network: config.network,
        protocol: config.network === 'public' && config.dhtProtocol === DEFAULT_DHT_PROTOCOL
          ? undefined
          : config.dhtProtocol,
        mode: config.dhtMode
      },
      libp2pMetrics: metrics.libp2pMetrics(),
      network: { inboundConnectionThreshold: config.inboundConnectionThreshold },
      relay: config.relay && {
        maxReservations: config.relayMaxReservations,
        dataLimitBytes: config.relayDataLimit,
        durationLimitMs: config.relayDurationLimitMs
      },
      nat: {
        holePunching: config.holePunching,
        upnp: config.upnp,
        ...(config.iceServers.length > 0 ? { iceServers: config.iceServers } : {})
      },
      history: config.history
    }
    log.debug('starting engine', {
      dataDir: config.dataDir,
      listen: config.listen,
      bootstrap: config.bootstrap,
      mdns: config.mdns,
      dht: weftOptions.dht
    })
    const weft = await createWeft(weftOptions)

    const daemon = new Daemon({ config, weft, pins, metrics, token: tokenInfo.token, logger: log })
    try {
      const added = await pins.add(...config.pin)
      if (added.length > 0) log.info('pinned from the command line', { docs: added })
      metrics.attach(weft.metrics, () => ({
        weft_daemon_pinned_documents: pins.size,
        weft_documents_open: weft.openDocuments().length,
        weft_peers_connected: weft.connectedPeers().length
      }))
      if (log.enabled('debug')) {
        weft.on('connections', (peers) => { log.debug('connections changed', { peers: peers.map(p => p.id) }) })
      }
      await daemon.openPins(pins.list())
      daemon.retryTimer = setInterval(() => { void daemon.retryFailedPins() }, PIN_RETRY_MS)
      daemon.retryTimer.unref()

      if (config.admin != null) {
        if (!isLoopbackHost(config.admin.host)) {
          const warning = 'the admin API listens beyond loopback: its token travels in clear text over HTTP; ' +
            'put TLS in front or keep it on 127.0.0.1'
          log.warn(warning, { admin: formatAdminAddress(config.admin) })
        }
        daemon.admin = new AdminServer({
          backend: daemon.backend(),
          token: tokenInfo.token,
          host: config.admin.host,
          port: config.admin.port,
          maxBodyBytes: config.adminMaxBodyBytes,
          logger: log,
          observe: (route, _method, status) => { metrics.adminRequests.inc({ route, code: String(status) }) }
        })
        const bound = await daemon.admin.listen()
        daemon.adminUrl = bound.url
      }
    } catch (err) {
      await daemon.stop().catch(() => {})
      throw err
    }

    const startupMs = Math.round(Date.now() - t0)
    metrics.readySeconds.set(startupMs / 1000)
    const multiaddrs = weft.multiaddrs
    const ready: ReadyInfo = {
      pid: process.pid,
      version: DAEMON_VERSION,
      peerId: weft.peerId,
      multiaddrs,
      bootstrap: pickBootstrapAddress(multiaddrs),
      admin: daemon.adminUrl,
      dataDir: config.dataDir,
      pins: pins.size,
      startupMs
    }
    daemon.ready = ready
    await writeRuntimeInfo(config.dataDir, {
      pid: process.pid,
      peerId: weft.peerId,
      ...(daemon.adminUrl != null ? { adminUrl: daemon.adminUrl } : {}),
      multiaddrs,
      startedAt: daemon.startedAt.toISOString()
    })
    printBanner(ready, tokenInfo.path, config.logFormat, log, out)
    return daemon
  }

  /** Opens pinned documents, a few at a time; failures are logged and retried later. */
  private async openPins (ids: string[]): Promise<void> {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++]
        await this.openPin(id)
      }
    }
    await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, ids.length) }, worker))
  }

  /** A pin is a served document: replicated without a handle, unloaded from memory while idle. */
  private async openPin (id: string): Promise<void> {
    if (this.weft.servedDocuments().includes(id) && !this.pinErrors.has(id)) return
    try {
      await this.weft.serve(id)
      this.pinErrors.delete(id)
      this.log.debug('pinned document served', { doc: id })
    } catch (err: any) {
      this.pinErrors.set(id, String(err?.message ?? err))
      this.log.error('cannot serve pinned document (will retry)', { doc: id, err })
    }
  }

  private async retryFailedPins (): Promise<void> {
    if (this.stopping != null) return
    for (const id of [...this.pinErrors.keys()]) {
      if (this.pins.has(id)) await this.openPin(id)
      else this.pinErrors.delete(id)
    }
  }

  async pin (id: string): Promise<{ created: boolean }> {
    const added = await this.pins.add(id)
    const created = added.length > 0
    if (created) {
      this.log.info('pinned', { doc: id })
      await this.openPin(id)
    }
    return { created }
  }

  async unpin (id: string): Promise<{ removed: boolean }> {
    const removed = await this.pins.remove(id)
    if (removed) {
      this.log.info('unpinned', { doc: id })
      if (this.pinErrors.delete(id)) return { removed }
      await this.weft.unserve(id)
    }
    return { removed }
  }

  /** The documents the daemon knows of: stored, open or pinned. */
  async documents (): Promise<Array<Record<string, unknown>>> {
    let stored: string[] = []
    try {
      stored = await this.weft.storedDocuments()
    } catch (err) {
      this.log.warn('listing stored documents failed', { err })
    }
    const open = new Set([...this.weft.openDocuments(), ...this.weft.servedDocuments()])
    const ids = new Set([...stored, ...open, ...this.pins.list()])
    return [...ids].sort().map(id => this.describeDoc(id, open.has(id), stored.includes(id)))
  }

  private describeDoc (id: string, open: boolean, stored?: boolean): Record<string, unknown> {
    const snap = this.weft.docSnapshot(id)
    return {
      id,
      pinned: this.pins.has(id),
      ...(this.pins.get(id) != null ? { pinnedAt: this.pins.get(id)!.pinnedAt } : {}),
      open,
      ...(stored != null ? { stored } : {}),
      status: snap?.status ?? (this.pinErrors.has(id) ? 'error' : 'closed'),
      ...(this.pinErrors.has(id) ? { error: this.pinErrors.get(id) } : {}),
      peers: snap?.peers ?? [],
      versionVector: snap?.versionVector ?? {},
      unconfirmed: snap?.unconfirmed ?? 0
    }
  }

  status (): Record<string, unknown> {
    const open = new Set([...this.weft.openDocuments(), ...this.weft.servedDocuments()])
    const ids = [...new Set([...open, ...this.pins.list()])].sort()
    return {
      peerId: this.weft.peerId,
      version: DAEMON_VERSION,
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      multiaddrs: this.weft.multiaddrs,
      bootstrap: pickBootstrapAddress(this.weft.multiaddrs),
      dataDir: this.config.dataDir,
      connectedPeers: this.weft.connectedPeers(),
      pins: this.pins.size,
      documents: ids.map(id => this.describeDoc(id, open.has(id)))
    }
  }

  /**
   * A document's content, opening a stored (unpinned) document for the read; undefined when the
   * daemon does not have it.
   */
  async docContent (id: string): Promise<Record<string, unknown> | undefined> {
    const known = this.weft.openDocuments().includes(id) || this.weft.servedDocuments().includes(id) ||
      (await this.weft.storedDocuments()).includes(id)
    if (!known) return undefined
    // A lease for the read: a dormant pin wakes, an unpinned stored document loads, and both go back.
    const h = await this.weft.open(id)
    try {
      if (h.access === 'pinner') {
        // A blind replica: ciphertext only, and no key to read it with.
        return {
          id,
          ...this.describeDoc(id, true),
          access: h.access,
          blind: true,
          message: `document ${id} is pinned blind on this daemon: it stores and serves the ciphertext ` +
            'but holds no key, so it cannot show the content (read it on a member\'s device)',
          types: {},
          content: {}
        }
      }
      return { id, ...this.describeDoc(id, true), ...docToJSON(h.doc) }
    } finally {
      await h.close()
    }
  }

  /** Runs `use` on a lease of a document this daemon has; undefined when it has not. */
  private async withDoc<T> (id: string, use: (h: DocHandle) => T | Promise<T>): Promise<T | undefined> {
    const known = this.weft.openDocuments().includes(id) || this.weft.servedDocuments().includes(id) ||
      (await this.weft.storedDocuments()).includes(id)
    if (!known) return undefined
    const h = await this.weft.open(id)
    try {
      return await use(h)
    } finally {
      await h.close()
    }
  }

  /** A new document, pinned here; this daemon is the admin of a private one. */
  async createDoc (access: 'open' | 'private'): Promise<{ id: string, access: string }> {
    const h = await this.weft.create({ access })
    try {
      await h.flush()
      await this.pin(h.id)
      return { id: h.id, access: h.access }
    } finally {
      await h.close()
    }
  }

  /**
   * Takes a link: redeems it (a pin link makes this daemon a blind replica, a reader or writer
   * link a member) and pins the document. Resolves once the link is redeemed.
   */
  async join (link: string): Promise<{ id: string, access: string, created: boolean }> {
    let docId: string
    try {
      docId = parseLink(link).docId
    } catch (err) {
      throw new AdminError(400, 'invalid_link',
        `not a usable link (${(err as Error).message}): expected weft://<id>?peer=...#<r|w|p>.<secret>`)
    }
    let h: DocHandle
    try {
      h = await this.weft.join(link, { signal: AbortSignal.timeout(JOIN_TIMEOUT_MS) })
    } catch (err) {
      if (err instanceof LinkError) throw new AdminError(400, 'invalid_link', err.message)
      throw new AdminError(504, 'invite_not_found', `could not redeem the link of ${docId} within ` +
        `${JOIN_TIMEOUT_MS / 1000} s (is a member online, or a peer named in the link reachable?)`)
    }
    try {
      const { created } = await this.pin(docId)
      return { id: docId, access: h.access, created }
    } finally {
      await h.close()
    }
  }

  async members (id: string): Promise<Record<string, unknown> | undefined> {
    return await this.withDoc(id, h => ({ id, access: h.access, members: h.members() }))
  }

  async invite (id: string, role: LinkRole): Promise<{ id: string, role: LinkRole, link: string } | undefined> {
    if (!isPrivateDocId(id)) {
      throw new AdminError(400, 'open_document', `${id} is an open document: its id is its link (nothing to invite)`)
    }
    return await this.withDoc(id, h => {
      if (h.access !== 'admin') {
        throw new AdminError(403, 'not_admin', `only an admin can invite (this daemon is ${h.access})`)
      }
      return { id, role, link: h.invite({ role }) }
    })
  }

  async revoke (id: string, member: string): Promise<{ id: string, revoked: string } | undefined> {
    if (!isPrivateDocId(id)) throw new AdminError(400, 'open_document', `${id} is an open document: it has no members`)
    return await this.withDoc(id, h => {
      if (h.access !== 'admin') {
        throw new AdminError(403, 'not_admin', `only an admin can revoke (this daemon is ${h.access})`)
      }
      if (!h.members().some(m => m.key === member)) {
        throw new AdminError(404, 'not_a_member', `${member.slice(0, 80)} is not a member of ${id}`)
      }
      h.revoke(member)
      return { id, revoked: member }
    })
  }

  private backend (): AdminBackend {
    return {
      status: () => this.status(),
      peers: () => ({ peers: this.weft.connectedPeers() }),
      docs: async () => ({ docs: await this.documents() }),
      doc: async (id) => await this.docContent(id),
      pins: () => this.pins.list(),
      pin: async (id) => await this.pin(id),
      unpin: async (id) => await this.unpin(id),
      metrics: async () => await this.metrics.render(),
      create: async (access) => await this.createDoc(access),
      join: async (link) => await this.join(link),
      members: async (id) => await this.members(id),
      invite: async (id, role) => await this.invite(id, role),
      revoke: async (id, member) => await this.revoke(id, member),
      isValidDocId
    }
  }

  /** Graceful stop: refuse new work, flush and close documents, stop the engine. Idempotent. */
  async stop (): Promise<void> {
    this.stopping ??= this.doStop()
    await this.stopping
  }

  private async doStop (): Promise<void> {
    if (this.retryTimer != null) clearInterval(this.retryTimer)
    this.admin?.beginShutdown()
    const adminClosed = this.admin?.close().catch((err) => { this.log.warn('closing the admin API failed', { err }) })
    await this.pins.flush().catch(() => {})
    try {
      await this.weft.stop()
    } finally {
      await adminClosed
      await removeRuntimeInfo(this.config.dataDir).catch(() => {})
    }
  }
}

/**
 * The one address to paste into another peer's --bootstrap: an announced or
 * routable address if there is one, else a private one, else loopback.
 */
export function pickBootstrapAddress (addrs: string[]): string | undefined {
  const rank = (a: string): number => {
    try {
      const ma = multiaddr(a)
      const c = ma.getComponents()
      if (!c.some(x => x.name === 'p2p')) return 99
      if (c.some(x => x.name === 'p2p-circuit')) return 50
      const host = c[0]
      if (host.name === 'dns' || host.name === 'dns4' || host.name === 'dns6' || host.name === 'dnsaddr') return 0
      const v = host.value ?? ''
      if (host.name === 'ip4') {
        if (v.startsWith('127.')) return 40
        if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(v)) return 10
        return 1
      }
      if (host.name === 'ip6') {
        if (v === '::1') return 41
        if (/^(fe80|fc|fd)/i.test(v)) return 20
        return 2
      }
      return 30
    } catch {
      return 99
    }
  }
  const sorted = addrs
    .map((a, i) => ({ a, r: rank(a), i }))
    .filter(x => x.r < 99)
    .sort((x, y) => x.r - y.r || x.i - y.i)
  return sorted[0]?.a
}

function printBanner (
  ready: ReadyInfo,
  tokenPath: string,
  format: 'human' | 'json',
  log: Logger,
  out: (s: string) => void
): void {
  if (format === 'json') {
    log.info('weft daemon ready', { ready })
    return
  }
  const lines = [
    `weft daemon ${ready.version} ready in ${ready.startupMs} ms`,
    `  peer id    ${ready.peerId}`,
    ...ready.multiaddrs.map((a, i) => `  ${i === 0 ? 'listening ' : '          '} ${a}`),
    `  admin      ${ready.admin ?? 'off'}${ready.admin != null ? `  (token in ${tokenPath})` : ''}`,
    `  data dir   ${ready.dataDir}`,
    `  pinned     ${ready.pins} document${ready.pins === 1 ? '' : 's'}`,
    'bootstrap address for other peers (--bootstrap):',
    ready.bootstrap ?? '(none: no dialable address; set --listen or --announce)',
    `weft daemon ready ${JSON.stringify(ready)}`
  ]
  out(lines.join('\n') + '\n')
}

/** A PEM file named by a flag; unreadable, it stops the start with one line naming the flag. */
async function readPem (flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err: any) {
    throw Object.assign(new Error(`--${flag}: cannot read ${path} (${String(err?.code ?? err?.message ?? err)})`),
      { code: 'WEFT_TLS_FILE' })
  }
}
