/**
 * A presence leave always reaches the other peers, including when the app
 * nulls its local state just before it stops the channel (the removal is
 * then still in the send throttle, which stop cancels).
 *
 * Peer B keeps a second channel on the same note, so B stays subscribed to the
 * presence topic: A cannot learn of the leave from an unsubscribe or a
 * disconnect, only from the leave message itself.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { Awareness } from 'y-protocols/awareness'
import { Peers, waitFor } from './support/peers.js'
import { newDocId } from '../src/index.js'

const T = 20_000

describe('presence leave', { timeout: 60_000 }, () => {
  for (const how of ['setLocalState(null) then destroy at once', 'destroy with the state still set'] as const) {
    test(`${how}: the other peer drops the state while the topic stays subscribed`, async () => {
      const peers = new Peers()
      const awarenesses: Awareness[] = []
      const channels: Array<{ destroy: () => void }> = []
      try {
        const a = await peers.start()
        const b = await peers.start({ bootstrap: [a.multiaddrs[0]] })
        const docId = newDocId()
        const aw = (): Awareness => { const x = new Awareness(new Y.Doc()); awarenesses.push(x); return x }
        const onA = aw()
        const leaving = aw()
        const staying = aw()
        channels.push(a.presence(docId, onA))
        const leavingChannel = b.presence(docId, leaving)
        channels.push(leavingChannel, b.presence(docId, staying))
        leaving.setLocalStateField('user', { name: 'leaving' })
        staying.setLocalStateField('user', { name: 'staying' })
        await waitFor('A sees both of B\'s clients', () =>
          onA.getStates().get(leaving.clientID)?.user?.name === 'leaving' &&
          onA.getStates().get(staying.clientID)?.user?.name === 'staying', T)

        if (how === 'setLocalState(null) then destroy at once') leaving.setLocalState(null)
        leavingChannel.destroy()
        const t0 = Date.now()
        // Well under y-protocols' 30 s timeout: only the leave message can do this.
        await waitFor('the leaving client gone at A', () => !onA.getStates().has(leaving.clientID), 5_000)
        assert.ok(Date.now() - t0 < 5_000)
        assert.equal(onA.getStates().get(staying.clientID)?.user?.name, 'staying', 'the other client is untouched')
        assert.ok(a.connectedPeers().some(p => p.id === b.peerId), 'A and B are still connected')
      } finally {
        for (const c of channels) c.destroy()
        for (const x of awarenesses) x.destroy()
        await peers.cleanup()
      }
    })
  }
})
