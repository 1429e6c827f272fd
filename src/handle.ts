import { ObservableV2 } from 'lib0/observable'
import type * as Y from 'yjs'
import type { Replica } from './replica/replica.js'
import type { DocHandle, HandleEvents, SyncStatus } from './types.js'

/** What a handle asks of the engine to know where it stands. */
export interface HandleContext {
  isOnline: () => boolean
  /** Connected peers subscribed to the document's topic. */
  replicatingPeers: () => string[]
  isPulling: () => boolean
  close: () => Promise<void>
}

/**
 * The application's view of one open document: its Y.Doc and where it stands
 * with the network. The replication work itself lives in the replica and the
 * sync subsystems; this only reports.
 */
export class Handle extends ObservableV2<HandleEvents> implements DocHandle {
  private currentStatus: SyncStatus = 'offline'
  private currentPeers: string[] = []
  /** Peers we have completed a pull with since they (re)joined the topic. */
  private readonly syncedWith = new Set<string>()
  private closing: Promise<void> | undefined
  /** Rejects callers still waiting in whenSynced() when the handle closes. */
  private readonly waiters = new Set<(err: Error) => void>()

  constructor (readonly replica: Replica, private readonly ctx: HandleContext) {
    super()
    replica.on('delivery', this.onDelivery)
    this.refresh()
  }

  get id (): string { return this.replica.docId }
  get doc (): Y.Doc { return this.replica.doc }
  get status (): SyncStatus { return this.currentStatus }
  get peers (): string[] { return [...this.currentPeers] }
  get versionVector (): Record<string, number> { return this.replica.vv.toRecord() }
  get unconfirmed (): number { return this.replica.unconfirmed }
  get closed (): boolean { return this.closing !== undefined }

  private readonly onDelivery = (unconfirmed: number): void => {
    this.emit('delivery', [unconfirmed])
  }

  /** A pull with `peer` ended; `ok` when it completed. */
  pullFinished (peer: string, ok: boolean): void {
    if (ok) {
      this.syncedWith.add(peer)
      this.emit('synced', [peer])
    }
    this.refresh()
  }

  /** Recomputes peers and status from the engine's state and emits what changed. */
  refresh (): void {
    if (this.closing !== undefined) return
    const peers = this.ctx.replicatingPeers()
    if (peers.length !== this.currentPeers.length || peers.some((p, i) => p !== this.currentPeers[i])) {
      this.currentPeers = peers
      for (const p of this.syncedWith) if (!peers.includes(p)) this.syncedWith.delete(p)
      this.emit('peers', [this.peers])
    }
    let status: SyncStatus
    if (!this.ctx.isOnline()) status = 'offline'
    else if (peers.length === 0) status = 'connecting'
    else if (this.ctx.isPulling() || !peers.some(p => this.syncedWith.has(p))) status = 'syncing'
    else status = 'synced'
    if (status !== this.currentStatus) {
      this.currentStatus = status
      this.emit('status', [status])
    }
  }

  async whenSynced (options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.currentStatus === 'synced') return
    const { signal } = options
    signal?.throwIfAborted()
    if (this.closing !== undefined) throw new Error(`document ${this.id} is closed`)
    await new Promise<void>((resolve, reject) => {
      const onStatus = (status: SyncStatus): void => {
        if (status !== 'synced') return
        cleanup()
        resolve()
      }
      const onAbort = (): void => {
        cleanup()
        reject(signal?.reason ?? new Error('aborted'))
      }
      const onClose = (err: Error): void => {
        cleanup()
        reject(err)
      }
      const cleanup = (): void => {
        this.off('status', onStatus)
        signal?.removeEventListener('abort', onAbort)
        this.waiters.delete(onClose)
      }
      this.waiters.add(onClose)
      this.on('status', onStatus)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  async flush (): Promise<void> {
    await this.replica.flush()
  }

  async close (): Promise<void> {
    this.closing ??= (async () => {
      for (const reject of [...this.waiters]) reject(new Error(`document ${this.id} was closed`))
      this.replica.off('delivery', this.onDelivery)
      await this.ctx.close()
      this.destroy()
    })()
    await this.closing
  }
}
