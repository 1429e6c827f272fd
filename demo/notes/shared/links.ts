/**
 * Share links: `weft://<docId>?kind=note|notebook&peer=<multiaddr>&peer=...&from=<device name>`.
 * The id names the document; the peers are where to find it first (the DHT
 * finds other holders later). A link grants what the id grants: anyone holding
 * it can read and write the document.
 */
import { DOC_ID_PATTERN } from '../../../src/doc-id.js'

export type LinkKind = 'note' | 'notebook'

export interface WeftLink {
  kind: LinkKind
  docId: string
  /** Multiaddrs with /p2p/<peerId>. */
  peers: string[]
  /** The sharing device's name, to say whom a joiner is waiting for. */
  from?: string
}

const MAX_PEERS = 16

export function formatLink (link: WeftLink): string {
  // '/' may stay as it is in a query (RFC 3986), which keeps the multiaddrs readable.
  const peers = link.peers.slice(0, MAX_PEERS).map(p => `&peer=${encodeURIComponent(p).replaceAll('%2F', '/')}`)
  const from = link.from === undefined || link.from === '' ? '' : `&from=${encodeURIComponent(link.from)}`
  return `weft://${link.docId}?kind=${link.kind}${peers.join('')}${from}`
}

/** Parses a link; throws a readable error for anything else. */
export function parseLink (text: string): WeftLink {
  const trimmed = text.trim()
  const match = /^weft:\/\/([^/?#]+)\/?(?:\?([^#]*))?$/.exec(trimmed)
  if (match === null) throw new Error('not a weft:// link')
  const docId = match[1]
  if (!DOC_ID_PATTERN.test(docId)) throw new Error('the link does not hold a valid document id')
  const query = new URLSearchParams(match[2] ?? '')
  const kind = query.get('kind') ?? 'note'
  if (kind !== 'note' && kind !== 'notebook') throw new Error(`unknown link kind ${JSON.stringify(kind)}`)
  const peers = query.getAll('peer').filter(p => p.startsWith('/') && p.includes('/p2p/')).slice(0, MAX_PEERS)
  const from = query.get('from')?.trim().slice(0, 40)
  return from === undefined || from === '' ? { kind, docId, peers } : { kind, docId, peers, from }
}
