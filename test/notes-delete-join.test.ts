/**
 * Deleted notes and joined notes across two real devices (NotesService on
 * loopback, real LevelDB): the delete rule, forgetting, links that lead
 * nowhere, device names and search.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { NotesService } from '../demo/notes/main/notes-service.js'
import { Devices, hasText, waitFor } from './notes/services.js'

const listed = (service: NotesService, id: string): boolean => service.listNotes().some(n => n.id === id)
const stored = async (service: NotesService, id: string): Promise<boolean> =>
  (await service.weft.storedDocuments()).includes(id)

test('a delete wins over an edit made concurrently on a device that had not seen it; both devices forget the note', {
  timeout: 90_000
}, async () => {
  const devices = new Devices()
  try {
    const laptop = await devices.start()
    const phone = await devices.start()
    await laptop.setDeviceName('Laptop')
    const groceries = await laptop.createNote('Groceries\nmilk')
    const keep = await laptop.createNote('Keep me\nthis one stays')
    await phone.joinLink(await laptop.shareLink())
    await waitFor('the phone has both notes',
      () => hasText(phone, groceries.id, 'Groceries\nmilk') && hasText(phone, keep.id, 'Keep me\nthis one stays'))
    await waitFor('the phone knows the laptop by its name', () =>
      phone.status().deviceNames[laptop.weft.peerId] === 'Laptop')
    await waitFor('the phone\'s copy is confirmed by the laptop', () =>
      typeof phone.status().notes[groceries.id]?.confirmedAt === 'number')
    assert.deepEqual(phone.searchNotes('MILK'), [groceries.id], 'search looks into the text, case-insensitively')
    assert.deepEqual(phone.searchNotes('keep'), [keep.id], 'and into titles')
    assert.equal(phone.listNotes().find(n => n.id === keep.id)?.preview, 'this one stays')

    // Apart: the laptop deletes the note, the phone (which has not seen that) edits it.
    await phone.setOffline(true)
    await waitFor('both are offline', () => laptop.status().connectedPeers.length === 0)
    await laptop.deleteNote(groceries.id)
    assert.equal(listed(laptop, groceries.id), false)
    await waitFor('the laptop forgets the deleted note\'s document', async () => !await stored(laptop, groceries.id))
    await phone.editNote(groceries.id, { splice: { index: 0, remove: 0, insert: 'Weekend ' } })
    await waitFor('the phone rewrote the note\'s list entry',
      () => phone.listNotes().find(n => n.id === groceries.id)?.title === 'Weekend Groceries')

    await phone.setOffline(false)
    await waitFor('the delete reaches the phone', () => !listed(phone, groceries.id), 30_000)
    await waitFor('the phone forgets the document too', async () => !await stored(phone, groceries.id))
    assert.throws(() => phone.noteText(groceries.id), /no note/)
    await new Promise(resolve => setTimeout(resolve, 1_500)) // a few beacons and touches later
    assert.equal(listed(laptop, groceries.id), false, 'the edit did not bring the note back on the laptop')
    assert.equal(listed(phone, groceries.id), false)
    assert.equal(await stored(laptop, groceries.id), false)
    assert.ok(listed(phone, keep.id) && listed(laptop, keep.id), 'the other note is untouched')
    await assert.rejects(phone.joinLink(await laptop.shareLink(keep.id).then(l => l.replace(keep.id, groceries.id))),
      /deleted/)
  } finally {
    await devices.cleanup()
  }
})

test('a note joined while its holder is offline waits outside the notebook, and a link to nowhere adds nothing', {
  timeout: 90_000
}, async () => {
  const devices = new Devices()
  try {
    const laptopDir = await devices.dataDir()
    let laptop = await devices.start(laptopDir)
    const phone = await devices.start(undefined, { joinWaitMs: 500 })
    await laptop.setDeviceName('Laptop')
    const recipe = await laptop.createNote('Pancakes\n2 eggs')
    const link = await laptop.shareLink(recipe.id)
    const laptopPeer = laptop.weft.peerId
    await devices.stop(laptop)

    assert.deepEqual(await phone.joinLink(link), { kind: 'note', id: recipe.id, waiting: true })
    assert.deepEqual(phone.listNotes(), [], 'nothing is listed (or shared with other devices) yet')
    const [waiting] = phone.status().joining
    assert.deepEqual({ ...waiting, since: 0 },
      { id: recipe.id, holders: [laptopPeer], holderName: 'Laptop', holderOnline: false, since: 0 })

    // A well-formed link to a note nobody holds: also waiting, and cancelling forgets it.
    const nowhere = 'weft://abcdefghijklmnopqrstuvwxyz?kind=note'
    assert.deepEqual(await phone.joinLink(nowhere), { kind: 'note', id: 'abcdefghijklmnopqrstuvwxyz', waiting: true })
    await phone.cancelJoin('abcdefghijklmnopqrstuvwxyz')
    assert.deepEqual(phone.status().joining.map(j => j.id), [recipe.id])
    assert.equal(await stored(phone, 'abcdefghijklmnopqrstuvwxyz'), false)
    assert.deepEqual(phone.listNotes(), [])

    // The holder comes back (same data dir, same port): the note arrives and joins the notebook.
    laptop = await devices.start(laptopDir)
    await waitFor('the note arrives on the phone', () => hasText(phone, recipe.id, 'Pancakes\n2 eggs'), 30_000)
    await waitFor('and is listed with its title', () =>
      phone.listNotes().find(n => n.id === recipe.id)?.title === 'Pancakes')
    assert.deepEqual(phone.status().joining, [])
  } finally {
    await devices.cleanup()
  }
})
