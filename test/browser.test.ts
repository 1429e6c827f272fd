/**
 * weft in the browser: the browser build in headless Chromium (WebSockets
 * transport, in-memory or IndexedDB storage) against a Node peer on loopback.
 */
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { Peers, waitFor } from './support/peers.js'
import { newDocId, type Weft } from '../src/index.js'
import { WeftProvider } from '../src/index.js'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { appBundle, browserSkipReason, startHarness, type Harness } from './browser/harness.js'
import { bundle, root, SHARED_WITH_APP } from '../scripts/build-browser.mjs'

const skip = browserSkipReason()
const T = 30_000

/** A Node peer listening on TCP and WebSockets; returns it with its /ws multiaddr. */
async function nodePeer (peers: Peers): Promise<{ weft: Weft, ws: string }> {
  const weft = await peers.start({ listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] })
  const ws = weft.multiaddrs.find(a => a.includes('/ws/'))
  assert.ok(ws, `no /ws address in ${weft.multiaddrs.join(', ')}`)
  return { weft, ws }
}

describe('weft in headless Chromium', { skip, timeout: 180_000 }, () => {
  let harness: Harness
  before(async () => {
    const b = await appBundle()
    console.log(`browser bundle: ${(b.bytes / 1024).toFixed(0)} KiB, built in ${b.ms.toFixed(0)} ms`)
    harness = await startHarness()
  })
  after(async () => { await harness?.close() })

  test('a browser peer and a Node peer edit one document both ways', async (t) => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    const tp = await harness.newPage('browser')
    try {
      const { weft: node, ws } = await nodePeer(peers)
      const docId = newDocId()
      const nodeDoc = new Y.Doc()
      nodeDoc.getText('text').insert(0, 'node says hi. ')
      const pn = new WeftProvider(docId, nodeDoc, { weft: node })
      providers.push(pn)

      const t0 = Date.now()
      const { peerId } = await tp.call('start', { bootstrap: [ws] })
      await waitFor('browser connected to the node peer', async () =>
        (await tp.call('connectedPeers')).includes(node.peerId), T)
      t.diagnostic(`browser peer ${peerId} connected in ${Date.now() - t0} ms`)
      await tp.call('open', docId)
      await waitFor('browser has the node text', async () => (await tp.call('text', docId)) === 'node says hi. ', T)
      await waitFor('browser synced', async () => (await tp.call('state', docId)).synced, T)
      t.diagnostic(`browser synced the document ${Date.now() - t0} ms after start`)

      // browser -> node
      await tp.call('insert', docId, 14, 'browser says hi.')
      await waitFor('node has the browser text', () =>
        nodeDoc.getText('text').toString() === 'node says hi. browser says hi.', T)
      await waitFor('browser edit confirmed', async () => (await tp.call('state', docId)).unconfirmed === 0, T)

      // node -> browser, live, with latency
      const samples: number[] = []
      for (let i = 0; i < 10; i++) {
        const s = performance.now()
        nodeDoc.getText('text').insert(0, String(i))
        await waitFor('browser sees node edit', async () => (await tp.call('text', docId)).startsWith(String(i)), T, 2)
        samples.push(performance.now() - s)
      }
      samples.sort((a, b) => a - b)
      t.diagnostic('node->browser edit latency (incl. page.evaluate polling): ' +
        `p50 ${samples[5].toFixed(1)} ms, max ${samples[9].toFixed(1)} ms`)

      const state = await tp.call('state', docId)
      assert.equal(state.status, 'connected')
      assert.deepEqual(state.peers, [node.peerId])
      assert.equal(await tp.call('text', docId), nodeDoc.getText('text').toString())
    } catch (err) {
      console.log(harness.logs.slice(-40).join('\n'))
      throw err
    } finally {
      await tp.call('stop').catch(() => {})
      await tp.page.context().close()
      await Promise.allSettled(providers.map(async p => { await p.destroy() }))
      await peers.cleanup()
    }
  })

  test('presence crosses browser and Node peers, and between two browsers through the Node peer', async (t) => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    const b1 = await harness.newPage('b1')
    const b2 = await harness.newPage('b2')
    try {
      const { weft: node, ws } = await nodePeer(peers)
      const docId = newDocId()
      const pn = new WeftProvider(docId, new Y.Doc(), { weft: node })
      providers.push(pn)
      pn.awareness.setLocalStateField('user', { name: 'Node', color: '#00aa00' })
      await b1.call('start', { bootstrap: [ws] })
      await b2.call('start', { bootstrap: [ws] })
      await b1.call('open', docId, { name: 'Browser 1', color: '#aa0000' })
      await b2.call('open', docId, { name: 'Browser 2', color: '#0000aa' })

      const t0 = Date.now()
      const names = async (p: typeof b1): Promise<string[]> =>
        Object.values(await p.call('presence', docId)).map((s: any) => s?.user?.name).sort()
      await waitFor('node sees both browsers', () =>
        [...pn.awareness.getStates().values()].filter(s => s.user?.name?.startsWith('Browser')).length === 2, T)
      // b1 and b2 are not connected to each other: their presence travels through the Node peer
      t.diagnostic(`node saw both browsers after ${Date.now() - t0} ms`)
      await waitFor('b1 sees Node and Browser 2', async () => (await names(b1)).join() === 'Browser 2,Node', T)
      t.diagnostic(`b1 saw both after ${Date.now() - t0} ms`)
      await waitFor('b2 sees Node and Browser 1', async () => (await names(b2)).join() === 'Browser 1,Node', T)
      t.diagnostic(`b2 saw both after ${Date.now() - t0} ms`)

      const s = performance.now()
      const c1 = await b1.call('setPresence', docId, 'cursor', { at: 42 })
      await waitFor('cursor at b2', async () => (await b2.call('presence', docId))[String(c1)]?.cursor?.at === 42, T, 2)
      t.diagnostic(`presence latency browser->node->browser (incl. polling): ${(performance.now() - s).toFixed(1)} ms`)

      // b2 goes away (page stops its peer): everyone else drops its presence
      await b2.call('stop')
      await waitFor('b1 no longer sees Browser 2', async () => !(await names(b1)).includes('Browser 2'), 10_000)
      await waitFor('node no longer sees Browser 2', () =>
        ![...pn.awareness.getStates().values()].some(s => s.user?.name === 'Browser 2'), 10_000)
    } catch (err) {
      console.log(harness.logs.slice(-40).join('\n'))
      throw err
    } finally {
      for (const p of [b1, b2]) {
        await p.call('stop').catch(() => {})
        await p.page.context().close()
      }
      await Promise.allSettled(providers.map(async p => { await p.destroy() }))
      await peers.cleanup()
    }
  })

  test('IndexedDB storage: a reloaded page keeps its edits and its peer id', async () => {
    const peers = new Peers()
    const tp = await harness.newPage('idb')
    try {
      const { weft: node, ws } = await nodePeer(peers)
      const docId = newDocId()
      const first = await tp.call('start', { bootstrap: [ws], dataDir: 'weft-idb-test' })
      await tp.call('open', docId)
      await tp.call('insert', docId, 0, 'kept in IndexedDB')
      await tp.call('flush', docId)
      await tp.call('stop')
      await peers.stop(node) // nobody else holds the edit: it can only come back from IndexedDB

      await tp.page.reload()
      await tp.page.waitForFunction(() => (globalThis as any).weftTest != null, undefined, { timeout: 20_000 })
      const { ws: ws2 } = await nodePeer(peers)
      const second = await tp.call('start', { bootstrap: [ws2], dataDir: 'weft-idb-test' })
      assert.equal(second.peerId, first.peerId)
      await tp.call('open', docId)
      await waitFor('text restored from IndexedDB', async () =>
        (await tp.call('text', docId)) === 'kept in IndexedDB', T)
    } catch (err) {
      console.log(harness.logs.slice(-40).join('\n'))
      throw err
    } finally {
      await tp.call('stop').catch(() => {})
      await tp.page.context().close()
      await peers.cleanup()
    }
  })

  test('the shipped library bundle (yjs left to the app) works in an app bundle that brings its own yjs', async () => {
    const peers = new Peers()
    const dir = join(root, 'dist', 'browser-test')
    await mkdir(dir, { recursive: true })
    await bundle({
      entry: join(root, 'src/browser.ts'),
      outfile: join(dir, 'weft.js'),
      write: true,
      minify: true,
      external: SHARED_WITH_APP
    })
    // A consumer app as a user would write it: its own yjs, weft's browser build.
    await writeFile(join(dir, 'consumer.js'), [
      "import * as Y from 'yjs'",
      "import { createWeft, WeftProvider } from './weft.js'",
      'globalThis.consumer = async (bootstrap, docId) => {',
      '  const weft = await createWeft({ bootstrap, network: { allowPrivateDials: true, gossipHeartbeatMs: 200 } })',
      '  const ydoc = new Y.Doc()',
      '  const provider = new WeftProvider(docId, ydoc, { weft })',
      '  await provider.whenSynced({ signal: AbortSignal.timeout(20000) })',
      "  const text = ydoc.getText('text').toString()",
      "  ydoc.getText('text').insert(text.length, ' + consumer')",
      '  await provider.flush()',
      '  globalThis.stopConsumer = async () => { await provider.destroy(); await weft.stop() }',
      '  return text',
      '}'
    ].join('\n'))
    const app = await bundle({ entry: join(dir, 'consumer.js') })
    harness.addRoute('/consumer.js', 'text/javascript', app.code)
    harness.addRoute('/consumer', 'text/html', '<!doctype html><script type="module" src="/consumer.js"></script>')
    const context = await harness.browser.newContext()
    const page = await context.newPage()
    const warnings: string[] = []
    page.on('console', m => { if (/already imported/i.test(m.text())) warnings.push(m.text()) })
    try {
      const { weft: node, ws } = await nodePeer(peers)
      const handle = await node.create()
      handle.doc.getText('text').insert(0, 'node')
      await page.goto(harness.baseUrl + 'consumer')
      await page.waitForFunction(() => (globalThis as any).consumer != null, undefined, { timeout: 20_000 })
      const seen = await page.evaluate(
        async ([b, id]) => await (globalThis as any).consumer([b], id),
        [ws, handle.id] as const
      )
      assert.equal(seen, 'node')
      await waitFor('consumer edit at the node', () => handle.doc.getText('text').toString() === 'node + consumer', T)
      assert.deepEqual(warnings, [], 'one yjs instance')
    } finally {
      await page.evaluate(async () => await (globalThis as any).stopConsumer?.()).catch(() => {})
      await context.close()
      await peers.cleanup()
    }
  })
})
