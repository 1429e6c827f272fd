/**
 * The page-side half of the Chromium tests: bundled with the browser build of
 * weft (src/browser.ts), y-codemirror.next and CodeMirror 6, and driven from
 * Node through `window.weftTest` with playwright's `page.evaluate`.
 */
import * as Y from 'yjs'
import { EditorView, drawSelection, keymap } from '@codemirror/view'
import { yUndoManagerKeymap } from 'y-codemirror.next'
import { yCollab } from 'y-codemirror.next'
import { multiaddr } from '@multiformats/multiaddr'
import { createWeft, WeftProvider, type Weft } from '../../src/browser.js'

interface Session {
  weft: Weft
  docs: Map<string, { doc: Y.Doc, provider: WeftProvider, view?: EditorView }>
}

let session: Session | undefined

function entry (docId: string): { doc: Y.Doc, provider: WeftProvider, view?: EditorView } {
  const e = session?.docs.get(docId)
  if (e == null) throw new Error(`document ${docId} is not open`)
  return e
}

const api = {
  /** Starts the browser's weft peer, bootstrapped to the Node peer's /ws address. */
  async start (options: {
    bootstrap: string[], dataDir?: string, listen?: string[], iceServers?: string[]
  }): Promise<{ peerId: string }> {
    const weft = await createWeft({
      bootstrap: options.bootstrap,
      dataDir: options.dataDir,
      listen: options.listen,
      nat: options.iceServers === undefined ? undefined : { iceServers: options.iceServers },
      beaconIntervalMs: 2_000,
      discoveryIntervalMs: 5_000,
      network: { allowPrivateDials: true, gossipHeartbeatMs: 200 }
    })
    session = { weft, docs: new Map() }
    return { peerId: weft.peerId }
  },

  /** The addresses this peer announces (a browser's are relay ones: `/p2p-circuit`, `/p2p-circuit/webrtc`). */
  multiaddrs (): string[] {
    return session?.weft.multiaddrs ?? []
  },

  /** Dials `address`; a failure names the dial's progress stages, to tell where it stopped. */
  async dial (address: string): Promise<void> {
    if (session == null) throw new Error('not started')
    const stages: string[] = []
    const t0 = performance.now()
    try {
      await session.weft.libp2p.dial(multiaddr(address), {
        signal: AbortSignal.timeout(20_000),
        onProgress: (event: { type: string, detail?: unknown }) => {
          const detail = typeof event.detail === 'string' ? `(${event.detail})` : ''
          stages.push(`${event.type}${detail}@${(performance.now() - t0).toFixed(0)}`)
        }
      })
    } catch (err: any) {
      throw new Error(`dial failed after ${(performance.now() - t0).toFixed(0)} ms: ${String(err?.message ?? err)}; ` +
        `stages: ${stages.join(' ')}`)
    }
  },

  /** Open connections to `peerId`: remote address and whether the relay limits it. */
  connectionsTo (peerId: string): Array<{ remoteAddr: string, limited: boolean }> {
    return (session?.weft.libp2p.getConnections() ?? [])
      .filter(c => c.remotePeer.toString() === peerId && c.status === 'open')
      .map(c => ({ remoteAddr: c.remoteAddr.toString(), limited: c.limits != null }))
  },

  connectedPeers (): string[] {
    return session?.weft.connectedPeers().map(p => p.id) ?? []
  },

  /** An app-owned Y.Doc with a WeftProvider around it. */
  open (docId: string, user?: { name: string, color: string }): void {
    if (session == null) throw new Error('not started')
    const doc = new Y.Doc()
    const provider = new WeftProvider(docId, doc, { weft: session.weft })
    if (user != null) provider.awareness.setLocalStateField('user', { ...user, colorLight: user.color + '33' })
    session.docs.set(docId, { doc, provider })
  },

  insert (docId: string, index: number, text: string): void {
    entry(docId).doc.getText('text').insert(index, text)
  },

  text (docId: string): string {
    return entry(docId).doc.getText('text').toString()
  },

  state (docId: string): { status: string, weftStatus: string, synced: boolean, unconfirmed: number, peers: string[] } {
    const { provider } = entry(docId)
    return {
      status: provider.status,
      weftStatus: provider.weftStatus,
      synced: provider.synced,
      unconfirmed: provider.unconfirmed,
      peers: provider.peers
    }
  },

  /** Remote presence as plain JSON: clientID -> state. */
  presence (docId: string): Record<string, any> {
    const { provider } = entry(docId)
    const out: Record<string, any> = {}
    provider.awareness.getStates().forEach((state, client) => {
      if (client !== provider.awareness.clientID) out[String(client)] = state
    })
    return out
  },

  awarenessStats (docId: string): unknown {
    return entry(docId).provider.awarenessStats
  },

  setPresence (docId: string, field: string, value: unknown): number {
    const { provider } = entry(docId)
    provider.awareness.setLocalStateField(field, value)
    return provider.awareness.clientID
  },

  /** Mounts CodeMirror 6 bound to the document's Y.Text and presence, unchanged y-codemirror.next. */
  mountEditor (docId: string): void {
    const e = entry(docId)
    const ytext = e.doc.getText('text')
    const parent = document.createElement('div')
    parent.id = `editor-${docId}`
    document.body.appendChild(parent)
    e.view = new EditorView({
      doc: ytext.toString(),
      extensions: [drawSelection(), keymap.of(yUndoManagerKeymap), yCollab(ytext, e.provider.awareness)],
      parent
    })
  },

  editorText (docId: string): string {
    return entry(docId).view?.state.doc.toString() ?? ''
  },

  /** Names on the remote carets CodeMirror drew. */
  remoteCaretNames (): string[] {
    return Array.from(document.querySelectorAll('.cm-ySelectionCaret .cm-ySelectionInfo'))
      .map(el => el.textContent ?? '')
  },

  async flush (docId: string): Promise<void> {
    await entry(docId).provider.flush()
  },

  async stop (): Promise<void> {
    if (session == null) return
    const s = session
    session = undefined
    for (const { provider, view } of s.docs.values()) {
      view?.destroy()
      await provider.destroy()
    }
    await s.weft.stop()
  }
}

export type WeftTestApi = typeof api

;(globalThis as any).weftTest = api
document.title = 'weft test page ready'
