/**
 * `WeftProvider`: a Yjs provider in the shape of y-websocket's
 * `WebsocketProvider` and y-webrtc's `WebrtcProvider`, over a weft node.
 *
 * ```ts
 * const provider = new WeftProvider(docId, ydoc, { weft })
 * provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#f80' })
 * provider.on('sync', (isSynced) => { ... })
 * ```
 *
 * What maps to what:
 * - `status` event `{ status: 'connecting' | 'connected' | 'disconnected' }`
 *   (y-websocket's values), plus `weftStatus` with the engine's finer state.
 *   'connected' means at least one peer replicates the document.
 * - `sync` / `synced` events and the `synced` flag: caught up with a peer
 *   that holds the document (the handle's 'synced' status); false again
 *   once no peer is left or on `disconnect()`.
 * - `delivery` event and `unconfirmed`: local envelopes no other peer is
 *   known to hold yet ("did my edit reach anyone?").
 * - `disconnect()` stops replicating the app's doc and presence, and releases
 *   the provider's lease on the document; `connect()` reopens it and catches up
 *   both ways.
 *
 * The engine adopts the app's Y.Doc (`weft.open(id, { doc })`): one copy in
 * memory. Only when the document is already open on this node with another
 * Y.Doc does the provider fall back to bridging the two (`DocBridge`).
 */
import * as Y from 'yjs'
import { ObservableV2 } from 'lib0/observable'
import { Awareness, removeAwarenessStates } from 'y-protocols/awareness'
import type { DocHandle, SyncStatus, Weft } from '../types.js'
import { DocBridge } from './doc-bridge.js'
import type { AwarenessChannel } from '../presence/channel.js'
import type { AwarenessLimits } from '../presence/gate.js'
import { DOC_ID_SYNTAX, isValidDocId } from '../doc-id.js'

/** y-websocket's connection states. */
export type ProviderStatus = 'connecting' | 'connected' | 'disconnected'

export interface ProviderStatusEvent {
  status: ProviderStatus
  /** The engine's own status, or 'disconnected' while the provider is disconnected. */
  weftStatus: SyncStatus | 'disconnected'
}

export interface WeftProviderEvents {
  status: (event: ProviderStatusEvent) => void
  /** y-websocket emits both 'sync' and 'synced' with the same flag. */
  sync: (isSynced: boolean) => void
  synced: (isSynced: boolean) => void
  /** Local changes not yet known to have reached another peer. */
  delivery: (unconfirmed: number) => void
  peers: (peers: string[]) => void
  'connection-error': (error: Error, provider: WeftProvider) => void
}

export interface WeftProviderOptions {
  /** The weft node (from `createWeft`) that replicates the document. */
  weft: Weft
  /** Connect on construction. Default true (as y-websocket). */
  connect?: boolean
  /** Use this Awareness instead of creating one for `doc`. */
  awareness?: Awareness
  /** Presence limits (size cap, send throttle, per-peer rate). Defaults in `DEFAULT_AWARENESS_LIMITS`. */
  awarenessLimits?: Partial<AwarenessLimits>
}

export class WeftProvider extends ObservableV2<WeftProviderEvents> {
  readonly docId: string
  readonly doc: Y.Doc
  readonly weft: Weft
  readonly awareness: Awareness
  /** The engine handle while connected. */
  handle: DocHandle | null = null
  /** Whether the app wants to be connected (as y-websocket's `shouldConnect`). */
  shouldConnect = false

  private readonly ownsAwareness: boolean
  private readonly awarenessLimits: Partial<AwarenessLimits> | undefined
  private bridge: DocBridge | null = null
  private channel: AwarenessChannel | null = null
  private generation = 0
  private _synced = false
  private lastStatus: ProviderStatusEvent = { status: 'disconnected', weftStatus: 'disconnected' }
  private destroyed = false
  private pendingRelease: Promise<void> = Promise.resolve()
  private connecting: Promise<void> = Promise.resolve()
  private offlineUnconfirmed = 0

  constructor (docId: string, doc: Y.Doc, options: WeftProviderOptions) {
    super()
    if (options?.weft == null) throw new TypeError('WeftProvider needs { weft }')
    if (!isValidDocId(docId)) {
      throw new TypeError(`WeftProvider: document id ${JSON.stringify(docId)} is not a weft id (${DOC_ID_SYNTAX}); ` +
        'create one with weft.create() or newDocId()')
    }
    this.docId = docId
    this.doc = doc
    this.weft = options.weft
    this.ownsAwareness = options.awareness == null
    this.awareness = options.awareness ?? new Awareness(doc)
    this.awarenessLimits = options.awarenessLimits
    // Until bridged, the app's changes are counted as unconfirmed here.
    this.doc.on('update', this.onOfflineUpdate)
    if (options.connect !== false) void this.connect()
  }

  /** y-websocket's `wsconnected` / y-webrtc's `connected`: at least one peer replicates the document. */
  get connected (): boolean { return this.lastStatus.status === 'connected' }
  get status (): ProviderStatus { return this.lastStatus.status }
  get weftStatus (): SyncStatus | 'disconnected' { return this.lastStatus.weftStatus }
  get synced (): boolean { return this._synced }
  /**
   * Local changes not yet known to have reached any other peer: the engine's
   * count of unconfirmed envelopes while connected; while disconnected, the
   * last count plus the app's updates since (none of them can have left).
   */
  get unconfirmed (): number { return this.handle?.unconfirmed ?? this.offlineUnconfirmed }
  /** Hocuspocus' name for the same question: local changes no other peer is known to hold. */
  get hasUnsyncedChanges (): boolean { return this.unconfirmed > 0 }
  /** @deprecated the same as `hasUnsyncedChanges`. */
  get hasUnconfirmedChanges (): boolean { return this.hasUnsyncedChanges }
  get peers (): string[] { return this.handle?.peers ?? [] }
  /** Presence counters: sent, received, applied, dropped by reason. */
  get awarenessStats (): AwarenessChannel['stats'] | undefined { return this.channel?.stats }

  /** Opens the document on the weft node and starts bridging doc and presence. Resolves once bridged. */
  async connect (): Promise<void> {
    if (this.destroyed) throw new Error('WeftProvider destroyed')
    if (this.shouldConnect) { await this.connecting; return }
    this.shouldConnect = true
    const gen = ++this.generation
    this.setStatus('connecting', 'connecting')
    this.connecting = this.open(gen)
    await this.connecting
  }

  private async open (gen: number): Promise<void> {
    let handle: DocHandle
    let bridge: DocBridge | null = null
    try {
      await this.pendingRelease
      try {
        handle = await this.weft.open(this.docId, { doc: this.doc, origin: this })
      } catch (err) {
        if ((err as Error)?.name !== 'DocAdoptionError') throw err
        // Open on this node with another Y.Doc (another provider, or the app itself): bridge the two.
        handle = await this.weft.open(this.docId)
        bridge = new DocBridge(this.doc, handle.doc, this)
      }
    } catch (err) {
      if (gen === this.generation) {
        this.shouldConnect = false
        this.setStatus('disconnected', 'disconnected')
        this.emit('connection-error', [err as Error, this])
      }
      return
    }
    if (gen !== this.generation) {
      // Disconnected while the document was opening: the engine already took in the app's
      // edits (adopted or bridged); seal them and release the lease.
      bridge?.start()
      bridge?.stop()
      this.pendingRelease = this.release(handle)
      return
    }
    this.handle = handle
    this.doc.off('update', this.onOfflineUpdate)
    this.bridge = bridge
    this.bridge?.start()
    handle.on('status', this.onHandleStatus)
    handle.on('peers', this.onHandlePeers)
    handle.on('delivery', this.onHandleDelivery)
    this.channel = this.weft.presence(this.docId, this.awareness, this.awarenessLimits)
    this.onHandleStatus(handle.status)
    this.emit('delivery', [handle.unconfirmed])
  }

  /** Gives the lease back; closing seals and stores what reached the engine first. */
  private async release (handle: DocHandle): Promise<void> {
    await handle.close().catch(() => {})
  }

  /** Stops replicating; the app's doc and local presence stay as they are. */
  disconnect (): void {
    this.shouldConnect = false
    this.generation++
    const handle = this.handle
    this.handle = null
    this.channel?.destroy()
    this.channel = null
    // Remote presence goes with the connection (y-websocket does the same on close).
    const remote = [...this.awareness.getStates().keys()].filter(c => c !== this.awareness.clientID)
    if (remote.length > 0) removeAwarenessStates(this.awareness, remote, this)
    this.bridge?.stop()
    this.bridge = null
    if (handle != null) this.offlineUnconfirmed = handle.unconfirmed
    this.doc.off('update', this.onOfflineUpdate)
    if (!this.destroyed) this.doc.on('update', this.onOfflineUpdate)
    if (handle != null) {
      handle.off('status', this.onHandleStatus)
      handle.off('peers', this.onHandlePeers)
      handle.off('delivery', this.onHandleDelivery)
      this.pendingRelease = this.release(handle)
    }
    this.setSynced(false)
    this.setStatus('disconnected', 'disconnected')
  }

  /** Resolves once caught up with a peer holding the document. */
  async whenSynced (options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this._synced) return
    await new Promise<void>((resolve, reject) => {
      const onSync = (s: boolean): void => { if (s) { cleanup(); resolve() } }
      const onAbort = (): void => { cleanup(); reject(options.signal?.reason ?? new Error('aborted')) }
      const cleanup = (): void => {
        this.off('sync', onSync)
        options.signal?.removeEventListener('abort', onAbort)
      }
      if (options.signal?.aborted === true) { onAbort(); return }
      this.on('sync', onSync)
      options.signal?.addEventListener('abort', onAbort)
    })
  }

  /** Resolves once every local change so far is sealed and durable in the local store. */
  async flush (): Promise<void> {
    await this.connecting
    await this.pendingRelease
    await this.handle?.flush()
  }

  /**
   * Disconnects (announcing that our presence left), and releases listeners.
   * The returned promise settles once the engine handle is flushed and closed.
   */
  override destroy (): Promise<void> {
    if (!this.destroyed) {
      this.disconnect()
      this.destroyed = true
      this.doc.off('update', this.onOfflineUpdate)
      if (this.ownsAwareness) this.awareness.destroy()
      super.destroy()
    }
    // An open still in flight ends in a hand-over that sets pendingRelease: wait for both.
    return (async () => {
      await this.connecting
      await this.pendingRelease
    })()
  }

  private readonly onHandleStatus = (weftStatus: SyncStatus): void => {
    if (!this.shouldConnect) return
    const status: ProviderStatus = weftStatus === 'syncing' || weftStatus === 'synced' ? 'connected' : 'connecting'
    this.setStatus(status, weftStatus)
    // Sticky like y-websocket's: a catch-up round with a new gap ('syncing') does not
    // un-sync the app; losing every peer does.
    if (weftStatus === 'synced') this.setSynced(true)
    else if (status !== 'connected') this.setSynced(false)
  }

  private readonly onOfflineUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this) return
    this.offlineUnconfirmed++
    this.emit('delivery', [this.offlineUnconfirmed])
  }

  private readonly onHandlePeers = (peers: string[]): void => {
    this.emit('peers', [peers])
  }

  private readonly onHandleDelivery = (unconfirmed: number): void => {
    this.emit('delivery', [unconfirmed])
  }

  private setStatus (status: ProviderStatus, weftStatus: SyncStatus | 'disconnected'): void {
    if (this.lastStatus.status === status && this.lastStatus.weftStatus === weftStatus) return
    this.lastStatus = { status, weftStatus }
    this.emit('status', [{ status, weftStatus }])
  }

  private setSynced (synced: boolean): void {
    if (this._synced === synced) return
    this._synced = synced
    this.emit('synced', [synced])
    this.emit('sync', [synced])
  }
}
