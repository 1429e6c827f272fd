/**
 * The notes app's main-process side, for real: NotesService instances ("devices")
 * with real weft peers on loopback TCP and real LevelDB directories.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { NotesEvent } from '../demo/notes/shared/bridge.js'
import { Devices, hasText, waitFor } from './notes/services.js'

test('a second device joins a notebook by link, and edits made apart merge when it reconnects', {
  timeout: 90_000
}, async () => {
  const devices = new Devices()
  try {
    const laptop = await devices.start()
    const phone = await devices.start()
    const groceries = await laptop.createNote('Groceries\nmilk')
    const ideas = await laptop.createNote('Ideas')
    assert.deepEqual(laptop.listNotes().map(n => n.title).sort(), ['Groceries', 'Ideas'])

    const phoneEvents: NotesEvent[] = []
    phone.onEvent(event => { phoneEvents.push(event) })
    const link = await laptop.shareLink()
    assert.match(link, /^weft:\/\/[a-z2-7]{26}\?kind=notebook&peer=/)
    assert.deepEqual(await phone.joinLink(link), { kind: 'notebook', id: laptop.status().notebook.id })
    await waitFor('the phone has both notes',
      () => hasText(phone, groceries.id, 'Groceries\nmilk') && hasText(phone, ideas.id, 'Ideas'))
    await waitFor('the phone lists them with titles',
      () => phone.listNotes().map(n => n.title).sort().join() === 'Groceries,Ideas')
    await waitFor('a notes event reached the phone UI',
      () => phoneEvents.some(e => e.type === 'notes' && e.notes.length === 2))
    await waitFor('the note is synced on the phone', () => phone.status().notes[groceries.id]?.status === 'synced')
    assert.deepEqual(phone.status().connectedPeers, [laptop.status().peerId])

    // Apart: the phone switches networking off (a connection gater refuses everything; open connections close).
    await phone.setOffline(true)
    await waitFor('both are offline',
      () => laptop.status().connectedPeers.length === 0 && phone.status().connectedPeers.length === 0)
    await waitFor('the note shows offline', () => phone.status().notes[groceries.id]?.status === 'offline')
    assert.equal(phone.status().offline, true)

    await laptop.editNote(groceries.id, { splice: { index: 'Groceries\nmilk'.length, remove: 0, insert: '\neggs' } })
    await phone.editNote(groceries.id, { splice: { index: 'Groceries'.length, remove: 0, insert: ' (weekend)' } })
    const offlineNote = await phone.createNote('Written on the train')
    assert.equal(laptop.noteText(groceries.id), 'Groceries\nmilk\neggs')
    assert.equal(phone.noteText(groceries.id), 'Groceries (weekend)\nmilk')
    assert.ok(phone.status().notes[groceries.id].unconfirmed > 0, 'the phone knows its edit has reached no one')
    await new Promise(resolve => setTimeout(resolve, 1_000)) // stays apart for a few beacon intervals
    assert.equal(laptop.listNotes().length, 2)

    await phone.setOffline(false)
    const merged = 'Groceries (weekend)\nmilk\neggs'
    await waitFor('both devices converge with both edits',
      () => hasText(laptop, groceries.id, merged) && hasText(phone, groceries.id, merged), 30_000)
    await waitFor('the laptop has the note written offline',
      () => hasText(laptop, offlineNote.id, 'Written on the train'))
    const titles = (s: typeof laptop): string => s.listNotes().map(n => `${n.id}:${n.title}`).sort().join()
    await waitFor('the merged title is listed on both', () => titles(laptop) === titles(phone) &&
      laptop.listNotes().find(n => n.id === groceries.id)?.title === 'Groceries (weekend)')
    const unconfirmed = (id: string): number | undefined => phone.status().notes[id]?.unconfirmed
    await waitFor('the phone learns its edits arrived',
      () => unconfirmed(groceries.id) === 0 && unconfirmed(offlineNote.id) === 0)
    await waitFor('the note is synced again', () => phone.status().notes[groceries.id]?.status === 'synced')

    await laptop.deleteNote(ideas.id)
    await waitFor('the delete reaches the phone', () => !phone.listNotes().some(n => n.id === ideas.id))
    assert.throws(() => phone.noteText(ideas.id), /no note/)
  } finally {
    await devices.cleanup()
  }
})

test('a restarted device keeps its notes offline, and its edits reach a peer when that peer reappears', {
  timeout: 90_000
}, async () => {
  const devices = new Devices()
  try {
    const laptopDir = await devices.dataDir()
    const phoneDir = await devices.dataDir()
    let laptop = await devices.start(laptopDir)
    let phone = await devices.start(phoneDir)
    const plan = await laptop.createNote('Plan')
    await phone.joinLink(await laptop.shareLink(plan.id))
    await waitFor('the phone has the shared note', () => hasText(phone, plan.id, 'Plan'))
    assert.deepEqual(phone.listNotes().map(n => n.id).includes(plan.id), true)
    const laptopAddress = laptop.status().addresses[0]

    // The laptop goes away for good (process gone), the phone keeps editing.
    await devices.stop(laptop)
    await waitFor('the phone sees it is alone', () => phone.status().notes[plan.id]?.status === 'offline')
    await phone.editNote(plan.id, { splice: { index: 4, remove: 0, insert: '\n- written while the laptop was off' } })

    // The phone restarts with no peer anywhere: everything is still there (LevelDB + notes.json).
    const before = phone.listNotes()
    await devices.stop(phone)
    phone = await devices.start(phoneDir)
    assert.deepEqual(phone.listNotes(), before)
    assert.equal(phone.noteText(plan.id), 'Plan\n- written while the laptop was off')
    assert.equal(phone.status().connectedPeers.length, 0)
    assert.equal(phone.status().notes[plan.id].status, 'offline')
    assert.equal(typeof phone.status().notes[plan.id].confirmedAt, 'number',
      'the time the laptop last confirmed the note survives the restart ("last synced …")')

    // The laptop comes back on the same data dir: same identity, same port, so the phone finds it again.
    laptop = await devices.start(laptopDir)
    assert.equal(laptop.status().addresses[0], laptopAddress)
    assert.equal(laptop.noteText(plan.id), 'Plan')
    await waitFor('the phone\'s offline edit reaches the laptop',
      () => hasText(laptop, plan.id, 'Plan\n- written while the laptop was off'), 30_000)
    await waitFor('the phone sees its edit confirmed', () => phone.status().notes[plan.id]?.unconfirmed === 0)
  } finally {
    await devices.cleanup()
  }
})
