import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** A peer this device shares notes with, and where it was last reachable. */
export interface KnownPeer {
  addresses: string[]
  seenAt: number
}

/** The app's own small state, next to the engine's LevelDB: which notebook, which port, which peers. */
export interface AppState {
  notebookId?: string
  /** The TCP port used last time: listening on it again lets peers that remember us reach us. */
  port?: number
  peers: Record<string, KnownPeer>
  /** This device's name as the user chose it. */
  deviceName?: string
  /** Note id -> when another device last confirmed holding all its local changes (ms). */
  confirmed: Record<string, number>
  /** Notes joined by link whose content has not arrived: doc id -> holders (peer ids) and since when. */
  joins: Record<string, { holders: string[], since: number, holderName?: string }>
}

const MAX_PEERS = 64
/** A device name is a label, not a document. */
export const MAX_NAME = 40

/** A JSON file written atomically (temp file + rename), one write at a time. */
export class AppStateFile {
  private writing: Promise<void> = Promise.resolve()

  private constructor (private readonly path: string, private state: AppState) {}

  static async load (path: string): Promise<AppStateFile> {
    let state: AppState = { peers: {}, confirmed: {}, joins: {} }
    try {
      state = sanitize(JSON.parse(await readFile(path, 'utf8')))
    } catch (err: any) {
      if (err?.code !== 'ENOENT') throw new Error(`cannot read ${path}: ${err?.message ?? err}`)
    }
    return new AppStateFile(path, state)
  }

  get current (): Readonly<AppState> {
    return this.state
  }

  /** Changes the state and persists it; resolves once it is on disk. */
  async update (change: (state: AppState) => void): Promise<void> {
    change(this.state)
    const ids = Object.keys(this.state.peers)
    if (ids.length > MAX_PEERS) {
      ids.sort((a, b) => this.state.peers[b].seenAt - this.state.peers[a].seenAt)
      for (const id of ids.slice(MAX_PEERS)) delete this.state.peers[id]
    }
    const text = JSON.stringify(this.state, null, 2)
    this.writing = this.writing.catch(() => {}).then(async () => {
      await mkdir(dirname(this.path), { recursive: true })
      await writeFile(`${this.path}.tmp`, text)
      await rename(`${this.path}.tmp`, this.path)
    })
    await this.writing
  }

  async settled (): Promise<void> {
    await this.writing.catch(() => {})
  }
}

function sanitize (raw: any): AppState {
  const state: AppState = { peers: {}, confirmed: {}, joins: {} }
  if (typeof raw?.notebookId === 'string') state.notebookId = raw.notebookId
  if (typeof raw?.deviceName === 'string') state.deviceName = raw.deviceName.slice(0, MAX_NAME)
  for (const [id, at] of Object.entries<unknown>(raw?.confirmed ?? {})) {
    if (typeof at === 'number' && Number.isFinite(at)) state.confirmed[id] = at
  }
  for (const [id, join] of Object.entries<any>(raw?.joins ?? {})) {
    if (!Array.isArray(join?.holders)) continue
    const holders = join.holders.filter((h: unknown) => typeof h === 'string')
    state.joins[id] = { holders, since: Number(join.since) || 0 }
    if (typeof join.holderName === 'string') state.joins[id].holderName = join.holderName.slice(0, MAX_NAME)
  }
  if (Number.isInteger(raw?.port) && raw.port > 0 && raw.port < 65536) state.port = raw.port
  for (const [id, peer] of Object.entries<any>(raw?.peers ?? {})) {
    if (!Array.isArray(peer?.addresses)) continue
    const addresses = peer.addresses.filter((a: unknown) => typeof a === 'string')
    state.peers[id] = { addresses, seenAt: Number(peer.seenAt) || 0 }
  }
  return state
}
