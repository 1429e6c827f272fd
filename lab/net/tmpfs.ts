import { mkdir } from 'node:fs/promises'
import { run, tryRun } from './exec.js'

/** Mounts a small tmpfs at `dir`: a disk that fills up. */
export async function mountTmpfs (dir: string, sizeKiB: number): Promise<void> {
  await mkdir(dir, { recursive: true })
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir])
}

/** Grows (or shrinks) a mounted tmpfs in place: the operator freed space. */
export async function resizeTmpfs (dir: string, sizeKiB: number): Promise<void> {
  await run('mount', ['-o', `remount,size=${sizeKiB}k`, dir])
}

export async function unmount (dir: string): Promise<boolean> {
  return await tryRun('umount', ['-l', dir])
}
