import { ObservableV2 } from 'lib0/observable'
import type * as Y from 'yjs'
import type { Replica } from './replica/replica.js'
import type { DocSync } from './sync/doc-sync.js'
import type { AccessRole, DocHandle, DocMember, HandleEvents, HistoryEntry, SyncStatus } from './types.js'

/** One loaded document, shared by every lease on it. */
export interface LoadedDoc {
  readonly replica: Replica
  readonly sync: DocSync
  /** This peer's addresses, for the links it makes. */
  readonly addresses?: () => string[]
}

/** Which events a lease already relays from its sources (a bit each). */
const EVENT_BIT: Record<keyof HandleEvents, number> = { status: 1, peers: 2, synced: 4, delivery: 8, access: 16 }

/**
 * A lease on an open document: the application's view of it (its Y.Doc and
 * where it stands with the network). Each `open()` returns its own lease;
 * `close()` releases only that one, and the engine unloads the document when
 * the last lease is gone. Replication itself lives in the replica and DocSync.
 */
export class Handle extends ObservableV2<HandleEvents> implements DocHandle {
  private closing: Promise<void> | undefined
  /** Rejects callers still waiting in whenSynced() when the lease closes (created by the first). */
  private waiters: Set<(err: Error) => void> | undefined
  /** EVENT_BIT of the events relayed so far. */
  private relayed = 0

  constructor (private readonly loaded: LoadedDoc, private readonly release: (lease: Handle) => Promise<void>) {
    super()
  }

  /**
   * Relays an event from the replica or the sync policy once someone listens to it here: a lease
   * nobody listens to (most of a thousand open notes) subscribes to nothing, and each subscription
   * costs a listener set on the source (~150 bytes).
   */
  override on<N extends keyof HandleEvents & string> (name: N, f: HandleEvents[N]): HandleEvents[N] {
    if ((this.relayed & EVENT_BIT[name]) === 0 && this.closing === undefined) {
      this.relayed |= EVENT_BIT[name]
      const { replica, sync } = this.loaded
      if (name === 'delivery') replica.on('delivery', this.onDelivery)
      else if (name === 'access') replica.access?.on('access', this.onAccess)
      else if (name === 'status') sync.on('status', this.onStatus)
      else if (name === 'peers') sync.on('peers', this.onPeers)
      else sync.on('synced', this.onSynced)
    }
    return super.on(name, f)
  }

  get id (): string { return this.loaded.replica.docId }
  get doc (): Y.Doc { return this.loaded.replica.doc }
  get status (): SyncStatus { return this.loaded.sync.currentStatus }
  get peers (): string[] { return this.loaded.sync.currentPeers }
  get versionVector (): Record<string, number> { return this.loaded.replica.vv.toRecord() }
  get unconfirmed (): number { return this.loaded.replica.unconfirmed }
  get closed (): boolean { return this.closing !== undefined }

  get access (): AccessRole { return this.loaded.replica.access?.role ?? 'writer' }
  get author (): string { return this.loaded.replica.author }

  async history (): Promise<HistoryEntry[]> {
    this.assertOpen('history')
    return await this.loaded.replica.history()
  }

  async versionAt (time: number | Date): Promise<Y.Doc> {
    this.assertOpen('versionAt')
    const ms = time instanceof Date ? time.getTime() : time
    if (typeof ms !== 'number' || Number.isNaN(ms)) {
      throw new TypeError(`versionAt: time must be ms since the epoch or a Date, got ${String(time)}`)
    }
    return await this.loaded.replica.versionAt(ms)
  }

  private assertOpen (what: string): void {
    if (this.closing !== undefined) throw new Error(`${what}: document ${this.id} is closed`)
  }

  members (): DocMember[] { return this.loaded.replica.access?.members() ?? [] }

  invite (options: { role: 'reader' | 'writer' | 'pinner' }): string {
    const access = this.loaded.replica.access
    if (access === undefined) {
      throw new Error('invite links are for private documents; an open document\'s id is its link')
    }
    return access.invite(options.role, this.loaded.addresses?.() ?? [])
  }

  revoke (member: string): void {
    const access = this.loaded.replica.access
    if (access === undefined) throw new Error('open documents have no members to revoke')
    access.revoke(member, this.loaded.replica.vv.get(member))
  }

  private readonly onAccess = (role: AccessRole): void => { this.emit('access', [role]) }
  private readonly onDelivery = (unconfirmed: number): void => { this.emit('delivery', [unconfirmed]) }
  private readonly onStatus = (status: SyncStatus): void => { this.emit('status', [status]) }
  private readonly onPeers = (peers: string[]): void => { this.emit('peers', [peers]) }
  private readonly onSynced = (peer: string): void => { this.emit('synced', [peer]) }

  async whenSynced (options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.closing !== undefined) throw new Error(`document ${this.id} is closed`)
    if (this.status === 'synced') return
    const { signal } = options
    signal?.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const settle = (err?: unknown): void => {
        this.off('status', onStatus)
        signal?.removeEventListener('abort', onAbort)
        this.waiters?.delete(settle)
        if (err === undefined) resolve()
        else reject(err)
      }
      const onStatus = (status: SyncStatus): void => { if (status === 'synced') settle() }
      const onAbort = (): void => { settle(signal?.reason ?? new Error('aborted')) }
      (this.waiters ??= new Set()).add(settle)
      this.on('status', onStatus)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  async flush (): Promise<void> {
    if (this.closing !== undefined) return
    await this.loaded.replica.flush()
  }

  /** Releases this lease (idempotent). Pending edits are flushed before the document unloads. */
  async close (): Promise<void> {
    this.closing ??= (async () => {
      for (const reject of [...this.waiters ?? []]) reject(new Error(`document ${this.id} was closed`))
      const { replica, sync } = this.loaded
      replica.off('delivery', this.onDelivery)
      replica.access?.off('access', this.onAccess)
      sync.off('status', this.onStatus)
      sync.off('peers', this.onPeers)
      sync.off('synced', this.onSynced)
      await this.release(this)
      this.destroy()
    })()
    await this.closing
  }
}
