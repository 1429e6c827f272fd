import type { GossipSub } from '@libp2p/gossipsub'
import { createTopicScoreParams, type TopicScoreParams } from '@libp2p/gossipsub/score'
import { logger } from '@libp2p/logger'
import type { PeerId } from '@libp2p/interface'
import {
  Envelope, GossipFrame, WireError, decodeFrame, envelopeSigningBytes, isHeadProof, type Beacon
} from '../wire/codec.js'
import { authorHex } from '../replica/version-vector.js'
import { validateBeacon, validateEnvelope, type Verifier } from './validate.js'
import { METRIC, type Metrics } from '../metrics/metrics.js'
import { PROTOCOL, TUNING } from '../defaults.js'
import { TopicGate, type PubSubLike, type PubSubMessage, type Verdict } from './topic-gate.js'
import { checkReadable, checkWrite } from '../trust/policy.js'
import type { DocAccess } from '../trust/doc-access.js'
import { isOffence } from '../net/peer-guard.js'
import { isPrivateDocId } from '../trust/keys.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { base32 } from 'multiformats/bases/base32'

const log = logger('weft:gossip')

const privateTopics = new Map<string, string>()
const MAX_CACHED_TOPICS = 10_000

/**
 * One gossipsub topic per document. A private document's id is 52 characters (its public key): its
 * topic names a 16-byte digest of the id instead, as long as an open document's, since the topic
 * travels in every gossipsub message and every IHAVE (26 bytes more per message and hop, measured
 * as part of a private document's 1.5x bytes per delivery at 10 peers). It also keeps the
 * document's key out of the topic names that every connected peer sees.
 */
export function docTopic (docId: string): string {
  if (!isPrivateDocId(docId)) return `${PROTOCOL.docTopicPrefix}${docId}`
  let topic = privateTopics.get(docId)
  if (topic === undefined) {
    const digest = sha256(new TextEncoder().encode(`${PROTOCOL.docTopicPrefix}${docId}`)).subarray(0, 16)
    topic = `${PROTOCOL.docTopicPrefix}${base32.baseEncode(digest)}`
    if (privateTopics.size >= MAX_CACHED_TOPICS) privateTopics.delete(privateTopics.keys().next().value as string)
    privateTopics.set(docId, topic)
  }
  return topic
}

/** What the engine attaches to a document's topic. */
export interface TopicMember {
  /** Whether `(author, seq)` is held already: such a frame is a duplicate, not worth forwarding. */
  has: (author: string, seq: number) => boolean
  /** A validated envelope, with the bytes it travelled as. */
  onEnvelope: (envelope: Envelope, bytes: Uint8Array, from: PeerId) => void
  onBeacon: (beacon: Beacon, from: PeerId) => void
  /** The document's access state: undefined for an open document. */
  readonly access: DocAccess | undefined
  /** True when `envelope` differs from the one held for its (author, seq). */
  differsFromHeld: (envelope: Envelope) => boolean
  /** An author signed two different envelopes for one seq: count it and keep the proof. */
  reportFork: (envelope: Envelope, bytes: Uint8Array) => void
}

export interface GossipContext {
  verifier: Verifier
  metrics: Metrics
  maxEnvelopeBytes: number
  /** A frame was rejected (not merely ignored): the peer guard counts it against the sender. */
  offence?: (peer: string, reason: string) => void
}

/**
 * Scoring for a document topic. Only invalid messages count against a peer:
 * a quiet document is normal, so the delivery-rate terms (which would punish
 * mesh peers of an idle document) are off. Five rejected frames take a peer
 * below gossipsub's graylist threshold (-80); the penalty halves every decay
 * interval, so a peer that stops misbehaving is heard again.
 */
const DOC_TOPIC_SCORE: Partial<TopicScoreParams> = {
  topicWeight: 1,
  timeInMeshWeight: 0,
  firstMessageDeliveriesWeight: 0,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  invalidMessageDeliveriesWeight: -4,
  invalidMessageDeliveriesDecay: 0.5
}

/**
 * Live dissemination. Topic validators decode and check every frame before
 * gossipsub forwards it, answering accept / ignore / reject so that peer
 * scoring sees senders of bad data; accepted frames reach the replica.
 */
export class Gossip {
  private readonly members = new Map<string, { docId: string, member: TopicMember, gate: TopicGate<GossipFrame> }>()
  private readonly frameLimit: number

  constructor (private readonly pubsub: GossipSub, private readonly ctx: GossipContext) {
    this.frameLimit = ctx.maxEnvelopeBytes + TUNING.frameOverheadBytes
    pubsub.addEventListener('message', this.onMessage)
  }

  join (docId: string, member: TopicMember): void {
    const topic = docTopic(docId)
    if (this.members.has(topic)) return
    const gate = new TopicGate<GossipFrame>({
      pubsub: this.pubsub as unknown as PubSubLike,
      topic,
      check: (from, message) => this.check(message, docId, member),
      refused: (reason, from, result) => {
        // A duplicate came by another path first: counted as such, not as a drop.
        if (reason === 'duplicate') return
        this.ctx.metrics.inc(METRIC.dropped, reason)
        log('dropped gossip from %s: %s', from, reason)
        if (result === 'reject' && isOffence(reason)) this.ctx.offence?.(from.toString(), reason)
      }
    })
    this.members.set(topic, { docId, member, gate })
    const topics = this.scoredTopics()
    if (topics !== undefined) topics[topic] = createTopicScoreParams(DOC_TOPIC_SCORE)
    gate.acquire()
  }

  /**
   * gossipsub only scores topics named in its score parameters, which are fixed
   * at construction, while documents open and close at run time: their entries
   * are added to the live parameters (a public field of the router).
   */
  private scoredTopics (): Record<string, TopicScoreParams> | undefined {
    type Scored = { score?: { params?: { topics?: Record<string, TopicScoreParams> } } }
    return (this.pubsub as unknown as Scored).score?.params?.topics
  }

  leave (docId: string): void {
    const topic = docTopic(docId)
    const entry = this.members.get(topic)
    if (entry === undefined) return
    this.members.delete(topic)
    entry.gate.release()
    const topics = this.scoredTopics()
    if (topics !== undefined) delete topics[topic]
  }

  /** Peers in our mesh of any document topic. */
  meshPeers (): Set<string> {
    const out = new Set<string>()
    // GossipSub has it; the interface @libp2p/gossipsub exports does not name it.
    const mesh = this.pubsub as unknown as { getMeshPeers?: (topic: string) => Array<{ toString: () => string }> }
    if (mesh.getMeshPeers === undefined) return out
    for (const topic of this.members.keys()) for (const p of mesh.getMeshPeers(topic)) out.add(p.toString())
    return out
  }

  /** The document a topic of ours carries (a private document's topic does not spell out its id). */
  docIdOf (topic: string): string | undefined {
    return this.members.get(topic)?.docId
  }

  subscribers (docId: string): PeerId[] {
    return this.pubsub.getSubscribers(docTopic(docId))
  }

  /**
   * The envelope travels without its document id: the topic names the document already, and the
   * signature still covers the id (the receiver puts it back from the topic before checking), so
   * an envelope replayed on another document's topic fails its signature. That is 28 of an open
   * document's ~174 bytes a copy, 54 of a private one's, on every hop.
   */
  async publishEnvelope (envelope: Envelope): Promise<void> {
    await this.publish(envelope.docId, GossipFrame.encode({ envelope: { ...envelope, docId: '' } }))
  }

  async publishControl (docId: string, op: Uint8Array): Promise<void> {
    await this.publish(docId, GossipFrame.encode({ control: op as Uint8Array<ArrayBuffer> }))
  }

  async publishBeacon (beacon: Beacon): Promise<void> {
    await this.publish(beacon.docId, GossipFrame.encode({ beacon }))
    this.ctx.metrics.inc(METRIC.beaconsOut)
  }

  private async publish (docId: string, data: Uint8Array): Promise<void> {
    if (data.byteLength > this.frameLimit) {
      // Too big for gossip: peers learn of it from our beacons and pull it over a sync stream.
      log('frame of %d bytes for %s left to sync', data.byteLength, docId)
      return
    }
    try {
      await this.pubsub.publish(docTopic(docId), data)
      this.ctx.metrics.inc(METRIC.gossipBytesOut, '', data.byteLength)
    } catch (err: any) {
      // Publishing is best effort: the pull protocol repairs whatever gossip loses.
      log('publish on %s failed: %s', docId, err?.message ?? err)
    }
  }

  private check (message: PubSubMessage, docId: string, member: TopicMember): Verdict<GossipFrame> {
    this.ctx.metrics.inc(METRIC.gossipBytesIn, '', message.data.byteLength)
    try {
      const frame = decodeFrame(message.data, this.frameLimit)
      if (frame.envelope != null) {
        const envelope = frame.envelope
        if (envelope.docId === '') envelope.docId = docId
        const wellFormed = Number.isSafeInteger(envelope.seq) && envelope.author.byteLength === 32 &&
          !isHeadProof(envelope)
        if (wellFormed && member.has(authorHex(envelope.author), envelope.seq)) {
          // A second, different envelope for a held seq: if its author really signed it, that is a fork.
          const ed = this.ctx.verifier.ed25519
          const signed = (): boolean => ed.verify(envelope.author, envelopeSigningBytes(envelope), envelope.signature)
          if (member.differsFromHeld(envelope) && signed()) {
            // Counted and proven there; ignored, not rejected: a relay that saw this version first is not at fault.
            member.reportFork(envelope, Envelope.encode(envelope))
            return { refuse: 'duplicate', result: 'ignore' }
          }
          // Already held (it came by another path): nothing wrong, nothing to forward.
          this.ctx.metrics.inc(METRIC.envelopesDuplicate)
          return { refuse: 'duplicate', result: 'ignore' }
        }
        this.ctx.verifier.clock.receive(validateEnvelope(envelope, docId, this.ctx.verifier))
        checkWrite(member.access, envelope)
        checkReadable(member.access, envelope)
      } else if (frame.control != null) {
        // Taken here, in the validator: an op is self-authenticating, and envelopes behind it need it.
        if (member.access === undefined) throw new WireError('malformed', 'control op on an open document')
        if (!member.access.receive(frame.control)) return { refuse: 'duplicate', result: 'ignore' }
      } else if (frame.beacon != null) {
        this.ctx.verifier.clock.receive(validateBeacon(frame.beacon, docId, this.ctx.verifier))
      }
      return { accept: frame }
    } catch (err) {
      const reason = err instanceof WireError ? err.reason : 'malformed'
      log('refused gossip on %s: %s', docId, (err as Error)?.message ?? err)
      // An envelope under a key not here yet, or before any control op arrived, is no fault of the sender.
      return { refuse: reason, result: reason === 'no-key' || reason === 'acl-pending' ? 'ignore' : 'reject' }
    }
  }

  private readonly onMessage = (event: CustomEvent<{ topic: string, data: Uint8Array }>): void => {
    const message = event.detail
    const entry = this.members.get(message.topic)
    const accepted = entry?.gate.take(message.data)
    if (entry === undefined || accepted === undefined) return
    const frame = accepted.value
    const from = accepted.from as PeerId
    try {
      if (frame.envelope != null) {
        entry.member.onEnvelope(frame.envelope, Envelope.encode(frame.envelope), from)
      } else if (frame.beacon != null) {
        this.ctx.metrics.inc(METRIC.beaconsIn)
        entry.member.onBeacon(frame.beacon, from)
      }
    } catch (err: any) {
      // Validation passed but Yjs still refused it: count it, keep the replica running.
      this.ctx.metrics.inc(METRIC.dropped, 'bad-update')
      log.error('applying gossip from %p on %s failed: %e', from, message.topic, err)
    }
  }

  stop (): void {
    this.pubsub.removeEventListener('message', this.onMessage)
    for (const { docId } of [...this.members.values()]) this.leave(docId)
  }
}
