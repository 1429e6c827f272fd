import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { PeerId } from '@libp2p/interface'
import { Peers, text, waitFor } from './support/peers.js'
import { lpStream } from '@libp2p/utils'
import { rawPeer, signedEnvelope, frame, textUpdate, canGossipTo } from './support/raw-peer.js'
import * as Y from 'yjs'
import {
  Beacon, Checkpoint, Envelope, GossipFrame, SyncRequest, SyncResponse, WIRE_VERSION, beaconSigningBytes,
  checkpointSigningBytes
} from '../src/wire/codec.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'
import { packHlc } from '../src/clock/hlc.js'
import { grant, revoke, Role } from '../src/trust/control.js'
import type { Replica } from '../src/replica/replica.js'
import { METRIC, PROTOCOL, WeftProvider, type Weft } from '../src/index.js'
import { docTopic } from '../src/sync/gossip.js'
import type { DocHandle } from '../src/types.js'

const dropped = (w: Weft, reason: string): number => w.metrics.counters()[METRIC.dropped]?.[reason] ?? 0
const score = (w: Weft, peer: string): number =>
  (w.libp2p.services.pubsub as unknown as { getScore: (peer: string) => number }).getScore(peer)
const authorOf = (h: DocHandle, before: Record<string, number>): string => {
  const mine = Object.keys(h.versionVector).find(k => !(k in before))
  if (mine === undefined) throw new Error('no new author in the vector')
  return mine
}

describe('private documents: write access held in the document', () => {
  test('in a 6-peer mesh, an outsider\'s and a reader\'s writes are rejected by every peer; ' +
    'a revoked writer\'s later ones too', { timeout: 180_000 }, async () => {
    const peers = new Peers()
    const { node: outsider, key: outsiderKey } = await rawPeer()
    try {
      const owner = await peers.start()
      const doc = await owner.create({ access: 'private' })
      assert.equal(doc.id.length, 52)
      assert.equal(doc.access, 'admin')
      doc.doc.getText('text').insert(0, 'owner;')
      await doc.flush()

      const roles = ['writer', 'writer', 'reader', 'reader'] as const
      const members: Weft[] = []
      const handles: DocHandle[] = [doc]
      for (const role of roles) {
        const link = doc.invite({ role })
        assert.match(link, new RegExp(`^weft://${doc.id}\\?peer=.+#${role[0]}\\.[a-z2-7]+$`))
        const w = await peers.start()
        const h = await w.join(link, { signal: AbortSignal.timeout(30_000) })
        members.push(w)
        handles.push(h)
      }
      const everyone = [owner, ...members]
      // A full mesh: every member dials every other.
      for (const w of members) await w.dial(everyone.filter(o => o !== w).map(o => o.multiaddrs[0]))
      await waitFor('every peer knows all five members', () => handles.every(h => h.members().length === 5), 30_000)
      assert.deepEqual(handles.map(h => h.access), ['admin', 'writer', 'writer', 'reader', 'reader'])
      await waitFor('every peer holds the owner\'s text', () => handles.every(h => text(h).includes('owner;')))

      // A writer's edit reaches everyone (the positive control).
      handles[1].doc.getText('text').insert(0, 'W1;')
      await waitFor('the writer\'s edit reaches every peer', () => handles.every(h => text(h).includes('W1;')))

      // The outsider knows the id, connects to every peer, and publishes a correctly signed envelope.
      const topic = docTopic(doc.id)
      outsider.services.pubsub.subscribe(topic)
      for (const w of everyone) await outsider.dial(w.libp2p.getMultiaddrs()[0])
      await waitFor('the outsider sees every peer on the topic',
        () => everyone.every(w => canGossipTo(outsider, topic, w.libp2p.peerId)))
      const before = everyone.map(w => dropped(w, 'unauthorized'))
      await outsider.services.pubsub.publish(topic,
        frame(signedEnvelope(outsiderKey, doc.id, 1, textUpdate('OUTSIDER'))))
      await waitFor('every peer rejected the outsider',
        () => everyone.every((w, i) => dropped(w, 'unauthorized') > before[i]))
      // gossipsub caches scores for a heartbeat: poll until each peer's penalty shows.
      await waitFor('every peer scores the outsider below zero',
        () => everyone.every(w => score(w, outsider.peerId.toString()) < 0), 3_000, 10)
      for (const [i, h] of handles.entries()) {
        assert.ok(!text(h).includes('OUTSIDER'), `peer ${i} does not hold the outsider's text`)
      }

      // A reader's edit stays local: every other peer rejects it.
      const readerBefore = everyone.map(w => dropped(w, 'unauthorized'))
      handles[3].doc.getText('text').insert(0, 'READER;')
      await handles[3].flush()
      await waitFor('the other peers rejected the reader\'s envelope', () =>
        everyone.every((w, i) => i === 3 || dropped(w, 'unauthorized') > readerBefore[i]))
      for (const [i, h] of handles.entries()) {
        if (i !== 3) assert.ok(!text(h).includes('READER;'), `peer ${i} holds no reader text`)
      }

      // Revocation: W2's edits before it stay everywhere; its later ones are rejected everywhere.
      const vvBefore = { ...doc.versionVector }
      handles[2].doc.getText('text').insert(0, 'W2-before;')
      await waitFor('W2\'s edit reaches every peer', () => handles.every(h => text(h).includes('W2-before;')))
      const w2 = authorOf(handles[2], vvBefore)
      doc.revoke(w2)
      await waitFor('every peer sees the revocation', () => handles.every(h => !h.members().some(m => m.key === w2)))
      assert.equal(handles[2].access, 'none')
      const revokedBefore = everyone.map(w => dropped(w, 'unauthorized'))
      handles[2].doc.getText('text').insert(0, 'W2-after;')
      await handles[2].flush()
      await waitFor('every other peer rejected the revoked writer', () =>
        everyone.every((w, i) => i === 2 || dropped(w, 'unauthorized') > revokedBefore[i]))
      for (const [i, h] of handles.entries()) {
        assert.ok(text(h).includes('W2-before;'), `peer ${i} keeps what W2 wrote before its revocation`)
        if (i !== 2) assert.ok(!text(h).includes('W2-after;'), `peer ${i} holds nothing W2 wrote after it`)
      }
    } finally {
      await outsider.stop()
      await peers.cleanup()
    }
  })

  test('writes concurrent with a revocation, under a partition: the revoker\'s cutoff plus a writer\'s witness, ' +
    'the same everywhere', { timeout: 180_000 }, async () => {
    const peers = new Peers()
    const blocked = new Set<string>()
    // A real partition: the connection gaters refuse every dial and inbound connection between the sides.
    const gater = {
      denyDialPeer: async (peer: PeerId) => blocked.has(peer.toString()),
      denyInboundEncryptedConnection: async (peer: PeerId) => blocked.has(peer.toString())
    }
    try {
      const owner = await peers.start({ network: { connectionGater: gater } })
      const ho = await owner.create({ access: 'private' })
      ho.doc.getText('text').insert(0, 'start;')
      await ho.flush()
      const p = await peers.start()
      const hp = await p.join(ho.invite({ role: 'writer' }), { signal: AbortSignal.timeout(30_000) })
      const w = await peers.start()
      const hw = await w.join(ho.invite({ role: 'writer' }), { signal: AbortSignal.timeout(30_000) })
      await w.dial(p.multiaddrs[0])
      const all = [ho, hp, hw]
      await waitFor('everyone knows the three members', () => all.every(h => h.members().length === 3), 30_000)
      const before = { ...hw.versionVector }
      hw.doc.getText('text').insert(0, 'W-early;')
      await waitFor('W\'s early edit reaches everyone', () => all.every(h => text(h).includes('W-early;')))
      const wKey = authorOf(hw, before)

      // Partition: the owner alone on one side, P and W on the other.
      blocked.add(p.peerId); blocked.add(w.peerId)
      await owner.libp2p.hangUp(p.libp2p.peerId)
      await owner.libp2p.hangUp(w.libp2p.peerId)
      await waitFor('partitioned', () => owner.connectedPeers().length === 0)
      ho.revoke(wKey) // cutoff: the W seq the owner holds
      hw.doc.getText('text').insert(0, 'W-concurrent;')
      await waitFor('P applies W\'s concurrent edit before it learns of the revocation',
        () => text(hp).includes('W-concurrent;'))
      assert.ok(!text(ho).includes('W-concurrent;'))

      // Heal: P learns of the revocation, witnesses what it had applied, and the owner accepts it.
      blocked.clear()
      await p.dial(owner.multiaddrs[0])
      await w.dial(owner.multiaddrs[0])
      await waitFor('P sees the revocation', () => !hp.members().some(m => m.key === wKey), 30_000)
      await waitFor('the owner converges on the witnessed concurrent edit', () => text(ho) === text(hp), 30_000)
      assert.ok(text(ho).includes('W-concurrent;'))
      await waitFor('W learns it was revoked', () => hw.access === 'none', 20_000)

      // After the revocation is known everywhere, W's edits are rejected by everyone.
      const rejected = [owner, p].map(x => dropped(x, 'unauthorized'))
      hw.doc.getText('text').insert(0, 'W-after;')
      await hw.flush()
      await waitFor('owner and P reject W\'s later edit',
        () => [owner, p].every((x, i) => dropped(x, 'unauthorized') > rejected[i]))
      assert.ok(!text(ho).includes('W-after;') && !text(hp).includes('W-after;'))
      assert.equal(text(ho), text(hp), 'owner and P hold the same document')
    } finally {
      await peers.cleanup()
    }
  })

  test('checkpoints from a reader or a revoked writer are rejected, ' +
    'whatever they claim', { timeout: 120_000 }, async () => {
    const peers = new Peers()
    const { node: hostile, key } = await rawPeer()
    try {
      const owner = await peers.start()
      const ho = await owner.create({ access: 'private' })
      ho.doc.getText('text').insert(0, 'owner;')
      await ho.flush()
      // The test reaches into the owner's access state to grant the raw peer's key directly.
      const access = (ho as unknown as { loaded: { replica: Replica } }).loaded.replica.access!
      const me = key.publicKey.raw
      access.issue(grant(me, Role.READER))
      let signerRole = 'reader'
      let served = 0
      await hostile.handle(PROTOCOL.sync, async (stream) => {
        const lp = lpStream(stream)
        await lp.read()
        // Its own two envelopes, merged into a checkpoint it signs, with its own head as proof.
        const envelopes = [1, 2].map(
          seq => signedEnvelope(key, ho.id, seq, textUpdate(`FORGED-${signerRole}-${seq};`, 7000 + seq)))
        const checkpoint: Checkpoint = {
          version: WIRE_VERSION,
          docId: ho.id,
          vv: [{ author: me as Uint8Array<ArrayBuffer>, seq: 2 }],
          hlc: packHlc({ wall: Date.now(), logical: 0 }),
          update: textUpdate(`FORGED-${signerRole}-1;FORGED-${signerRole}-2;`, 7001) as Uint8Array<ArrayBuffer>,
          signer: me as Uint8Array<ArrayBuffer>,
          signature: new Uint8Array(0)
        }
        checkpoint.signature = nodeEd25519.sign(
          key.raw.subarray(0, 32), me, checkpointSigningBytes(checkpoint)) as Uint8Array<ArrayBuffer>
        await lp.write(SyncResponse.encode({
          version: WIRE_VERSION,
          docId: ho.id,
          envelopes: [],
          checkpoint,
          heads: [Envelope.encode(envelopes[1])],
          vv: [{ author: me as Uint8Array<ArrayBuffer>, seq: 2 }],
          error: '',
          control: []
        }))
        await stream.close()
        served++
      })
      hostile.services.pubsub.subscribe(docTopic(ho.id))
      await hostile.dial(owner.libp2p.getMultiaddrs()[0])
      await waitFor('the owner pulled from the reader', () => served > 0)
      await waitFor('the reader\'s checkpoint is rejected', () => dropped(owner, 'unauthorized') >= 1)
      assert.ok(!text(ho).includes('FORGED'), 'nothing of the reader\'s checkpoint reached the document')

      // Now a writer, then revoked at seq 0: its checkpoint is refused the same way.
      access.issue(grant(me, Role.WRITER))
      access.issue(revoke(me, 0, 0))
      signerRole = 'revoked'
      const was = dropped(owner, 'unauthorized')
      const pulled = served
      await hostile.hangUp(owner.libp2p.peerId)
      await hostile.dial(owner.libp2p.getMultiaddrs()[0])
      await waitFor('the owner pulled again', () => served > pulled)
      await waitFor('the revoked writer\'s checkpoint is rejected', () => dropped(owner, 'unauthorized') > was)
      assert.ok(!text(ho).includes('FORGED'))
      assert.equal(text(ho), 'owner;')
      assert.equal(Object.keys(ho.versionVector).length, 1, 'no vector entry for the hostile key')
    } finally {
      await hostile.stop()
      await peers.cleanup()
    }
  })

  test('confirmations from non-members, even plausible ones, ' +
    'do not change unconfirmed', { timeout: 60_000 }, async () => {
    const peers = new Peers()
    const { node: raw, key } = await rawPeer()
    try {
      const w = await peers.start()
      const h = await w.create({ access: 'private' })
      for (const s of ['a', 'b']) {
        h.doc.getText('text').insert(0, s)
        await h.flush()
      }
      const unconfirmed = h.unconfirmed
      assert.ok(unconfirmed >= 2)
      const me = Object.keys(h.versionVector)[0]
      // A claim that could be true (exactly our seq), from a peer that is not a member.
      const claim = [{
        author: Uint8Array.from(Buffer.from(me, 'hex')) as Uint8Array<ArrayBuffer>,
        seq: h.versionVector[me]
      }]
      await raw.dial(w.libp2p.getMultiaddrs()[0])
      const stream = await raw.dialProtocol(w.libp2p.peerId, PROTOCOL.sync)
      const lp = lpStream(stream)
      await lp.write(SyncRequest.encode({
        version: WIRE_VERSION,
        docId: h.id,
        vv: claim,
        stateVector: Y.encodeStateVector(new Y.Doc()) as Uint8Array<ArrayBuffer>
      }))
      const reply = SyncResponse.decode(await lp.read())
      await stream.close()
      assert.equal(reply.error, '')
      const topic = docTopic(h.id)
      raw.services.pubsub.subscribe(topic)
      await waitFor('the raw peer sees w on the topic', () =>
        raw.services.pubsub.getSubscribers(topic).some(p => p.equals(w.libp2p.peerId)))
      // Each one freshly stamped: gossipsub drops a re-publish of identical bytes as a duplicate.
      const freshBeacon = (): Beacon => {
        const signer = key.publicKey.raw as Uint8Array<ArrayBuffer>
        const hlc = packHlc({ wall: Date.now(), logical: 0 })
        const beacon: Beacon = {
          version: WIRE_VERSION, docId: h.id, signer, hlc, vv: claim, signature: new Uint8Array(0)
        }
        const signature = nodeEd25519.sign(key.raw.subarray(0, 32), key.publicKey.raw, beaconSigningBytes(beacon))
        beacon.signature = signature as Uint8Array<ArrayBuffer>
        return beacon
      }
      const beaconsIn = (): number => w.metrics.counters()[METRIC.beaconsIn]?.[''] ?? 0
      const seen = beaconsIn()
      // Re-sent until taken in: the first publish can go out before gossipsub lists w for the topic.
      let lastSent = 0
      await waitFor('w took the beacon in', async () => {
        if (beaconsIn() > seen) return true
        if (Date.now() - lastSent > 1_000) {
          lastSent = Date.now()
          await raw.services.pubsub.publish(topic, GossipFrame.encode({ beacon: freshBeacon() })).catch(() => {})
        }
        return false
      })
      assert.equal(h.unconfirmed, unconfirmed, 'neither the request nor the beacon of a non-member confirmed anything')

      // A member that really holds the edits does confirm them.
      const member = await peers.start()
      await member.join(h.invite({ role: 'reader' }), { signal: AbortSignal.timeout(30_000) })
      await waitFor('a member\'s confirmation counts', () => h.unconfirmed === 0, 30_000)
    } finally {
      await raw.stop()
      await peers.cleanup()
    }
  })
})

describe('WeftProvider on a private document', () => {
  test('works unchanged: an app-owned Y.Doc of a member syncs both ways', { timeout: 90_000 }, async () => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    try {
      const a = await peers.start()
      const b = await peers.start()
      const ha = await a.create({ access: 'private' })
      const hb = await b.join(ha.invite({ role: 'writer' }), { signal: AbortSignal.timeout(30_000) })
      await hb.close()
      const docA = new Y.Doc()
      const docB = new Y.Doc()
      const pa = new WeftProvider(ha.id, docA, { weft: a })
      const pb = new WeftProvider(ha.id, docB, { weft: b })
      providers.push(pa, pb)
      await ha.close()
      docA.getText('text').insert(0, 'from A;')
      await waitFor('B sees A\'s edit', () => docB.getText('text').toString().includes('from A;'))
      docB.getText('text').insert(0, 'from B;')
      await waitFor('A sees B\'s edit', () => docA.getText('text').toString().includes('from B;'))
      await waitFor('A\'s edits are confirmed', () => pa.unconfirmed === 0)
    } finally {
      await Promise.allSettled(providers.map(async p => { await p.destroy() }))
      await peers.cleanup()
    }
  })
})

test('a private document travels on a topic of an open document\'s length that does not spell out its id', async () => {
  const { docTopic } = await import('../src/sync/gossip.js')
  const { newDocId } = await import('../src/doc-id.js')
  const open = newDocId()
  const privateId = 'a'.repeat(52)
  assert.equal(docTopic(open), `/weft/doc/1/${open}`)
  const topic = docTopic(privateId)
  assert.equal(topic.length, docTopic(open).length)
  assert.ok(!topic.includes(privateId))
  assert.equal(docTopic(privateId), topic, 'stable')
  assert.notEqual(docTopic('b'.repeat(52)), topic)
})
