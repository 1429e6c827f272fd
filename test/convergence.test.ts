import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isDeepStrictEqual } from 'node:util'
import * as Y from 'yjs'
import { Peers, waitFor } from './support/peers.js'

/** A seeded PRNG, so a failing interleaving can be replayed. */
function random (seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

test('5 peers making concurrent text and map edits end with identical documents', { timeout: 120_000 }, async () => {
  const peers = new Peers()
  const seed = Number(process.env.WEFT_TEST_SEED ?? Date.now() % 100_000)
  const rand = random(seed)
  try {
    const first = await peers.start()
    const rest = await Promise.all([1, 2, 3, 4].map(async () =>
      await peers.start({ bootstrap: [first.multiaddrs[0]] })))
    const all = [first, ...rest]
    const h0 = await first.create()
    const handles = [h0, ...await Promise.all(rest.map(async p => await p.open(h0.id)))]
    await Promise.all(handles.map(async h => { await h.whenSynced({ signal: AbortSignal.timeout(30_000) }) }))

    const started = performance.now()
    // Each peer types its own letter and deletes only its own letters, so the expected
    // count of every letter is exact even under concurrent deletes.
    const expected = [0, 0, 0, 0, 0]
    for (let round = 0; round < 20; round++) {
      // Every peer edits in the same tick: these are truly concurrent.
      handles.forEach((h, i) => {
        const t = h.doc.getText('text')
        const letter = String.fromCharCode(97 + i)
        const n = 1 + Math.floor(rand() * 4)
        for (let k = 0; k < n; k++) {
          t.insert(Math.floor(rand() * (t.length + 1)), letter)
          expected[i]++
        }
        const mine = t.toString().indexOf(letter)
        if (mine >= 0 && rand() < 0.3) { t.delete(mine, 1); expected[i]-- }
        h.doc.getMap('map').set(`k${Math.floor(rand() * 8)}`, `${i}:${round}`)
        h.doc.getMap('map').set(`peer${i}`, round)
        if (rand() < 0.2) h.doc.getArray('list').push([`${i}.${round}`])
      })
      await new Promise(resolve => setTimeout(resolve, Math.floor(rand() * 30)))
    }

    // Y.Doc.toJSON() lists only the root types this replica's code has asked for: a peer that never
    // pushed to 'list' would show no 'list' at all while holding the very same content. Ask for all.
    for (const h of handles) { h.doc.getText('text'); h.doc.getMap('map'); h.doc.getArray('list') }
    // Y.Map key order follows arrival order, so compare structurally, not as JSON text.
    const same = (): boolean => {
      const ref = handles[0].doc.toJSON()
      return handles.every(h => isDeepStrictEqual(h.doc.toJSON(), ref))
    }
    await waitFor('all 5 documents identical', same, 60_000).catch(err => {
      // what each replica holds, to tell a lost edit from a slow repair when this fails
      const vectors = handles.map(h => JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(h.doc))]))
      throw new Error(`${String(err?.message ?? err)} (seed ${seed}; state vectors ${vectors.join(' | ')})`)
    })
    const convergeMs = performance.now() - started
    console.log(`# 5 peers, 20 rounds of concurrent edits converged ${convergeMs.toFixed(0)} ms ` +
      `after the first edit (seed ${seed})`)

    const ref = handles[0].doc
    const final = ref.getText('text').toString()
    expected.forEach((count, i) => {
      assert.equal(
        final.split(String.fromCharCode(97 + i)).length - 1,
        count,
        `peer ${i}: no edit lost, no delete undone`
      )
    })
    for (let i = 0; i < 5; i++) assert.equal(ref.getMap('map').get(`peer${i}`), 19)
    for (const h of handles) {
      assert.deepEqual(Y.encodeStateVector(h.doc), Y.encodeStateVector(ref))
      assert.deepEqual(h.versionVector, handles[0].versionVector)
    }
    assert.equal(Object.keys(handles[0].versionVector).length, 5, 'five authors')
    assert.equal(all.length, 5)
  } finally {
    await peers.cleanup()
  }
})
