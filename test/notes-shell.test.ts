/**
 * The desktop shell's own rules, without Electron (its binary cannot be downloaded here):
 * one app per data dir (a real second NotesService on the same dir), and the app menu's
 * accelerators reaching the renderer as commands.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'
import { DataDirInUseError } from '../demo/notes/main/data-dir-lock.js'
import type { NotesCommand } from '../demo/notes/shared/bridge.js'
import { notesMenuTemplate } from '../electron/menu.js'
import { Devices } from './notes/services.js'

test('a second app on the same data dir is refused with the option to change; a stale lock is taken over', {
  timeout: 60_000
}, async () => {
  const devices = new Devices()
  try {
    const dir = await devices.dataDir()
    const first = await devices.start(dir)
    await assert.rejects(devices.start(dir), (err: unknown) => {
      assert.ok(err instanceof DataDirInUseError)
      const expected = `^--data-dir ${dir} is in use by another weft notes \\(process ${process.pid}\\)`
      assert.match(err.message, new RegExp(expected))
      return true
    })
    const note = await first.createNote('Still mine')
    await devices.stop(first)
    const again = await devices.start(dir)
    assert.equal(again.noteText(note.id), 'Still mine', 'the lock is released on stop')
    await devices.stop(again)

    // A crash leaves the lock file behind, naming a process that is gone.
    await writeFile(join(dir, 'notes.lock'), '2147483646')
    const afterCrash = await devices.start(dir)
    assert.equal(afterCrash.noteText(note.id), 'Still mine')
  } finally {
    await devices.cleanup()
  }
})

test('the app menu carries the shortcuts as accelerators and sends their commands to the page', () => {
  const sent: NotesCommand[] = []
  const items = (template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] => template.flatMap(item =>
    [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])])
  const all = items(notesMenuTemplate(command => { sent.push(command) }, 'linux'))
  const byAccelerator = new Map(all.filter(i => i.accelerator !== undefined).map(i => [i.accelerator, i]))
  for (const [accelerator, command] of [['CmdOrCtrl+N', 'new-note'], ['CmdOrCtrl+K', 'search'],
    ['CmdOrCtrl+F', 'search'], ['CmdOrCtrl+Shift+S', 'share'], ['CmdOrCtrl+\\', 'toggle-sidebar']] as const) {
    const item = byAccelerator.get(accelerator)
    assert.ok(item?.click !== undefined, `a menu item for ${accelerator}`)
    sent.length = 0
    ;(item.click as () => void)()
    assert.deepEqual(sent, [command])
  }
  assert.ok(all.some(i => i.role === 'quit'), 'Quit on Linux and Windows')
  assert.ok(items(notesMenuTemplate(() => {}, 'darwin')).some(i => i.role === 'appMenu'), 'the app menu on macOS')
  assert.ok(!all.some(i => i.accelerator === 'Escape'), 'Escape stays with the page')
})
