import { mkdir, open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'

/** Thrown when another running app already uses the data dir. */
export class DataDirInUseError extends Error {
  constructor (readonly dataDir: string, readonly pid: number) {
    super(`--data-dir ${dataDir} is in use by another weft notes (process ${pid}): ` +
      'close it, or pass another --data-dir to run a second device')
    this.name = 'DataDirInUseError'
  }
}

/**
 * One app per data dir: `<dataDir>/notes.lock` holds the owner's pid, created
 * exclusively. A lock left by a process that is gone (a crash) is taken over.
 * LevelDB would refuse a second opener too, but with a message about LOCK
 * files; this names the option to change. Returns the release function.
 */
export async function lockDataDir (dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true })
  const path = join(dataDir, 'notes.lock')
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, 'wx')
      await file.writeFile(String(process.pid))
      await file.close()
      return async () => { await rm(path, { force: true }) }
    } catch (err: any) {
      if (err?.code !== 'EEXIST') throw err
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim())
    if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) { // our own pid: another service in this process
      throw new DataDirInUseError(dataDir, pid)
    }
    await rm(path, { force: true }) // stale: its owner is gone
  }
  throw new Error(`cannot lock ${path}`)
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err: any) {
    return err?.code === 'EPERM' // exists, owned by someone else
  }
}
