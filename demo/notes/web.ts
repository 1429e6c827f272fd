/**
 * `npm run notes:web`: the notes app without Electron. A NotesService (the same one the Electron
 * app runs) plus the renderer in your browser at the URL it prints, on 127.0.0.1.
 *
 *   npm run notes:web                                    notes in ~/.weft-notes
 *   npm run notes:web -- --data-dir /tmp/notes-b         a second "device" on the same machine
 *   npm run notes:web -- --port 8080 --host 127.0.0.1    fixed page port; peers on loopback only
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { NotesService } from './main/notes-service.js'
import { startNotesWeb } from './web/server.js'

const args = await yargs(hideBin(process.argv))
  .scriptName('npm run notes:web --')
  .option('data-dir', {
    type: 'string',
    default: process.env.WEFT_NOTES_DIR ?? join(homedir(), '.weft-notes'),
    describe: 'Where this device keeps its notes [env WEFT_NOTES_DIR]'
  })
  .option('port', { type: 'number', default: 0, describe: 'Port of the page on 127.0.0.1 (0: any free port)' })
  .option('host', {
    type: 'string',
    default: '0.0.0.0',
    describe: 'Interface the weft peer listens on (0.0.0.0: other devices on the LAN can sync)'
  })
  .option('mdns', { type: 'boolean', default: true, describe: 'Find other devices on the LAN (--no-mdns: off)' })
  .strict()
  .parseAsync()

const service = await NotesService.start({ dataDir: args.dataDir, host: args.host, weft: { mdns: args.mdns } })
const web = await startNotesWeb(service, args.port).catch(async (err: unknown) => {
  await service.stop()
  throw err
})
console.log(`weft notes (data in ${args.dataDir}): open ${web.url}`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130)
    stopping = true
    // Close the page first, then flush LevelDB and leave the network cleanly.
    web.close().then(async () => { await service.stop() }).then(() => { process.exit(0) }, (err: unknown) => {
      console.error('stopping notes failed:', err)
      process.exit(1)
    })
  })
}
