import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Peers, waitFor } from './support/peers.js'
import { docTopic } from '../src/sync/gossip.js'
import { MAX_TOPICS_PER_FRAME, setSubscribed } from '../src/sync/subscription-batch.js'
import type { PubSubLike } from '../src/sync/topic-gate.js'
import type { DocHandle } from '../src/index.js'

const nextTurn = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

/** gossipsub's shape, as far as the batch uses it, recording what would go on the wire. */
function fakeGossipSub (peerCount: number): PubSubLike & {
  frames: Array<{ peer: string, topics: string[], subscribe: boolean }>
  joined: string[]
  left: string[]
  subscriptions: Set<string>
} {
  const subscriptions = new Set<string>()
  const peers = new Map(Array.from({ length: peerCount }, (_, i) => [`peer-${i}`, {}]))
  const frames: Array<{ peer: string, topics: string[], subscribe: boolean }> = []
  const joined: string[] = []
  const left: string[] = []
  const sendSubscriptions = (peer: string, topics: string[], subscribe: boolean): void => {
    frames.push({ peer, topics, subscribe })
  }
  return {
    frames,
    joined,
    left,
    subscriptions,
    peers,
    sendSubscriptions,
    join: (topic: string) => { joined.push(topic) },
    leave: (topic: string) => { left.push(topic) },
    topicValidators: new Map(),
    // gossipsub's own calls: one frame per topic per peer
    subscribe: (topic: string) => {
      if (!subscriptions.has(topic)) {
        subscriptions.add(topic)
        for (const peer of peers.keys()) sendSubscriptions(peer, [topic], true)
      }
      joined.push(topic)
    },
    unsubscribe: (topic: string) => {
      if (subscriptions.delete(topic)) for (const peer of peers.keys()) sendSubscriptions(peer, [topic], false)
      left.push(topic)
    },
    publish: async () => {},
    getSubscribers: () => [],
    addEventListener: () => {},
    removeEventListener: () => {}
  } as any
}

describe('subscriptions made in one turn of the event loop travel together', () => {
  test('the first goes at once, the rest in one frame per peer; a topic left in the same turn sends nothing',
    async () => {
      const ps = fakeGossipSub(2)
      setSubscribed(ps, 't0', true)
      assert.equal(ps.frames.length, 2, 'the first change is not delayed')
      assert.ok(ps.subscriptions.has('t0'))
      for (let i = 1; i <= 10; i++) setSubscribed(ps, `t${i}`, true)
      setSubscribed(ps, 't5', false) // asked for and let go within the turn: never announced
      setSubscribed(ps, 't0', false)
      setSubscribed(ps, 't0', true) // let go and taken again: stays as it was
      assert.equal(ps.frames.length, 2, 'nothing more before the turn ends')
      await nextTurn()
      const added = ps.frames.slice(2)
      assert.equal(added.length, 2, 'one frame per peer')
      assert.deepEqual(added.map(f => f.peer).sort(), ['peer-0', 'peer-1'])
      for (const f of added) {
        assert.equal(f.subscribe, true)
        assert.deepEqual(f.topics, ['t1', 't2', 't3', 't4', 't6', 't7', 't8', 't9', 't10'])
      }
      assert.deepEqual([...ps.subscriptions].sort(), ['t0', 't1', 't10', 't2', 't3', 't4', 't6', 't7', 't8', 't9'])
      assert.ok(ps.joined.includes('t9') && !ps.joined.includes('t5'))

      // Leaving many at once: one frame per peer as well (the first, again, at once).
      for (let i = 0; i <= 10; i++) setSubscribed(ps, `t${i}`, false)
      await nextTurn()
      const removed = ps.frames.slice(4)
      assert.equal(removed.filter(f => f.subscribe).length, 0)
      assert.equal(removed.length, 2 + 2, 't0 alone at once, then the other nine together, per peer')
      assert.equal(ps.subscriptions.size, 0)
      assert.ok(ps.left.includes('t10'))
    })

  test(`a frame never holds more than ${MAX_TOPICS_PER_FRAME} topics (gossipsub refuses a frame of over 5,000)`,
    async () => {
      const ps = fakeGossipSub(1)
      const n = 2 * MAX_TOPICS_PER_FRAME + 501
      for (let i = 0; i < n; i++) setSubscribed(ps, `t${i}`, true)
      await nextTurn()
      assert.deepEqual(ps.frames.map(f => f.topics.length), [1, MAX_TOPICS_PER_FRAME, MAX_TOPICS_PER_FRAME, 500])
      assert.equal(ps.subscriptions.size, n)
    })

  test('a pubsub without gossipsub\'s members gets each change through its own calls, at once', () => {
    const calls: string[] = []
    const plain = {
      topicValidators: new Map(),
      subscribe: (t: string) => { calls.push(`+${t}`) },
      unsubscribe: (t: string) => { calls.push(`-${t}`) },
      publish: async () => {},
      getSubscribers: () => [],
      addEventListener: () => {},
      removeEventListener: () => {}
    }
    setSubscribed(plain, 'a', true)
    setSubscribed(plain, 'b', true)
    setSubscribed(plain, 'a', false)
    assert.deepEqual(calls, ['+a', '+b', '-a'])
  })

  test('real peers: 300 documents created in a loop reach a neighbour in a few frames, and leave the same way',
    { timeout: 60_000 }, async () => {
      const peers = new Peers()
      try {
        const a = await peers.start()
        const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
        await waitFor('b connected', () => b.connectedPeers().length > 0)
        const pubsub = b.libp2p.services.pubsub
        let changes = 0
        const fromA = new Set<string>()
        pubsub.addEventListener('subscription-change', (evt: any) => {
          if (!evt.detail.peerId.equals(a.libp2p.peerId)) return
          changes++
          for (const s of evt.detail.subscriptions) {
            if (s.subscribe) fromA.add(s.topic)
            else fromA.delete(s.topic)
          }
        })
        // b knows a's subscriptions from before this point (the presence relay topics, if any).
        await new Promise(resolve => setTimeout(resolve, 500))
        changes = 0
        const handles: DocHandle[] = []
        for (let i = 0; i < 300; i++) handles.push(await a.create())
        const topics = handles.map(h => docTopic(h.id))
        await waitFor('b sees a on all 300 topics', () => topics.every(t => fromA.has(t)))
        assert.ok(changes <= 5, `${changes} subscription frames from a for 300 documents`)
        changes = 0
        await Promise.all(handles.map(async h => { await h.close() }))
        await waitFor('b sees a leave all 300 topics', () => topics.every(t => !fromA.has(t)))
        assert.ok(changes <= 5, `${changes} frames from a for leaving 300 documents`)
      } finally {
        await peers.cleanup()
      }
    })

  test('real peers: a peer on 6,000 documents is seen on every one by a peer that connects after ' +
    '(gossipsub refuses a frame of more than 5,000 subscriptions whole)', { timeout: 90_000 }, async () => {
    const peers = new Peers()
    try {
      const a = await peers.start()
      const handles: DocHandle[] = []
      for (let i = 0; i < 6000; i++) handles.push(await a.create())
      const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
      const pubsub = b.libp2p.services.pubsub
      const seen = (): number => handles.filter(h => pubsub.getSubscribers(docTopic(h.id)).length > 0).length
      await waitFor('b sees a on all 6,000 topics', () => seen() === handles.length, 30_000, 500)
      await Promise.all(handles.map(async h => { await h.close() }))
    } finally {
      await peers.cleanup()
    }
  })
})
