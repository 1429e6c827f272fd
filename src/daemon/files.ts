/**
 * The daemon's own files in the data directory (next to the engine's store):
 *
 * - `admin-token`  the admin API bearer token (mode 0600), created on first start;
 * - `pins.json`    the pinned documents (see pins.ts);
 * - `daemon.json`  written once the daemon is ready (pid, peer id, admin URL) and
 *                  removed on a clean exit, so that CLI commands find a daemon
 *                  whose admin port was chosen at random.
 *
 * Every write is atomic (temp file, fsync, rename, fsync of the directory), so
 * a crash or SIGKILL leaves either the old or the new content, never a torn file.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { ensureDirectory } from '../platform/node.js'
import { join } from 'node:path'

export const TOKEN_FILE = 'admin-token'
export const PINS_FILE = 'pins.json'
export const RUNTIME_FILE = 'daemon.json'

let tmpCounter = 0

/** Writes `data` to `path` atomically and durably. */
export async function writeFileAtomic (path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${++tmpCounter}`
  const fh = await open(tmp, 'w', mode)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  try {
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  await fsyncDir(join(path, '..'))
}

async function fsyncDir (dir: string): Promise<void> {
  let fh
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await fh?.close()
  }
}

/** Creates the data directory (mode 0700: it holds the peer's private key and the admin token). */
export async function ensureDataDir (dataDir: string): Promise<void> {
  await ensureDirectory(dataDir)
}

export interface TokenInfo {
  token: string
  path: string
  created: boolean
  /** Set when the file is readable by group/others. */
  looseMode?: number
}

/** Loads the admin token from the data dir, creating a random one on first use. */
export async function loadOrCreateToken (dataDir: string): Promise<TokenInfo> {
  const path = join(dataDir, TOKEN_FILE)
  const existing = readTokenFile(dataDir)
  if (existing != null) {
    const mode = statSync(path).mode & 0o777
    return { token: existing, path, created: false, ...((mode & 0o077) !== 0 ? { looseMode: mode } : {}) }
  }
  const token = randomBytes(32).toString('base64url')
  await writeFileAtomic(path, token + '\n', 0o600)
  return { token, path, created: true }
}

/** The token in `<dataDir>/admin-token`, or undefined when there is none (or it is unreadable). */
export function readTokenFile (dataDir: string): string | undefined {
  try {
    const t = readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim()
    return t === '' ? undefined : t
  } catch {
    return undefined
  }
}

export interface RuntimeInfo {
  pid: number
  peerId: string
  adminUrl?: string
  multiaddrs: string[]
  startedAt: string
}

export async function writeRuntimeInfo (dataDir: string, info: RuntimeInfo): Promise<void> {
  await writeFileAtomic(join(dataDir, RUNTIME_FILE), JSON.stringify(info, null, 2) + '\n')
}

export function readRuntimeInfo (dataDir: string): RuntimeInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')) as RuntimeInfo
  } catch {
    return undefined
  }
}

export async function removeRuntimeInfo (dataDir: string): Promise<void> {
  await rm(join(dataDir, RUNTIME_FILE), { force: true })
}
