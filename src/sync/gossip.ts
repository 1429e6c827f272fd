import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import { createTopicScoreParams, type TopicScoreParams } from '@libp2p/gossipsub/score'
import { logger } from '@libp2p/logger'
import type { PeerId } from '@libp2p/interface'
import { Envelope, GossipFrame, WireError, decodeFrame, type Beacon } from '../wire/codec.js'
import { authorHex } from '../replica/version-vector.js'
import { validateBeacon, validateEnvelope, type Verifier } from './validate.js'
import { METRIC, type Metrics } from '../metrics/metrics.js'
import type { Replica } from '../replica/replica.js'

const log = logger('weft:gossip')

/** One gossipsub topic per document. */
export const docTopic = (docId: string): string => `/weft/doc/1/${docId}`

/** What the engine attaches to a document's topic. */
export interface TopicMember {
  replica: Replica
  /** An envelope from `from` was applied (or was a duplicate). */
  onEnvelope: (from: PeerId, result: 'applied' | 'duplicate' | 'held') => void
  onBeacon: (beacon: Beacon, from: PeerId) => void
}

export interface GossipContext {
  verifier: Verifier
  metrics: Metrics
  maxEnvelopeBytes: number
}

interface Accepted { frame: GossipFrame, from: PeerId }

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
  private readonly members = new Map<string, TopicMember>()
  // Validators run just before the 'message' event for the same message: keep the
  // decoded frame so it is decoded once.
  private readonly accepted = new WeakMap<Uint8Array, Accepted>()
  private readonly frameLimit: number

  constructor (private readonly pubsub: GossipSub, private readonly ctx: GossipContext) {
    this.frameLimit = ctx.maxEnvelopeBytes + 1024
    pubsub.addEventListener('message', this.onMessage)
  }

  join (docId: string, member: TopicMember): void {
    const topic = docTopic(docId)
    this.members.set(topic, member)
    this.pubsub.topicValidators.set(topic, (peer, message) => this.validate(peer, message, docId, member))
    const topics = this.scoredTopics()
    if (topics !== undefined) topics[topic] = createTopicScoreParams(DOC_TOPIC_SCORE)
    this.pubsub.subscribe(topic)
  }

  /**
   * gossipsub only scores topics named in its score parameters, which are fixed
   * at construction, while documents open and close at run time: their entries
   * are added to the live parameters (a public field of the router).
   */
  private scoredTopics (): Record<string, TopicScoreParams> | undefined {
    return (this.pubsub as unknown as { score?: { params?: { topics?: Record<string, TopicScoreParams> } } }).score?.params?.topics
  }

  leave (docId: string): void {
    const topic = docTopic(docId)
    this.members.delete(topic)
    this.pubsub.unsubscribe(topic)
    this.pubsub.topicValidators.delete(topic)
    const topics = this.scoredTopics()
    if (topics !== undefined) delete topics[topic]
  }

  subscribers (docId: string): PeerId[] {
    return this.pubsub.getSubscribers(docTopic(docId))
  }

  async publishEnvelope (envelope: Envelope): Promise<void> {
    await this.publish(envelope.docId, GossipFrame.encode({ envelope }))
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

  private drop (err: unknown, from: PeerId): TopicValidatorResult {
    const reason = err instanceof WireError ? err.reason : 'malformed'
    this.ctx.metrics.inc(METRIC.dropped, reason)
    log('dropped gossip from %p: %s: %s', from, reason, (err as Error)?.message ?? err)
    // A clock that runs ahead is not malice: ignore without a penalty, sync fetches it later.
    return reason === 'clock-drift' ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject
  }

  private validate (from: PeerId, message: Message, docId: string, member: TopicMember): TopicValidatorResult {
    this.ctx.metrics.inc(METRIC.gossipBytesIn, '', message.data.byteLength)
    let frame: GossipFrame
    try {
      frame = decodeFrame(message.data, this.frameLimit)
      if (frame.envelope != null) {
        const envelope = frame.envelope
        if (Number.isSafeInteger(envelope.seq) && envelope.author.byteLength === 32 && member.replica.has(authorHex(envelope.author), envelope.seq)) {
          // Already held (it came by another path): nothing wrong, nothing to forward.
          this.ctx.metrics.inc(METRIC.envelopesDuplicate)
          return TopicValidatorResult.Ignore
        }
        this.ctx.verifier.clock.receive(validateEnvelope(envelope, docId, this.ctx.verifier))
      } else if (frame.beacon != null) {
        this.ctx.verifier.clock.receive(validateBeacon(frame.beacon, docId, this.ctx.verifier))
      }
    } catch (err) {
      return this.drop(err, from)
    }
    this.accepted.set(message.data, { frame, from })
    return TopicValidatorResult.Accept
  }

  private readonly onMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail
    const member = this.members.get(message.topic)
    const accepted = this.accepted.get(message.data)
    if (member === undefined || accepted === undefined) return
    const { frame, from } = accepted
    try {
      if (frame.envelope != null) {
        const result = member.replica.ingest(frame.envelope, Envelope.encode(frame.envelope))
        member.onEnvelope(from, result)
      } else if (frame.beacon != null) {
        this.ctx.metrics.inc(METRIC.beaconsIn)
        member.onBeacon(frame.beacon, from)
      }
    } catch (err: any) {
      // Validation passed but Yjs still refused it: count it, keep the replica running.
      this.ctx.metrics.inc(METRIC.dropped, 'bad-update')
      log.error('applying gossip from %p on %s failed: %e', from, message.topic, err)
    }
  }

  stop (): void {
    this.pubsub.removeEventListener('message', this.onMessage)
    for (const topic of this.members.keys()) this.pubsub.topicValidators.delete(topic)
    this.members.clear()
  }
}
