// Child process for the SIGKILL test: edits a document as fast as it can and prints
// "ack <n> <text length>" each time an edit is durable (handle.flush() resolved).
// The parent kills it with SIGKILL at a random moment, mid-write.
import { createWeft } from '../../src/index.js'

const [dataDir, docId] = process.argv.slice(2)
const weft = await createWeft({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
const handle = docId === undefined ? await weft.create() : await weft.open(docId)
process.stdout.write(`doc ${handle.id}\n`)
const text = handle.doc.getText('text')
const map = handle.doc.getMap('acks')
// A restarted writer continues where its durable state ends.
for (let n = Number(map.get('last') ?? 0) + 1; ; n++) {
  text.insert(text.length, `${n};`)
  map.set('last', n)
  if (n % 3 === 0) {
    await handle.flush()
    process.stdout.write(`ack ${n} ${text.length}\n`)
  }
}
