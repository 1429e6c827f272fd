import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import fc from 'fast-check'
import { mergeUpdates } from '../src/replica/merge-updates.js'

/** Every update two editing clients produce, one per transaction, in the order they happened. */
function editHistory (ops: Array<{ who: 0 | 1, at: number, del: boolean }>): Uint8Array[] {
  const docs = [new Y.Doc(), new Y.Doc()]
  const updates: Uint8Array[] = []
  docs.forEach((d, i) => {
    d.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin === 'remote') return
      updates.push(u)
      Y.applyUpdate(docs[1 - i], u, 'remote')
    })
  })
  for (const { who, at, del } of ops) {
    const text = docs[who].getText('t')
    if (del && text.length > 0) text.delete(at % text.length, 1)
    else text.insert(at % (text.length + 1), who === 0 ? 'a' : 'b')
  }
  return updates
}

const state = (update: Uint8Array): { text: string, sv: Uint8Array } => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return { text: doc.getText('t').toString(), sv: Y.encodeStateVector(doc) }
}

test('merging in groups gives what one Y.mergeUpdates call gives, for any edit history', () => {
  const op = fc.record({ who: fc.constantFrom<0 | 1>(0, 1), at: fc.nat(1000), del: fc.boolean() })
  fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 400 }), ops => {
    const updates = editHistory(ops)
    assert.deepEqual(state(mergeUpdates(updates)), state(Y.mergeUpdates(updates)))
  }), { numRuns: 60 })
})

test('one update comes back as it is; more than one group of sixteen is merged level by level', () => {
  const updates = editHistory(Array.from({ length: 300 }, (_, i) => ({ who: 0, at: i, del: i % 7 === 0 })))
  assert.equal(mergeUpdates(updates.slice(0, 1)), updates[0])
  assert.deepEqual(mergeUpdates(updates), Y.mergeUpdates(updates), 'the same bytes here')
})
