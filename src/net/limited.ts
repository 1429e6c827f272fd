/**
 * Relayed (circuit relay v2) connections are "limited": the relay caps the bytes and the time
 * each may carry, and libp2p refuses to open a stream on one unless the protocol opts in with
 * `runOnLimitedConnection`. What weft runs on them:
 *
 * - over a limited connection: identify, ping, DCUtR (libp2p's own), gossipsub (document and
 *   presence topics, beacons), `/weft/sync` and `/weft/heads` (catch-up). A document therefore
 *   syncs through a relay when no direct path exists, within the relay's limits; when a relay
 *   cuts a connection at its limit, the peers reconnect through it and catch up again.
 * - only over a direct connection: the Kademlia DHT (queries, provider records), which would spend
 *   a relay's budget on third parties' lookups.
 *
 * Once hole punching (DCUtR) opens a direct connection it closes the relayed one; any other direct
 * connection to the peer (a WebRTC one signalled through the relay, a plain dial) does the same
 * here (`closeRelayedOnceDirect`). Streams then move: catch-up streams prefer a direct connection
 * whenever one is open (`openStream`), and gossipsub, whose streams die with the relayed
 * connection, opens new ones on the direct one once the peer is identified on it again after the
 * relayed one closed (`reannounce`; tested in test/relay.test.ts and test/browser-webrtc.test.ts).
 */
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'

/** Handler options for a weft protocol that also runs through relays. */
export const ON_LIMITED = { runOnLimitedConnection: true } as const

/** True for a connection that runs through a relay with limits. */
export function isLimited (connection: Connection): boolean {
  return connection.limits != null
}

/**
 * A stream to `peer` on its best open connection: a direct (unlimited) one when there is one,
 * else a relayed one. libp2p's `dialProtocol` never reuses a limited connection (it dials the
 * peer again, through the relay, for each stream), so the choice is made here.
 */
export async function openStream (
  libp2p: Libp2p, peer: PeerId, protocol: string, options: { signal?: AbortSignal } = {}
): Promise<Stream> {
  const open = libp2p.getConnections(peer).filter(c => c.status === 'open')
  const best = open.find(c => !isLimited(c)) ?? open[0]
  if (best === undefined) return await libp2p.dialProtocol(peer, protocol, { ...options, ...ON_LIMITED })
  return await best.newStream(protocol, { ...options, ...ON_LIMITED })
}

/**
 * How long a relayed connection outlives a direct one to the same peer. WebRTC signals over the
 * relayed connection and may still be finishing there when its own connection opens.
 */
const RELAYED_GRACE_MS = 2_000

/**
 * Closes the relayed connections to a peer once a direct one to it is open, as DCUtR does after a
 * hole punch: otherwise gossipsub keeps the streams it opened first, on the relay, and every edit
 * goes on spending the relay's data limit (measured in the lab: a WebRTC connection stood, and
 * 64 KiB written afterwards still crossed the relay host).
 */
export function closeRelayedOnceDirect (libp2p: Libp2p): void {
  libp2p.addEventListener('connection:open', event => {
    const direct = event.detail
    if (isLimited(direct)) return
    const timer = setTimeout(() => {
      if (libp2p.status !== 'started' || direct.status !== 'open') return
      const relayed = libp2p.getConnections(direct.remotePeer).filter(isLimited)
      if (relayed.length === 0) return
      void Promise.allSettled(relayed.map(async c => { await c.close() })).then(async () => {
        await reannounce(libp2p, direct)
      })
    }, RELAYED_GRACE_MS)
    timer.unref?.()
  })
}

/**
 * Tells the protocols again that `direct` is there, by identifying the peer on it once more.
 * gossipsub opens its stream to a peer once, on the first connection (the relayed one, for a
 * WebRTC connection signalled through it), and again only when told of a connection while it has
 * none: without this its streams died with the relayed connection and live edits stopped crossing
 * the direct one (seen between two Chromium pages once their relay went away).
 */
async function reannounce (libp2p: Libp2p, direct: Connection): Promise<void> {
  const identify = (libp2p.services as { identify?: { identify: (c: Connection) => Promise<unknown> } }).identify
  if (identify === undefined || libp2p.status !== 'started' || direct.status !== 'open') return
  await identify.identify(direct).catch(() => {})
}
