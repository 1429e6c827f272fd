import { mkdtemp, rm } from 'node:fs/promises'
import { networkKnobs, normalizeOptions } from '../../src/options.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWeft, type Weft, type WeftOptions } from '../../src/index.js'

/** Options every loopback test peer shares: many peers on one IP must not be refused or penalised. */
export const LOOPBACK: WeftOptions = {
  listen: ['/ip4/127.0.0.1/tcp/0'],
  mdns: false,
  beaconIntervalMs: 2_000,
  headsIntervalMs: 5_000,
  discoveryIntervalMs: 5_000,
  network: { inboundConnectionThreshold: 1_000, ipColocationFactorWeight: 0, gossipHeartbeatMs: 200 }
}

/** Starts peers and stops every one of them when the test ends, whatever happened. */
export class Peers {
  private readonly started: Weft[] = []
  private readonly dirs: string[] = []

  async start (options: WeftOptions = {}): Promise<Weft> {
    const extra = normalizeOptions(options)
    const network = { ...networkKnobs(LOOPBACK), ...networkKnobs(extra) }
    const peer = await createWeft({ ...LOOPBACK, ...extra, network })
    this.started.push(peer)
    return peer
  }

  async tempDir (): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'weft-test-'))
    this.dirs.push(dir)
    return dir
  }

  async stop (peer: Weft): Promise<void> {
    await peer.stop()
    const i = this.started.indexOf(peer)
    if (i >= 0) this.started.splice(i, 1)
  }

  async cleanup (): Promise<void> {
    await Promise.allSettled(this.started.splice(0).map(async p => { await p.stop() }))
    await Promise.allSettled(this.dirs.splice(0).map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}

/** Polls `check` until it holds; fails with `what` when `timeoutMs` runs out. */
export async function waitFor (
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  everyMs = 25
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}

export const text = (weftDoc: { doc: import('yjs').Doc }, name = 'text'): string => weftDoc.doc.getText(name).toString()
