/** Notes services ("devices") on loopback with real LevelDB dirs, all stopped and removed by `cleanup()`. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NotesService, type NotesServiceOptions } from '../../demo/notes/main/notes-service.js'

/** Engine and app knobs for fast loopback tests; production defaults are slower and quieter. */
export const LOOPBACK_NOTES: Omit<NotesServiceOptions, 'dataDir'> = {
  host: '127.0.0.1',
  weft: {
    mdns: false,
    beaconIntervalMs: 500,
    discoveryIntervalMs: 5_000,
    network: { inboundConnectionThreshold: 1_000, ipColocationFactorWeight: 0, gossipHeartbeatMs: 200 }
  },
  reconnect: { intervalMs: 200, minBackoffMs: 200, maxBackoffMs: 1_000 },
  touchIntervalMs: 200
}

export class Devices {
  private readonly running = new Set<NotesService>()
  private readonly dirs: string[] = []

  async dataDir (): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'weft-notes-'))
    this.dirs.push(dir)
    return dir
  }

  async start (dataDir?: string, options: Partial<NotesServiceOptions> = {}): Promise<NotesService> {
    const service = await NotesService.start({
      ...LOOPBACK_NOTES, ...options, dataDir: dataDir ?? await this.dataDir()
    })
    this.running.add(service)
    return service
  }

  async stop (service: NotesService): Promise<void> {
    this.running.delete(service)
    await service.stop()
  }

  async cleanup (): Promise<void> {
    await Promise.allSettled([...this.running].map(async s => { await s.stop() }))
    this.running.clear()
    await Promise.allSettled(this.dirs.splice(0).map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}

/** The shared poller of the test suite, re-exported for the notes tests. */
export { waitFor } from '../support/peers.js'

/** Whether the note is listed and its text equals `text` on `service`. */
export function hasText (service: NotesService, id: string, text: string): boolean {
  try {
    return service.noteText(id) === text
  } catch {
    return false
  }
}
