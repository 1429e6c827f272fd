import { logger } from '@libp2p/logger'
import { KEEP_ALIVE } from '@libp2p/interface'
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

const log = logger('weft:connection-budget')

/** kad-dht's keep-alive tag on its closest peers (`${KEEP_ALIVE}-kad-dht`). */
const KAD_KEEP_ALIVE = `${KEEP_ALIVE}-kad-dht`

/** One connected peer, as the budget sees it. */
export interface PeerView {
  peer: string
  /** Every connection to it was opened by us: the remote did not ask for this link. */
  dialledByUs: boolean
  /** Any connection to it is relayed (limited): those are the relay code's to manage. */
  relayed: boolean
  /** Age of its youngest connection, ms. */
  ageMs: number
  /** A sync, heads or DHT stream is open to it right now. */
  busy: boolean
  /** Something else wants it kept (a keep-alive tag other than kad-dht's: relays, the app). */
  protected: boolean
  /** It is in our gossipsub mesh of at least one topic: closing it would make gossipsub regraft. */
  inMesh: boolean
  /** Documents we hold that it holds too. */
  docs: string[]
}

export interface BudgetLimits {
  /** Never fewer connected peers than this. */
  floor: number
  /** A document keeps at least this many connected holders. */
  holdersPerDoc: number
  /** Connections younger than this are kept: the peer may not have joined our meshes yet. */
  graceMs: number
}

/**
 * Which peers to disconnect. A peer goes only if we dialled it, it carries no sync, it is in no
 * gossipsub mesh, nothing protects it, and every document it shares with us keeps more than
 * `holdersPerDoc` connected holders without it; and never below `floor` peers in all.
 * Only the side that dialled closes, so two peers never fight over one link (one closing what
 * the other keeps re-dialling). Peers sharing the fewest documents go first.
 */
export function peersToDisconnect (peers: PeerView[], limits: BudgetLimits): string[] {
  const holders = new Map<string, number>()
  for (const p of peers) for (const d of p.docs) holders.set(d, (holders.get(d) ?? 0) + 1)
  let remaining = peers.length
  const out: string[] = []
  const candidates = peers
    .filter(p => p.dialledByUs && !p.relayed && !p.busy && !p.protected && !p.inMesh && p.ageMs >= limits.graceMs)
    .sort((a, b) => a.docs.length - b.docs.length || b.ageMs - a.ageMs)
  for (const p of candidates) {
    if (remaining <= limits.floor) break
    if (!p.docs.every(d => (holders.get(d) ?? 0) > limits.holdersPerDoc)) continue
    out.push(p.peer)
    remaining--
    for (const d of p.docs) holders.set(d, (holders.get(d) ?? 0) - 1)
  }
  return out
}

export interface ConnectionBudgetComponents {
  libp2p: Libp2p
  /** For each connected peer, the documents we hold that it holds too. */
  docsByPeer: () => Map<string, string[]>
  /** Peers in our gossipsub mesh of any topic. */
  meshPeers: () => Set<string>
  /** Stream protocols that mean the link is doing sync work now. */
  busyProtocols: readonly string[]
  /**
   * Take kad-dht's keep-alive tag off its closest peers. On weft's own DHT those links are not
   * worth keeping open (records live on k peers and walks dial what they need), and with the tag,
   * whichever side did not close a link dials it straight back (libp2p's reconnect queue): at 25
   * peers that undid most of what the budget closed.
   */
  dropKadKeepAlive: boolean
  onClosed?: (peer: string) => void
}

/**
 * Closes the connections nobody needs any more. kad-dht walks dial a large share of a small
 * network and never hang up, and it keeps its 20 closest peers alive on top: in a 25-peer
 * network every peer ended up linked to every other (24 each, a bare gossipsub mesh needs ~7),
 * and each link costs pings, identify, gossip control and a share of every message. libp2p
 * itself only prunes above `maxConnections`.
 */
export class ConnectionBudget {
  private timer: ReturnType<typeof setInterval> | undefined

  constructor (
    private readonly c: ConnectionBudgetComponents,
    private readonly limits: BudgetLimits,
    private readonly intervalMs: number
  ) {}

  start (): void {
    this.timer ??= setInterval(() => { void this.trim() }, this.intervalMs)
    // A timer must not keep a process alive that has nothing else to do.
    this.timer.unref?.()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** One round: look at every connected peer, close what the budget says. Returns the peers closed. */
  async trim (): Promise<string[]> {
    const byPeer = new Map<string, Connection[]>()
    for (const conn of this.c.libp2p.getConnections()) {
      const key = conn.remotePeer.toString()
      const list = byPeer.get(key)
      if (list === undefined) byPeer.set(key, [conn])
      else list.push(conn)
    }
    const tags = new Map<string, Map<string, unknown>>()
    for (const [peer, conns] of byPeer) {
      const remote = conns[0].remotePeer
      const t = await this.c.libp2p.peerStore.get(remote).then(p => p.tags, () => new Map<string, unknown>())
      // Every round, not only above the floor: the peer at the other end of a link decides too.
      if (this.c.dropKadKeepAlive && t.has(KAD_KEEP_ALIVE)) await this.untag(remote)
      tags.set(peer, t)
    }
    if (byPeer.size <= this.limits.floor) return []
    const mesh = this.c.meshPeers()
    const docs = this.c.docsByPeer()
    const now = Date.now()
    const views: PeerView[] = []
    for (const [peer, conns] of byPeer) {
      const peerTags = tags.get(peer) ?? new Map<string, unknown>()
      views.push({
        peer,
        dialledByUs: conns.every(c => c.direction === 'outbound'),
        relayed: conns.some(c => c.limits !== undefined),
        ageMs: Math.min(...conns.map(c => now - c.timeline.open)),
        busy: conns.some(c => c.streams.some(s => this.c.busyProtocols.includes(s.protocol ?? ''))),
        protected: [...peerTags.keys()].some(t => t.startsWith(KEEP_ALIVE) && t !== KAD_KEEP_ALIVE),
        inMesh: mesh.has(peer),
        docs: docs.get(peer) ?? []
      })
    }
    const close = peersToDisconnect(views, this.limits)
    for (const peer of close) {
      const remote = byPeer.get(peer)?.[0].remotePeer
      if (remote === undefined) continue
      log('closing %s: not needed by any document, no mesh, %d peers left', peer, byPeer.size - close.length)
      // kad-dht's keep-alive tag would make libp2p dial it straight back.
      await this.untag(remote)
      await this.c.libp2p.hangUp(remote).catch(() => {})
      this.c.onClosed?.(peer)
    }
    return close
  }

  private async untag (peer: PeerId): Promise<void> {
    await this.c.libp2p.peerStore.merge(peer, { tags: { [KAD_KEEP_ALIVE]: undefined } }).catch(() => {})
  }
}
