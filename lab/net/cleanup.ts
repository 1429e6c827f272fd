import { readFile, rm } from 'node:fs/promises'
import { run, tryRun } from './exec.js'
import { LAB_PREFIX, LAB_ROOT } from './names.js'

/**
 * Removes everything a lab left behind, found by name: processes inside lab
 * namespaces (killed by pid), tmpfs mounts under the lab root, the namespaces
 * (which takes their veths and bridges with them) and the data directories.
 */
export async function cleanupLeftovers (match = LAB_PREFIX): Promise<string[]> {
  const removed: string[] = []
  const list = await run('ip', ['netns', 'list']).catch(() => '')
  const namespaces = list.split('\n').map(l => l.split(' ')[0]).filter(n => n.startsWith(match))
  for (const ns of namespaces) {
    const pids = (await run('ip', ['netns', 'pids', ns]).catch(() => '')).split('\n').filter(Boolean)
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL')
        removed.push(`process ${pid} in ${ns}`)
      } catch {}
    }
  }
  const mounts = (await readFile('/proc/mounts', 'utf8')).split('\n').map(l => l.split(' ')[1]).filter(Boolean)
  for (const mount of mounts.filter(m => m.startsWith(`${LAB_ROOT}/`) && m.includes(match)).reverse()) {
    if (await tryRun('umount', ['-l', mount])) removed.push(`mount ${mount}`)
  }
  for (const ns of namespaces) {
    if (await tryRun('ip', ['netns', 'del', ns])) removed.push(`namespace ${ns}`)
  }
  if (match === LAB_PREFIX) await rm(LAB_ROOT, { recursive: true, force: true })
  return removed
}
