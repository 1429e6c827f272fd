/**
 * A shared note that is empty on its holder still arrives: the holder's sync
 * answer counts, not only content (two real devices: NotesService on
 * loopback, real LevelDB).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Devices, hasText, waitFor } from './notes/services.js'

test('an empty note joined by link arrives from its holder, online at once or when it comes back', {
  timeout: 90_000
}, async () => {
  const devices = new Devices()
  try {
    const laptopDir = await devices.dataDir()
    let laptop = await devices.start(laptopDir)
    const phone = await devices.start(undefined, { joinWaitMs: 10_000 })

    // Holder online: the join resolves as arrived (not waiting) and the note is listed, empty.
    const blank = await laptop.createNote('')
    const t0 = Date.now()
    assert.deepEqual(await phone.joinLink(await laptop.shareLink(blank.id)), { kind: 'note', id: blank.id })
    assert.ok(Date.now() - t0 < 10_000, 'arrived before the join wait ran out')
    assert.deepEqual(phone.listNotes().map(n => ({ id: n.id, title: n.title })), [{ id: blank.id, title: '' }])
    assert.deepEqual(phone.status().joining, [])
    assert.equal(phone.noteText(blank.id), '')

    // Holder offline at the join: it waits; when the holder is back, the empty note arrives.
    const later = await laptop.createNote('')
    const link = await laptop.shareLink(later.id)
    await devices.stop(laptop)
    const waitingPhone = phone
    const joined = await Promise.race([
      waitingPhone.joinLink(link),
      new Promise(resolve => setTimeout(resolve, 15_000, 'join did not return'))
    ])
    assert.deepEqual(joined, { kind: 'note', id: later.id, waiting: true })
    assert.deepEqual(phone.status().joining.map(j => j.id), [later.id])
    assert.ok(!phone.listNotes().some(n => n.id === later.id))
    laptop = await devices.start(laptopDir)
    await waitFor('the empty note arrives on the phone', () => phone.listNotes().some(n => n.id === later.id), 30_000)
    assert.deepEqual(phone.status().joining, [])

    // And it is the same note: text typed on the laptop reaches the phone.
    await laptop.editNote(later.id, { splice: { index: 0, remove: 0, insert: 'now with text' } })
    await waitFor('the text reaches the phone', () => hasText(phone, later.id, 'now with text'), 30_000)
  } finally {
    await devices.cleanup()
  }
})
