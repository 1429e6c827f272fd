/**
 * An editor binding works unchanged: CodeMirror 6 with y-codemirror.next's
 * `yCollab(ytext, provider.awareness)` on a WeftProvider document, in
 * headless Chromium, with a Node peer and a second browser as the others.
 */
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { Peers, waitFor } from './support/peers.js'
import { newDocId } from '../src/index.js'
import { WeftProvider } from '../src/index.js'
import { browserSkipReason, startHarness, type Harness } from './browser/harness.js'

const skip = browserSkipReason()
const T = 30_000

describe('y-codemirror.next on a WeftProvider in headless Chromium', { skip, timeout: 120_000 }, () => {
  let harness: Harness
  before(async () => { harness = await startHarness() })
  after(async () => { await harness?.close() })

  test('remote text and remote cursors arrive in the editor', async (t) => {
    const peers = new Peers()
    const providers: WeftProvider[] = []
    const b1 = await harness.newPage('editor-1')
    const b2 = await harness.newPage('editor-2')
    try {
      const node = await peers.start({ listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] })
      const ws = node.multiaddrs.find(a => a.includes('/ws/'))!
      const docId = newDocId()
      const nodeDoc = new Y.Doc()
      const ytext = nodeDoc.getText('text')
      const pn = new WeftProvider(docId, nodeDoc, { weft: node })
      providers.push(pn)
      pn.awareness.setLocalStateField('user', { name: 'Node', color: '#00aa00' })

      for (const [p, name, color] of [[b1, 'Browser 1', '#aa0000'], [b2, 'Browser 2', '#0000aa']] as const) {
        await p.call('start', { bootstrap: [ws] })
        await p.call('open', docId, { name, color })
        await p.call('mountEditor', docId)
      }

      // Node peer types: the text shows up in both editors.
      ytext.insert(0, 'Hello from Node.\n')
      for (const p of [b1, b2]) {
        await waitFor('node text in editor', async () =>
          (await p.call('editorText', docId)) === 'Hello from Node.\n', T)
      }

      // A real user types into editor 1 with the keyboard.
      await b1.page.click('#editor-' + docId + ' .cm-content')
      await b1.page.keyboard.press('Control+End')
      const s = performance.now()
      await b1.page.keyboard.type('Typed in Chromium.')
      await waitFor('typed text at the Node peer', () => ytext.toString() === 'Hello from Node.\nTyped in Chromium.', T)
      await waitFor('typed text in editor 2', async () =>
        (await b2.call('editorText', docId)) === 'Hello from Node.\nTyped in Chromium.', T)
      const typedMs = (performance.now() - s).toFixed(0)
      t.diagnostic(`keyboard -> editor 2 (via the Node peer): ${typedMs} ms for 18 keystrokes`)
      // The DOM of editor 2 shows it too, not just its state.
      assert.match(await b2.page.locator('.cm-content').innerText(), /Typed in Chromium\./)

      // Editor 1's cursor reaches the Node peer as a y-codemirror cursor
      // (relative positions into the shared text)...
      await waitFor('browser 1 cursor at the node', () => [...pn.awareness.getStates().values()]
        .some(st => st.user?.name === 'Browser 1' && st.cursor != null), T)
      const b1State = [...pn.awareness.getStates().values()].find(st => st.user?.name === 'Browser 1')!
      const head = Y.createAbsolutePositionFromRelativePosition(
        Y.createRelativePositionFromJSON(b1State.cursor.head),
        nodeDoc
      )
      assert.equal(head?.index, ytext.length, 'browser 1 caret is at the end of what it typed')

      // ...and is drawn in editor 2 as a remote caret with its name.
      await waitFor('caret of Browser 1 in editor 2', async () =>
        (await b2.call('remoteCaretNames')).includes('Browser 1'), T)

      // The Node peer puts its cursor after "Hello": editors draw a caret named Node.
      pn.awareness.setLocalStateField('cursor', {
        anchor: Y.createRelativePositionFromTypeIndex(ytext, 5),
        head: Y.createRelativePositionFromTypeIndex(ytext, 5)
      })
      for (const p of [b1, b2]) {
        await waitFor('caret of Node in editor', async () => (await p.call('remoteCaretNames')).includes('Node'), T)
      }

      // Concurrent edits from all three converge in every editor.
      await Promise.all([
        b1.call('insert', docId, 0, '[b1]'),
        b2.call('insert', docId, 0, '[b2]')
      ])
      ytext.insert(0, '[node]')
      const expectLen = 'Hello from Node.\nTyped in Chromium.'.length + '[b1][b2][node]'.length
      await waitFor('all converge', async () => {
        const [e1, e2] = [await b1.call('editorText', docId), await b2.call('editorText', docId)]
        return e1 === e2 && e1 === ytext.toString() && e1.length === expectLen
      }, T)
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
})
