/** The notes app's pure pieces: links, titles, status wording. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatLink, parseLink } from '../demo/notes/shared/links.js'
import { notePreview, noteTitle } from '../demo/notes/shared/note-title.js'
import { describeNetwork, describeNote, relativeTime } from '../demo/notes/renderer/status-text.js'

const ID = 'abcdefghijklmnopqrstuvwxyz'
const PEER = '/ip4/192.168.1.20/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

test('a share link round-trips its kind, document id and peer addresses, and stays readable', () => {
  const v6 = '/ip6/::1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
  const link = formatLink({ kind: 'notebook', docId: ID, peers: [PEER, v6] })
  assert.ok(link.startsWith(`weft://${ID}?kind=notebook&peer=/ip4/192.168.1.20/tcp/4001/p2p/`), link)
  assert.deepEqual(parseLink(link), { kind: 'notebook', docId: ID, peers: [PEER, v6] })
  assert.deepEqual(parseLink(`  weft://${ID}  `), { kind: 'note', docId: ID, peers: [] })
  const named = formatLink({ kind: 'note', docId: ID, peers: [PEER], from: 'Ada\'s phone & co' })
  assert.deepEqual(parseLink(named), { kind: 'note', docId: ID, peers: [PEER], from: 'Ada\'s phone & co' })
})

test('a malformed link is refused with a readable reason', () => {
  assert.throws(() => parseLink('https://example.com'), /not a weft:\/\/ link/)
  assert.throws(() => parseLink('weft://NOT-AN-ID'), /valid document id/)
  assert.throws(() => parseLink(`weft://${ID}?kind=admin`), /unknown link kind/)
  assert.deepEqual(parseLink(`weft://${ID}?peer=garbage&peer=/ip4/1.2.3.4/tcp/1`).peers, [],
    'addresses without a peer id are dropped')
})

test('a note\'s title is its first non-blank line, trimmed and capped', () => {
  assert.equal(noteTitle(''), '')
  assert.equal(noteTitle('\n\n  Groceries  \nmilk'), 'Groceries')
  assert.equal(noteTitle('x'.repeat(200)).length, 80)
  assert.equal(notePreview('\nGroceries\n milk \n\neggs'), 'milk eggs')
  assert.equal(notePreview('Groceries'), '')
  assert.equal(notePreview(`T\n${'y'.repeat(300)}`).length, 120)
})

test('the badge says Synced only when nothing is unconfirmed, and otherwise when the last confirmation was', () => {
  const now = Date.UTC(2026, 11, 3, 12)
  assert.deepEqual(describeNote({ status: 'synced', unconfirmed: 0, peers: 1 }, false),
    { label: 'Synced', tone: 'synced', pending: '' })
  // The engine may call a document synced while a local change is still unconfirmed: never "Synced" then.
  const threeMinAgo = now - 3 * 60_000
  assert.deepEqual(describeNote({ status: 'synced', unconfirmed: 15, peers: 1, confirmedAt: threeMinAgo }, false, now),
    { label: 'Syncing…', tone: 'syncing', pending: 'Unsent changes · last synced 3 min ago' })
  assert.deepEqual(describeNote({ status: 'offline', unconfirmed: 144, peers: 0 }, false, now),
    { label: 'Offline', tone: 'offline', pending: 'Unsent changes · not synced yet' }, 'no keystroke count')
  assert.equal(describeNote({ status: 'offline', unconfirmed: 0, peers: 0, confirmedAt: now - 7_200_000 }, false, now)
    .pending, 'Last synced 2 h ago')
  assert.equal(describeNote({ status: 'offline', unconfirmed: 3, peers: 0 }, true).label, 'Working offline')
  assert.equal(describeNote({ status: 'connecting', unconfirmed: 0, peers: 0 }, false).tone, 'connecting')
  assert.equal(describeNetwork(undefined).label, 'Starting…')
  assert.equal(relativeTime(Date.now() - 5 * 60_000), '5 min ago')
})
