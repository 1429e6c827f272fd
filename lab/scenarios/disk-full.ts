import { Cluster } from '../cluster.js'
import { newDocId } from '../../src/index.js'
import { poll } from '../wait.js'
import { resizeTmpfs } from '../net/tmpfs.js'
import { Checker } from '../chaos/checker.js'

const DISK_KIB = 2048
const EDIT_BYTES = 16 * 1024

/**
 * A writer whose data dir is a 2 MiB tmpfs writes 16 KiB edits until the disk is
 * full. Contract: an edit that could not be made durable is not acknowledged
 * (its flush rejects), and nothing acknowledged is lost: after a SIGKILL, more
 * space and a restart on the same dir, every acknowledged edit is on both peers.
 */
export async function diskFullScenario (): Promise<boolean> {
  const cluster = await Cluster.start({ name: `disk${process.pid}`, peers: [{}, { tmpfsKiB: DISK_KIB }] })
  try {
    const [other, writer] = cluster.peers
    const doc = newDocId()
    await other.open(doc)
    await writer.open(doc)
    const checker = new Checker()
    let refused = 0
    let firstRefusal = ''
    for (let e = 0; e < 400 && refused < 5; e++) {
      const token = `<d${e}:${'x'.repeat(EDIT_BYTES)}>`
      const kind = e % 2 === 0 ? 'text' : 'map'
      try {
        const ack = await writer.edit(doc, kind, token, false)
        checker.record({ ...ack, peer: 1, kind, token })
      } catch (err: any) {
        if (!writer.alive) break
        refused++
        firstRefusal ||= String(err?.message ?? err)
      }
    }
    console.log(`disk-full: ${checker.acks.length} edits acknowledged, ${refused} refused` +
      (firstRefusal !== '' ? ` (first refusal: ${firstRefusal.slice(0, 160)})` : ''))
    let ok = refused > 0
    if (!ok) console.log(`disk-full: FAILED: the ${DISK_KIB} KiB disk never refused an edit`)
    if (!writer.alive) console.log('disk-full: the writer process died on the full disk')

    // The operator frees space; the writer is killed and restarted on the same data dir.
    await writer.kill()
    await resizeTmpfs(cluster.root + '/h1', DISK_KIB * 16)
    await cluster.startPeer(1)
    await writer.open(doc)
    const settled = await poll(async () => checker.settled([await other.state(doc), await writer.state(doc)]), 30_000)
    const verdict = checker.judge([await other.state(doc), await writer.state(doc)])
    console.log(`disk-full: after restart: ${verdict.converged ? 'converged' : 'NOT converged'}, ` +
      `${verdict.lost.length} acknowledged edits lost`)
    for (const d of verdict.details) console.log(`disk-full:   ${d}`)
    ok = ok && settled && verdict.converged && verdict.lost.length === 0
    const crashes = cluster.crashes()
    for (const c of crashes) console.log(`disk-full: crash: ${c.slice(0, 400)}`)
    // After restart, the writer can write again.
    await writer.edit(doc, 'text', '<after>', false)
    return ok && crashes.length === 0
  } finally {
    await cluster.destroy()
  }
}
