import { logger } from '@libp2p/logger'
import { KEEP_ALIVE } from '@libp2p/interface'
import type { Connection, Libp2p, PeerId, PeerUpdate } from '@libp2p/interface'

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
  private listening = false
  /** Peers whose kad-dht keep-alive tag is being taken off now. */
  private readonly untagging = new Set<string>()

  constructor (
    private readonly c: ConnectionBudgetComponents,
    private readonly limits: BudgetLimits,
    private readonly intervalMs: number
  ) {}

  start (): void {
    this.timer ??= setInterval(() => { void this.trim() }, this.intervalMs)
    // A timer must not keep a process alive that has nothing else to do.
    this.timer.unref?.()
    if (this.c.dropKadKeepAlive && !this.listening) {
      this.listening = true
      this.c.libp2p.addEventListener('peer:update', this.onPeerUpdate)
    }
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
    if (this.listening) this.c.libp2p.removeEventListener('peer:update', this.onPeerUpdate)
    this.listening = false
  }

  /**
   * kad-dht's keep-alive tag comes off as soon as kad-dht sets it, on every link, not only on
   * links this side may close: the peer at the other end decides about the link too. Watching
   * peer-store updates spares a peer-store read per connected peer per round (at 25 peers, most
   * of the budget's idle cost).
   */
  private readonly onPeerUpdate = (evt: CustomEvent<PeerUpdate>): void => {
    const { peer } = evt.detail
    if (!peer.tags.has(KAD_KEEP_ALIVE)) return
    // Peer-store updates come with every stream opened (its protocol is recorded): one untag at a time.
    const key = peer.id.toString()
    if (this.untagging.has(key)) return
    this.untagging.add(key)
    void this.untag(peer.id).finally(() => { this.untagging.delete(key) })
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
    if (byPeer.size <= this.limits.floor) return []
    const mesh = this.c.meshPeers()
    const docs = this.c.docsByPeer()
    const now = Date.now()
    const views: PeerView[] = []
    for (const [peer, conns] of byPeer) {
      const view: PeerView = {
        peer,
        dialledByUs: conns.every(c => c.direction === 'outbound'),
        relayed: conns.some(c => c.limits !== undefined),
        ageMs: Math.min(...conns.map(c => now - c.timeline.open)),
        busy: conns.some(c => c.streams.some(s => this.c.busyProtocols.includes(s.protocol ?? ''))),
        protected: false,
        inMesh: mesh.has(peer),
        docs: docs.get(peer) ?? []
      }
      // Tags matter only for a peer the budget could close: read the peer store for those alone.
      if (view.dialledByUs && !view.relayed && !view.busy && !view.inMesh && view.ageMs >= this.limits.graceMs) {
        const tags = await this.c.libp2p.peerStore.get(conns[0].remotePeer)
          .then(p => p.tags, () => new Map<string, unknown>())
        view.protected = [...tags.keys()].some(t => t.startsWith(KEEP_ALIVE) && t !== KAD_KEEP_ALIVE)
      }
      views.push(view)
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
