import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { docToJSON, renderDocContent } from '../src/daemon/doc-json.js'
import { DaemonMetrics } from '../src/daemon/prometheus.js'
import { createLogger } from '../src/daemon/log.js'
import { parsePrometheusText, sumOf } from './daemon/prom-parse.js'

test('engine counters and gauges are exported at scrape time, with reason/kind labels, and move', async () => {
  const counters: Record<string, Record<string, number>> = {
    weft_envelopes_in_total: { '': 3 },
    weft_dropped_total: { 'bad-signature': 1, 'too-large': 2 },
    weft_dials_total: { ok: 4 }
  }
  const m = new DaemonMetrics()
  m.attach({ counters: () => counters, gauges: () => ({ weft_documents_open: 2 }) },
    () => ({ weft_daemon_pinned_documents: 5, weft_documents_open: 99 }))
  let fams = parsePrometheusText((await m.render()).body)
  assert.equal(fams.get('weft_envelopes_in_total')?.type, 'counter')
  assert.equal(sumOf(fams, 'weft_envelopes_in_total'), 3)
  assert.equal(sumOf(fams, 'weft_dropped_total', { reason: 'bad-signature' }), 1)
  assert.equal(sumOf(fams, 'weft_dropped_total', { reason: 'too-large' }), 2)
  assert.equal(sumOf(fams, 'weft_dials_total', { result: 'ok' }), 4)
  assert.equal(fams.get('weft_documents_open')?.type, 'gauge')
  assert.equal(sumOf(fams, 'weft_documents_open'), 2, "the engine's own gauge wins over the daemon's fallback")
  assert.equal(sumOf(fams, 'weft_daemon_pinned_documents'), 5)
  assert.ok(fams.get('weft_daemon_admin_requests_total') != null)

  counters.weft_envelopes_in_total[''] = 10
  counters.weft_sync_pulls_total = { '': 1 } // a name seen for the first time
  fams = parsePrometheusText((await m.render()).body)
  assert.equal(sumOf(fams, 'weft_envelopes_in_total'), 10)
  assert.equal(sumOf(fams, 'weft_sync_pulls_total'), 1)
})

test('the Prometheus parser used by the tests rejects malformed text', () => {
  assert.throws(() => parsePrometheusText('# TYPE x counter\nx{a="1" 2\n'))
  assert.throws(() => parsePrometheusText('# TYPE x counter\nx one\n'))
  assert.throws(() => parsePrometheusText('y 1\n'), /undeclared/)
  assert.throws(() => parsePrometheusText('# TYPE x counter\n# TYPE x gauge\n'))
  const ok = parsePrometheusText(
    '# HELP x a "help"\n# TYPE x counter\nx{a="q\\"uote",b="n\\nl"} 1.5e3\nx 2 1700000000000\n')
  assert.equal(sumOf(ok, 'x'), 1502)
  assert.equal(ok.get('x')?.samples[0].labels.a, 'q"uote')
})

test('docToJSON infers text, map, array and xml roots from a replica that never declared them', () => {
  const src = new Y.Doc()
  src.getText('body').insert(0, 'hello world')
  src.getMap('meta').set('title', 'Notes')
  src.getMap('meta').set('tags', ['a', 'b'])
  src.getArray('items').push([1, { k: 'v' }])
  const frag = src.getXmlFragment('prose')
  const p = new Y.XmlElement('p')
  p.insert(0, [new Y.XmlText('hi')])
  frag.insert(0, [p])
  const replica = new Y.Doc()
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(src))

  const json = docToJSON(replica)
  assert.deepEqual(json.types, { body: 'text', items: 'array', meta: 'map', prose: 'xml' })
  assert.equal(json.content.body, 'hello world')
  assert.deepEqual(json.content.meta, { title: 'Notes', tags: ['a', 'b'] })
  assert.deepEqual(json.content.items, [1, { k: 'v' }])
  assert.equal(json.content.prose, '<p>hi</p>')
  // The replica's root types are left undecided (an app may still call getText/getMap on them).
  assert.doesNotThrow(() => replica.getText('body'))
  assert.doesNotThrow(() => replica.getMap('meta'))

  const rendered = renderDocContent(json)
  assert.match(rendered, /== body \(text\) ==\nhello world/)
  assert.match(rendered, /"title": "Notes"/)
  const single = new Y.Doc()
  single.getText('t').insert(0, 'just text')
  assert.equal(renderDocContent(docToJSON(single)), 'just text')
})

test('logger: human lines by default, JSON lines on request, levels filter', () => {
  const lines: string[] = []
  const now = (): Date => new Date('2026-01-01T00:00:00Z')
  const human = createLogger({ write: (l) => lines.push(l), now })
  human.info('hello', { doc: 'abc', n: 2, s: 'two words' })
  human.debug('hidden')
  assert.deepEqual(lines, ['2026-01-01T00:00:00.000Z INFO  hello doc=abc n=2 s="two words"\n'])
  lines.length = 0
  const json = createLogger({ write: (l) => lines.push(l), now, format: 'json', level: 'debug' })
  json.debug('dbg', { err: new Error('bad') })
  const parsed = JSON.parse(lines[0])
  assert.equal(parsed.level, 'debug')
  assert.equal(parsed.msg, 'dbg')
  assert.equal(parsed.err.message, 'bad')
  const quiet = createLogger({ write: (l) => lines.push(l), level: 'error' })
  quiet.warn('no')
  assert.equal(lines.length, 1)
})
