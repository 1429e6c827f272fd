import * as Y from 'yjs'

/**
 * Keeps two Y.Docs equal: the app's own document and the one a weft handle
 * replicates. Each side's updates are applied to the other with an origin the
 * other side's listener recognises and skips, so nothing echoes back.
 *
 * - app -> engine: applied with the bridge as origin. The engine treats any
 *   non-remote origin as a local edit, so the change is sealed, signed and
 *   published like an edit made on `handle.doc` directly.
 * - engine -> app: applied with `appOrigin` (the provider, as y-websocket
 *   does), so editor bindings and `Y.UndoManager` see a remote change.
 *
 * On start both sides exchange only what the other lacks (state-vector diff),
 * which also carries edits made while the bridge was stopped.
 *
 * Cost: the document lives twice in memory and every update is integrated
 * twice. An engine that adopts an app-owned doc (`weft.open(id, { doc })`)
 * would make this class unnecessary.
 */
export class DocBridge {
  private running = false

  constructor (
    readonly appDoc: Y.Doc,
    readonly engineDoc: Y.Doc,
    readonly appOrigin: unknown
  ) {
    if (appDoc === engineDoc) throw new Error('DocBridge needs two distinct documents')
  }

  get started (): boolean { return this.running }

  start (): void {
    if (this.running) return
    this.running = true
    const toApp = Y.encodeStateAsUpdate(this.engineDoc, Y.encodeStateVector(this.appDoc))
    const toEngine = Y.encodeStateAsUpdate(this.appDoc, Y.encodeStateVector(this.engineDoc))
    this.appDoc.on('update', this.onAppUpdate)
    this.engineDoc.on('update', this.onEngineUpdate)
    if (!isEmptyUpdate(toApp)) Y.applyUpdate(this.appDoc, toApp, this.appOrigin)
    if (!isEmptyUpdate(toEngine)) Y.applyUpdate(this.engineDoc, toEngine, this)
  }

  stop (): void {
    if (!this.running) return
    this.running = false
    this.appDoc.off('update', this.onAppUpdate)
    this.engineDoc.off('update', this.onEngineUpdate)
  }

  private readonly onAppUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this.appOrigin || origin === this) return
    Y.applyUpdate(this.engineDoc, update, this)
  }

  private readonly onEngineUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return
    Y.applyUpdate(this.appDoc, update, this.appOrigin)
  }
}

/** An update with no structs and an empty delete set (what a diff of equal docs encodes to). */
function isEmptyUpdate (update: Uint8Array): boolean {
  return update.byteLength <= 2 && update.every(b => b === 0)
}
