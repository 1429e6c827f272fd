import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TopicGate, type PubSubLike, type PubSubMessage } from '../src/sync/topic-gate.js'

/** Just enough of gossipsub for a gate: the validator map and subscription calls. */
function fakePubSub (): PubSubLike & { subscribed: Set<string> } {
  const subscribed = new Set<string>()
  return {
    subscribed,
    topicValidators: new Map(),
    subscribe: (topic: string) => { subscribed.add(topic) },
    unsubscribe: (topic: string) => { subscribed.delete(topic) },
    publish: async () => {},
    getSubscribers: () => [],
    addEventListener: () => {},
    removeEventListener: () => {}
  }
}

test('a gate keeps the decoded value for readers: decoded() for many, take() for one that lets go', () => {
  const pubsub = fakePubSub()
  const from = { toString: () => 'peer-a' }
  const gate = new TopicGate<string>({
    pubsub,
    topic: 't',
    check: (_from, message) => message.data[0] === 1 ? { accept: 'one' } : { refuse: 'malformed', result: 'reject' }
  })
  gate.acquire()
  assert.ok(pubsub.subscribed.has('t'))
  const validate = pubsub.topicValidators.get('t')
  assert.ok(validate !== undefined)

  const good: PubSubMessage = { topic: 't', data: new Uint8Array([1]) }
  const bad: PubSubMessage = { topic: 't', data: new Uint8Array([2]) }
  assert.equal(validate(from, good), 'accept')
  assert.equal(validate(from, bad), 'reject')

  assert.equal(gate.decoded(good.data)?.value, 'one')
  assert.equal(gate.decoded(good.data)?.value, 'one', 'decoded() leaves the value for the next reader')
  assert.equal(gate.take(good.data)?.value, 'one')
  assert.equal(gate.take(good.data), undefined, 'take() let go of it')
  assert.equal(gate.decoded(good.data), undefined)
  assert.equal(gate.take(bad.data), undefined, 'a refused message has no decoded value')

  // Another gate never hands out this gate's value.
  const other = new TopicGate<string>({ pubsub, topic: 'u', check: () => ({ accept: 'other' }) })
  assert.equal(validate(from, good), 'accept')
  assert.equal(other.take(good.data), undefined)
  assert.equal(gate.take(good.data)?.value, 'one')

  assert.equal(gate.release(), true)
  assert.ok(!pubsub.subscribed.has('t'))
})
