import { PROTOCOL } from '../defaults.js'
import { METRIC, type Metrics } from '../metrics/metrics.js'
import { AwarenessRelay, type PresenceSeal } from './channel.js'
import type { PubSubLike } from '../sync/topic-gate.js'

/**
 * Presence relays for open documents, joined only while a neighbour uses presence on
 * one. gossipsub forwards only on topics a node subscribes to, so a peer between two
 * others (a daemon serving two browsers) must subscribe to a document's presence topic
 * for them to see each other; but a relay per open document would double the topics
 * every peer maintains, for documents nobody shows.
 */
export class PresenceRelays {
  private readonly relays = new Map<string, AwarenessRelay>()
  private readonly loaded = new Set<string>()

  constructor (
    private readonly pubsub: PubSubLike,
    private readonly peerId: string,
    private readonly metrics: Metrics,
    /** Private documents: the seal their presence travels under (a relay without a key forwards it unread). */
    private readonly sealFor: (docId: string) => PresenceSeal | undefined = () => undefined
  ) {}

  /** A document opened here: relay its presence if a neighbour already uses it. */
  documentLoaded (docId: string): void {
    this.loaded.add(docId)
    this.update(docId)
  }

  documentUnloaded (docId: string): void {
    this.loaded.delete(docId)
    this.update(docId)
  }

  /** gossipsub told us a neighbour (un)subscribed `topic`. */
  subscriptionChanged (topic: string): void {
    if (!topic.startsWith(PROTOCOL.presenceTopicPrefix)) return
    this.update(topic.slice(PROTOCOL.presenceTopicPrefix.length))
  }

  get active (): number { return this.relays.size }

  private update (docId: string): void {
    const wanted = this.loaded.has(docId) && this.pubsub.getSubscribers(PROTOCOL.presenceTopicPrefix + docId).length > 0
    const relay = this.relays.get(docId)
    if (wanted && relay === undefined) {
      const started = new AwarenessRelay(docId, { pubsub: this.pubsub, peerId: this.peerId, seal: this.sealFor(docId) })
      started.onDrop = reason => { this.metrics.inc(METRIC.presenceDropped, reason) }
      started.start()
      this.relays.set(docId, started)
    } else if (!wanted && relay !== undefined) {
      relay.stop()
      this.relays.delete(docId)
    }
  }

  stop (): void {
    for (const relay of this.relays.values()) relay.stop()
    this.relays.clear()
    this.loaded.clear()
  }
}
