import { test } from 'node:test'
import assert from 'node:assert/strict'
import { peersToDisconnect, ConnectionBudget, type PeerView } from '../src/net/connection-budget.js'
import { PROTOCOL } from '../src/defaults.js'
import { Peers, waitFor } from './support/peers.js'

const limits = { floor: 2, holdersPerDoc: 2, graceMs: 10_000 }

/** A peer we dialled, old enough, idle, sharing `docs`: closable unless a rule keeps it. */
function peer (name: string, docs: string[] = [], extra: Partial<PeerView> = {}): PeerView {
  return {
    peer: name,
    dialledByUs: true,
    relayed: false,
    ageMs: 60_000,
    busy: false,
    protected: false,
    inMesh: false,
    docs,
    ...extra
  }
}

test('the budget closes links that no document needs, down to the floor and never below', () => {
  const peers = [peer('dht1'), peer('dht2'), peer('dht3'), peer('dht4')]
  assert.deepEqual(peersToDisconnect(peers, limits), ['dht1', 'dht2'])
  assert.deepEqual(peersToDisconnect(peers.slice(0, 2), limits), [], 'at the floor: nothing')
})

test('the budget keeps what a rule protects', () => {
  const filler = [peer('a', ['x']), peer('b', ['x']), peer('c', ['x'])]
  const cases: Array<[string, Partial<PeerView>]> = [
    ['the remote dialled it', { dialledByUs: false }],
    ['it is relayed', { relayed: true }],
    ['it is younger than the grace', { ageMs: 5_000 }],
    ['a sync stream is open', { busy: true }],
    ['something tagged it keep-alive', { protected: true }],
    ['it is in a gossipsub mesh', { inMesh: true }]
  ]
  for (const [why, extra] of cases) {
    assert.deepEqual(peersToDisconnect([...filler, peer('kept', [], extra)], { ...limits, holdersPerDoc: 3 }), [],
      `kept when ${why}`)
  }
})

test('a document keeps its holders: extra holders go, the last ones stay', () => {
  const peers = [peer('h1', ['x']), peer('h2', ['x']), peer('h3', ['x']), peer('h4', ['x', 'y']), peer('other', ['y'])]
  // x has 4 holders, y has 2: x may lose two (down to 2); h4 and other hold y, which has only 2.
  assert.deepEqual(peersToDisconnect(peers, { ...limits, floor: 0 }), ['h1', 'h2'])
})

test('peers that share the fewest documents go first', () => {
  const peers = [peer('many', ['x', 'y']), peer('none'), peer('one', ['x'])]
  assert.deepEqual(peersToDisconnect(peers, { floor: 1, holdersPerDoc: 0, graceMs: 0 }), ['none', 'one'])
})

test('with real peers: links this peer dialled for nothing are closed and stay closed; the holder stays', {
  timeout: 60_000
}, async () => {
  const peers = new Peers()
  try {
    // a looks its document up in the DHT only every 10 min: a lookup walk dials whom it needs,
    // which would reopen a link for a reason of its own (the next round closes it again).
    const a = await peers.start({ discoveryIntervalMs: 600_000 })
    const b = await peers.start()
    const c = await peers.start()
    const d = await peers.start()
    const started = Date.now()
    const h = await a.create()
    await a.dial(b.multiaddrs)
    await a.dial(c.multiaddrs)
    await a.dial(d.multiaddrs)
    const hb = await b.open(h.id)
    await hb.whenSynced({ signal: AbortSignal.timeout(20_000) })
    const budget = new ConnectionBudget({
      libp2p: a.libp2p,
      docsByPeer: () => new Map([[b.libp2p.peerId.toString(), [h.id]]]),
      meshPeers: () => new Set(),
      busyProtocols: [PROTOCOL.sync],
      dropKadKeepAlive: true
    }, { floor: 1, holdersPerDoc: 0, graceMs: 0 }, 60_000)
    const connected = (x: typeof b): boolean => a.libp2p.getConnections(x.libp2p.peerId).length > 0
    assert.ok(connected(c) && connected(d))
    // kad-dht tags its closest peers keep-alive on its first refresh (5 s after start), and c's
    // and d's own budgets take the tag off in their next round (every 3 s); otherwise libp2p on
    // their side would dial a straight back when a hangs up.
    await new Promise(resolve => setTimeout(resolve, Math.max(0, started + 9_000 - Date.now())))
    const keptAlive = async (x: typeof b): Promise<boolean> =>
      (await x.libp2p.peerStore.get(a.libp2p.peerId)).tags.has('keep-alive-kad-dht')
    await waitFor('no keep-alive tag for a at c and d',
      async () => !(await keptAlive(c)) && !(await keptAlive(d)), 15_000)
    const closed = await budget.trim()
    assert.deepEqual(new Set(closed), new Set([c.libp2p.peerId.toString(), d.libp2p.peerId.toString()]))
    await waitFor('c and d disconnected', () => !connected(c) && !connected(d), 5_000)
    assert.ok(connected(b), 'the holder of the shared document keeps its link (closed last, and the floor is 1)')
    // Nobody dials them back (neither libp2p's reconnect queue nor the DHT).
    await new Promise(resolve => setTimeout(resolve, 3_000))
    assert.ok(!connected(c) && !connected(d), 'closed links stay closed')
    h.doc.getText('t').insert(0, 'still syncing')
    await waitFor('b still gets edits', () => hb.doc.getText('t').toString() === 'still syncing', 10_000)
  } finally {
    await peers.cleanup()
  }
})

test("weft's own DHT pings a contact only over an open link: hearing of a peer does not dial it", {
  timeout: 60_000
}, async () => {
  const peers = new Peers()
  try {
    const a = await peers.start()
    const c = await peers.start()
    await a.libp2p.peerStore.merge(c.libp2p.peerId, { multiaddrs: c.libp2p.getMultiaddrs() })
    await assert.rejects(a.libp2p.services.ping.ping(c.libp2p.peerId, { signal: AbortSignal.timeout(5_000) }),
      /not connected/)
    assert.equal(a.libp2p.getConnections(c.libp2p.peerId).length, 0, 'no dial for a ping')
    await a.dial(c.multiaddrs)
    const rtt = await a.libp2p.services.ping.ping(c.libp2p.peerId, { signal: AbortSignal.timeout(5_000) })
    assert.ok(rtt >= 0, 'over an open link the ping goes through')
  } finally {
    await peers.cleanup()
  }
})
