import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { logger } from '@libp2p/logger'
import { PriorityQueue } from '@libp2p/utils'
import type { Libp2p } from '@libp2p/interface'
import type { Dialer } from './dialer.js'
import { backoffDelay } from '../util/backoff.js'
import { METRIC, type Metrics } from '../metrics/metrics.js'
import { PROTOCOL } from '../defaults.js'
import { deadline, type Deadline } from '../util/deadline.js'

const log = logger('weft:rendezvous')
const KICK_EVERY_MS = 2_000
/** A gossipsub subscription exchange is a round trip or two: a kick waits that long. */
const KICK_GRACE_MS = 1_000
/** Lookups for a document nobody seems to hold back off up to this (a new connection still kicks some). */
const NO_PEER_MAX_INTERVAL_MS = 30 * 60_000
const KICK_SAMPLE = 16
/**
 * Background DHT work (retried lookups, provides) shares one budget, all documents together: a
 * bucket of BUDGET_BURST slots, refilled by one slot every BUDGET_REFILL_MS; a lookup takes one slot,
 * a provide two (a walk, then its records sent to the closest peers it found, each peer storing one
 * and answering). A burst (a few documents opened or created at once) goes out at once; a backlog
 * (a thousand) trickles at ~0.1 % of a core. A provide costs ~10 ms of CPU here and walks the
 * network, and one every second was most of an idle peer's CPU: measured with 1,000 just-created
 * documents and one partner, 1.4-1.8 % of a core at one provide a second against 0.2-0.45 % with
 * none (y-websocket with 1,000 documents: 0.2-0.9 %). So a peer that imports 1,000 documents
 * publishes their records over ~4 hours, newest first (a document just made and shared goes out
 * ahead of the backlog); kad-dht's reprovider renews each one from then on.
 */
const BUDGET_BURST = 32
const BUDGET_REFILL_MS = 5_000
const PROVIDE_SLOTS = 2
const WELL_CONNECTED = 3
/** A document with WELL_CONNECTED holders looks again only this many lookup intervals later (a partition check). */
const RARE_CHECK_INTERVALS = 10
/**
 * A document opened (not created) here publishes its provider record only after a random 2-10 s,
 * and then, if it has WELL_CONNECTED connected holders by that time, only after a much longer random
 * wait (PROVIDE_DEFER_INTERVALS times the lookup interval, up to twice that). Each provide walks
 * to the key's k (20) closest peers and dials those it is not connected to; the connection budget
 * closes the links again, after a handshake, identify, a subscription exchange and a pull each.
 * When a swarm opened one document at once, every holder did that in the same few seconds:
 * measured at 25 peers, the first 15 s after start held ~190 connections opened and ~120 closed,
 * ~130 pulls and 30-80 % of a core; with the holders' provides left out, 6 %. The document is
 * findable meanwhile through the holders that did provide (the first ones, with fewer than
 * WELL_CONNECTED holders around them), and every holder still provides within minutes, so the
 * records do not rest on a few peers that may leave.
 */
const PROVIDE_AFTER_OPEN_MS = 2_000
/** The random part: holders that opened together check one after another, and the first ones' links reach the rest. */
const PROVIDE_AFTER_OPEN_SPREAD_MS = 8_000
const PROVIDE_DEFER_INTERVALS = 10
/** Queue priorities: a document the app just opened first, background work after. */
const FIRST = 10
/**
 * Lookups at once for documents just opened; beyond these, the rest of a burst (a thousand
 * documents reopened after a restart) takes the background budget instead of a thousand walks.
 */
const FIRST_BURST = 16
const BACKGROUND = 0

/** The DHT key under which the holders of a document provide it. */
export async function documentKey (docId: string): Promise<CID> {
  return CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(`${PROTOCOL.docTopicPrefix}${docId}`)))
}

export interface RendezvousOptions {
  /** Provider lookups per document once it has peers. */
  intervalMs: number
  /** How many peers replicate a document now: with none, lookups come faster. */
  peersFor: (docId: string) => number
  /**
   * Holders to connect to per document. gossipsub needs a handful of mesh peers, not all
   * holders: dialling every provider would make a full mesh of a popular document.
   */
  targetPeers: number
}

interface Entry {
  docId: string
  /** Set by leave(): what still runs or waits for it stops at its next step. */
  left: boolean
  // Per-run aborts, not one AbortController per document: an AbortSignal carries two Maps
  // (~600 bytes in all), times every open document. The DHT key is derived per run likewise.
  findLimit?: Deadline
  provideLimit?: Deadline
  findTimer?: ReturnType<typeof setTimeout>
  provideTimer?: ReturnType<typeof setTimeout>
  findAttempt: number
  provideAttempt: number
  finding: boolean
  providing: boolean
  /** Its running lookup counts against FIRST_BURST. */
  firstLookup?: boolean
  /**
   * Its provide may still be put off (once) for a well-connected document: true only for a
   * document opened here, until that one deferral or a pin; created and served ones never wait.
   */
  mayDefer: boolean
  /** Its record went out (kad-dht's reprovider renews it from then on). */
  provided: boolean
}

/**
 * Meeting other holders of a document through the Kademlia DHT: provide a
 * record under the document's key, look up the other providers and dial them.
 * Both retry with exponential backoff and jitter, since on a young network the
 * routing table is often empty at first.
 */
export class Rendezvous {
  private readonly entries = new Map<string, Entry>()
  /**
   * DHT walks are costly: a few at a time, however many documents are open. A document the
   * app just opened goes first; background lookups and provides queue behind it.
   */
  private readonly lookups = new PriorityQueue<void>({ concurrency: 8 })
  /** Provider records are published a few at a time: opening a thousand documents is not a thousand walks at once. */
  private readonly provides = new PriorityQueue<void>({ concurrency: 2 })
  private lastKick = 0
  /** Lookups started at FIRST priority and not finished yet. */
  private firstRunning = 0
  /** Slots in the bucket at `budgetAt` (see BUDGET_BURST). */
  private budgetSlots = BUDGET_BURST
  private budgetAt = Date.now()
  /** The kind of the last background job that walked: the other kind goes next (see afterBudget). */
  private lastBudgetKind: 'find' | 'provide' = 'provide'
  /** Background DHT work waiting for the budget (see afterBudget). */
  private readonly budgetQueue: Record<'find' | 'provide', Array<() => boolean>> = { find: [], provide: [] }
  private budgetTimer: ReturnType<typeof setTimeout> | undefined
  private kickTimer: ReturnType<typeof setTimeout> | undefined
  /**
   * DHT work asked for while the routing table was empty (a peer just started, or offline): it runs
   * the moment the table gets its first peer, instead of after a backoff. Waiting for a connection
   * was not enough: the table fills a moment after it, once the peer is checked. Per-document retry
   * timers meanwhile did nothing but fire: an offline peer with 1,000 documents retried ~90
   * provides a second at first, and idled at 2-4 % of a core against 0.2 % with none.
   */
  private readonly waitingForTable = { find: new Set<Entry>(), provide: new Set<Entry>() }

  constructor (
    private readonly libp2p: Libp2p,
    private readonly dialer: Dialer,
    private readonly metrics: Metrics,
    private readonly options: RendezvousOptions
  ) {
    this.routingTable()?.addEventListener('peer:add', this.onTablePeer)
  }

  private readonly onTablePeer = (): void => {
    const { find, provide } = this.waitingForTable
    const finds = [...find]
    const provides = [...provide]
    find.clear()
    provide.clear()
    for (const entry of finds) this.queueFind(entry, FIRST)
    // Through the background budget, like every provide: a thousand of them are not a thousand walks at once.
    for (const entry of provides) this.queueProvide(entry)
  }

  /**
   * `created`: this peer just made the document up, so nobody else can hold it yet. Its provider
   * record is what lets others find it; a lookup now could only come back empty (measured: 964
   * lookups in 12 s after creating 1,000 documents, most of a core), so the first one waits for
   * the usual interval, in the background budget.
   * `served`: this peer keeps the document replicated on purpose (a daemon's pin): its record is
   * the one most likely to stay reachable, so it is published at once, never put off.
   */
  async join (
    docId: string,
    { created = false, served = false }: { created?: boolean, served?: boolean } = {}
  ): Promise<void> {
    if (this.entries.has(docId)) return
    const entry: Entry = {
      docId,
      left: false,
      findAttempt: 0,
      provideAttempt: 0,
      finding: false,
      providing: false,
      mayDefer: !created && !served,
      provided: false
    }
    this.entries.set(docId, entry)
    if (!entry.mayDefer) this.queueProvide(entry)
    else {
      const wait = PROVIDE_AFTER_OPEN_MS + Math.random() * PROVIDE_AFTER_OPEN_SPREAD_MS
      entry.provideTimer = setTimeout(() => { this.queueProvide(entry) }, wait)
    }
    if (created || this.options.peersFor(docId) > 0) {
      // Made here just now, or a connected neighbour already holds it (gossipsub exchanged
      // subscriptions when the connection opened): no DHT walk needed now, only the rare
      // partition check later.
      entry.findTimer = setTimeout(() => { this.queueFind(entry) }, this.options.intervalMs)
      return
    }
    this.queueFind(entry, FIRST)
  }

  /** A document pinned (served) while already open: its record, if still to come, goes out now. */
  provideNow (docId: string): void {
    const entry = this.entries.get(docId)
    if (entry === undefined || entry.provided || entry.providing) return
    entry.mayDefer = false
    clearTimeout(entry.provideTimer)
    this.queueProvide(entry)
  }

  private queueFind (entry: Entry, priority = BACKGROUND): void {
    if (entry.finding || entry.left) return
    if (this.routingTableSize() === 0) {
      // Nobody to ask: it looks the moment someone is there (onTablePeer), with no timer meanwhile.
      this.waitingForTable.find.add(entry)
      return
    }
    entry.finding = true
    const run = (): void => {
      if (entry.left) { this.findEnded(entry); return }
      void this.lookups.add(async () => { await this.find(entry) }, { priority }).catch(() => { this.findEnded(entry) })
    }
    // A document the app just opened looks at once; retries and the tail of a burst share the
    // background budget.
    if (priority === FIRST && this.firstRunning < FIRST_BURST) {
      this.firstRunning++
      entry.firstLookup = true
      run()
    } else {
      this.afterBudget('find', () => {
        if (entry.left) { this.findEnded(entry); return false }
        // A retry scheduled when the document had few holders; they may have come since (the
        // walk's own dials join the topic only after it ended). With WELL_CONNECTED holders the
        // walk would only guard against a partition: put it off like the rare check. Each walk
        // dials the peers it asks, and the budget closes those links again: measured at 100
        // peers in memory, the retries 30 s after start kept ~130 links opening and closing
        // per 5 s and the cluster at 120-130 % of a core for 20 s.
        if (this.options.peersFor(entry.docId) >= WELL_CONNECTED) {
          this.findEnded(entry)
          entry.findTimer = setTimeout(() => { this.queueFind(entry) }, this.options.intervalMs * RARE_CHECK_INTERVALS)
          return false
        }
        run()
        return true
      })
    }
  }

  private findEnded (entry: Entry): void {
    entry.finding = false
    if (entry.firstLookup === true) {
      entry.firstLookup = false
      this.firstRunning--
    }
  }

  private queueProvide (entry: Entry): void {
    if (entry.providing || entry.left) return
    if (this.routingTableSize() === 0) {
      // Nobody to store the record: it goes out when the table gets a peer.
      this.waitingForTable.provide.add(entry)
      return
    }
    entry.providing = true
    this.afterBudget('provide', () => {
      if (entry.left) { entry.providing = false; return false }
      if (entry.mayDefer && this.options.peersFor(entry.docId) >= WELL_CONNECTED) {
        entry.mayDefer = false
        entry.providing = false
        const interval = this.options.intervalMs * PROVIDE_DEFER_INTERVALS
        entry.provideTimer = setTimeout(() => { this.queueProvide(entry) }, interval * (1 + Math.random()))
        log('provide of %s put off: %d holders connected', entry.docId, this.options.peersFor(entry.docId))
        return false
      }
      void this.provides.add(async () => {
        try { await this.provide(entry) } finally { entry.providing = false }
      }, { priority: BACKGROUND }).catch(() => { entry.providing = false })
      return true
    })
  }

  /**
   * Background DHT work (retried lookups, provides) shares one budget (BUDGET_BURST), whatever the
   * number of documents: a thousand per-document backoffs made idle peers walk the DHT hundreds of
   * times a minute (measured: 2,226 lookups in 12 s with 1,000 documents).
   * Lookups and provides take turns: a retried lookup never waits behind a queue of provides (in
   * the full bench of 2026-12-03T16:31Z, a newcomer's retried lookup queued behind its own failing
   * provides took its p50 from 0.5-1.4 s to 2.1-2.5 s to find a holder), and provides never starve
   * behind lookups: documents nobody else holds retry theirs on a backoff, and with lookups always
   * first, ten such documents kept every provider record back for minutes. Provides go newest
   * first, lookups oldest first. A job that walked nothing (`run` returns false) gives its slots back.
   */
  private afterBudget (kind: 'find' | 'provide', run: () => boolean): void {
    this.budgetQueue[kind].push(run)
    this.pumpBudget()
  }

  private pumpBudget (): void {
    if (this.budgetTimer !== undefined) return
    for (;;) {
      if (this.budgetQueue.find.length === 0 && this.budgetQueue.provide.length === 0) return
      const now = Date.now()
      this.budgetSlots = Math.min(BUDGET_BURST, this.budgetSlots + (now - this.budgetAt) / BUDGET_REFILL_MS)
      this.budgetAt = now
      const other = this.lastBudgetKind === 'find' ? 'provide' : 'find'
      const kind = this.budgetQueue[other].length > 0 ? other : this.lastBudgetKind
      const cost = kind === 'find' ? 1 : PROVIDE_SLOTS
      if (this.budgetSlots < cost) {
        this.budgetTimer = setTimeout(() => {
          this.budgetTimer = undefined
          this.pumpBudget()
        }, Math.ceil((cost - this.budgetSlots) * BUDGET_REFILL_MS))
        return
      }
      const job = kind === 'provide' ? this.budgetQueue.provide.pop() : this.budgetQueue.find.shift()
      if (job === undefined) return
      if (job()) {
        this.lastBudgetKind = kind
        this.budgetSlots -= cost
      }
    }
  }

  leave (docId: string): void {
    const entry = this.entries.get(docId)
    if (entry === undefined) return
    entry.left = true
    entry.findLimit?.abort()
    entry.provideLimit?.abort()
    this.waitingForTable.find.delete(entry)
    this.waitingForTable.provide.delete(entry)
    clearTimeout(entry.findTimer)
    clearTimeout(entry.provideTimer)
    this.entries.delete(docId)
    // kad-dht re-provides what we provided on its own schedule: stop it for a closed document.
    const dht = (this.libp2p.services as any).dht
    if (entry.provided && dht?.cancelReprovide !== undefined) {
      void documentKey(docId).then(async key => await dht.cancelReprovide(key)).catch(() => {})
    }
  }

  /**
   * A new connection may have filled an empty routing table, or brought a holder: retry what waits.
   * A moment later, once the new neighbour's subscriptions have arrived, so a document it holds is
   * no longer counted as alone (kicked at once, such a lookup walked to that very neighbour over a
   * still-relayed link, and kad-dht opened a second relayed connection to ask it); and at most every
   * KICK_EVERY_MS, since peers connect in bursts and every document would query the DHT each time.
   */
  kick (): void {
    if (this.kickTimer !== undefined) return
    const wait = Math.max(KICK_GRACE_MS, this.lastKick + KICK_EVERY_MS - Date.now())
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined
      this.kickNow()
    }, wait)
  }

  private kickNow (): void {
    this.lastKick = Date.now()
    let retried = 0
    for (const entry of [...this.entries.values()]) {
      if (entry.provideAttempt > 0) {
        clearTimeout(entry.provideTimer)
        this.queueProvide(entry)
      }
      // A sample, not all of them: a thousand unshared documents must not all walk the DHT
      // on every new connection. The rest keep their own backoff.
      if (retried < KICK_SAMPLE && this.options.peersFor(entry.docId) === 0 && !entry.finding) {
        clearTimeout(entry.findTimer)
        this.queueFind(entry)
        retried++
        // To the back of the line: the next kick samples other documents.
        this.entries.delete(entry.docId)
        this.entries.set(entry.docId, entry)
      }
    }
  }

  stop (): void {
    this.routingTable()?.removeEventListener('peer:add', this.onTablePeer)
    clearTimeout(this.kickTimer)
    clearTimeout(this.budgetTimer)
    this.budgetTimer = undefined
    this.budgetQueue.find.length = 0
    this.budgetQueue.provide.length = 0
    this.lookups.clear()
    this.provides.clear()
    for (const docId of [...this.entries.keys()]) this.leave(docId)
  }

  private routingTable (): (EventTarget & { size: number }) | undefined {
    return (this.libp2p.services as any).dht?.routingTable
  }

  private routingTableSize (): number {
    return this.routingTable()?.size ?? 0
  }

  private async provide (entry: Entry): Promise<void> {
    if (entry.left) return
    if (this.routingTableSize() === 0) {
      // The table emptied while this provide queued: it waits for a peer like the rest.
      this.waitingForTable.provide.add(entry)
      return
    }
    let ok = false
    const limit = entry.provideLimit = deadline(30_000)
    try {
      await this.libp2p.contentRouting.provide(await documentKey(entry.docId), { signal: limit.signal })
      ok = true
      entry.provided = true
      this.metrics.inc(METRIC.dhtProvides, 'ok')
      log('provided %s', entry.docId)
    } catch (err: any) {
      if (entry.left) return
      this.metrics.inc(METRIC.dhtProvides, 'failed')
      log('provide %s failed: %s', entry.docId, err?.message ?? err)
    } finally {
      limit.clear()
      entry.provideLimit = undefined
    }
    // The document may have closed while the provide ran: schedule nothing for it then.
    if (entry.left || ok) {
      // Once stored, kad-dht's own reprovider renews the record before it expires.
      entry.provideAttempt = 0
      return
    }
    entry.provideAttempt++
    entry.provideTimer = setTimeout(() => {
      this.queueProvide(entry)
    }, backoffDelay(entry.provideAttempt, 1_000, 60_000))
  }

  private async find (entry: Entry): Promise<void> {
    if (entry.left) {
      this.findEnded(entry)
      return
    }
    if (this.routingTableSize() === 0) {
      // The table emptied while this lookup queued: it waits for a peer like the rest.
      this.findEnded(entry)
      this.waitingForTable.find.add(entry)
      return
    }
    // Holders found by this lookup (not us).
    const seen = new Set<string>()
    const limit = entry.findLimit = deadline(10_000)
    try {
      const signal = limit.signal
      this.metrics.inc(METRIC.dhtQueries)
      let dialled = 0
      const key = await documentKey(entry.docId)
      for await (const provider of this.libp2p.contentRouting.findProviders(key, { signal })) {
        const id = provider.id.toString()
        if (provider.id.equals(this.libp2p.peerId) || seen.has(id)) continue
        seen.add(id)
        this.metrics.inc(METRIC.dhtProvidersFound)
        const enough = this.options.peersFor(entry.docId) + dialled >= this.options.targetPeers
        if (!enough && !this.dialer.isConnected(provider.id)) {
          dialled++
          void this.dialer.dial(provider.id, provider.multiaddrs)
        }
        // Ending the walk here ends its dials. Walked to the end, a lookup dialled every peer it
        // queried, and the connection budget closed those links again; each cost a handshake,
        // identify, a subscription exchange and a pull. Measured with 60 idle peers on one
        // document, links closed in 30 s: 802 and 1,022 walking to the end, 444 and 381 now.
        if (enough || seen.size >= this.options.targetPeers) break
      }
    } catch (err: any) {
      // findProviders ends by abort when the network has no (more) providers: not an error.
      if (!entry.left && err?.name !== 'AbortError' && err?.name !== 'TimeoutError') {
        log('find providers of %s failed: %s', entry.docId, err?.message ?? err)
      }
    } finally {
      limit.clear()
      entry.findLimit = undefined
      this.findEnded(entry)
    }
    if (entry.left) return
    const peers = this.options.peersFor(entry.docId)
    const hasPeers = peers > 0 || seen.size > 0
    entry.findAttempt = hasPeers ? 0 : entry.findAttempt + 1
    // Without peers, look again soon, then ever more rarely (up to 30 min): a peer with many
    // unshared documents must not query the DHT for each of them every few seconds. A new
    // connection kicks the waiting lookups anyway.
    // A document with a few peers is in its mesh already; lookups then only guard against
    // a partition of its holders, which a rarer walk also catches.
    const delay = !hasPeers
      ? backoffDelay(entry.findAttempt, 2_000, NO_PEER_MAX_INTERVAL_MS)
      : peers >= WELL_CONNECTED ? this.options.intervalMs * RARE_CHECK_INTERVALS : this.options.intervalMs
    entry.findTimer = setTimeout(() => { this.queueFind(entry) }, delay)
  }
}
