import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Host } from '../net/lan.js'
import { buildDriver } from './build.js'
import type {
  Ack, ConnectionInfo, DocState, DriverConfig, DriverEvent, Request, Response, Stats
} from './protocol.js'

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1'

type Pending = { resolve: (v: any) => void, reject: (e: Error) => void }
type Body<R> = R extends unknown ? Omit<R, 'id'> : never

export interface PeerOptions {
  host: Host
  config: DriverConfig
  /** Wall clock offset for this process in seconds (libfaketime), e.g. -7200. */
  skewSeconds?: number
  /** Driver stderr goes here (default: dropped, kept in `stderrTail`). */
  onStderr?: (line: string) => void
}

/**
 * One peer process (the driver) in its host's namespace, as the controller sees
 * it: requests over stdin, answers and events from stdout. `exited` tells how
 * the process ended; `expectedExit` marks exits the schedule caused (SIGKILL, stop).
 */
export class PeerProcess {
  private child: ChildProcess | undefined
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  readonly events: DriverEvent[] = []
  readonly stderrTail: string[] = []
  peerId = ''
  multiaddrs: string[] = []
  expectedExit = false
  /** Exits the controller did not cause: code or signal, with the last stderr lines. */
  readonly crashes: string[] = []
  private readyWaiter: Pending | undefined

  constructor (readonly options: PeerOptions) {}

  get alive (): boolean {
    return this.child !== undefined
  }

  get pid (): number | undefined {
    return this.child?.pid
  }

  /** Spawns the driver and resolves when its weft instance is listening. */
  async start (timeoutMs = 60_000): Promise<void> {
    const { host, config, skewSeconds } = this.options
    const env: NodeJS.ProcessEnv = { ...process.env }
    if (skewSeconds !== undefined && skewSeconds !== 0) {
      // Without the library the preload would fail quietly and the peer run on true time.
      if (!existsSync(LIBFAKETIME)) throw new Error(`clock skew needs ${LIBFAKETIME} (apt-get install faketime)`)
      // libfaketime preloaded directly (not the `faketime` wrapper, which forks): SIGKILL hits node itself.
      env.LD_PRELOAD = LIBFAKETIME
      env.FAKETIME = `${skewSeconds > 0 ? '+' : ''}${skewSeconds}s`
      env.FAKETIME_DONT_FAKE_MONOTONIC = '1'
      env.FAKETIME_DONT_RESET = '1'
    }
    const driver = await buildDriver()
    const node = [process.execPath, '--enable-source-maps', '--expose-gc', driver, JSON.stringify(config)]
    const args = ['netns', 'exec', host.ns, ...node]
    // `ip netns exec` execs node in place: the child's pid is node's pid.
    const child = spawn('ip', args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
    this.child = child
    this.expectedExit = false
    // Writing to a peer that just died must fail its request, not the controller.
    child.stdin!.on('error', () => {})
    createInterface({ input: child.stdout! }).on('line', line => { this.onLine(line) })
    createInterface({ input: child.stderr! }).on('line', line => {
      this.stderrTail.push(line)
      if (this.stderrTail.length > 40) this.stderrTail.shift()
      this.options.onStderr?.(line)
    })
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined
      const error = new Error(`peer h${host.index} exited (${signal ?? code})`)
      for (const p of this.pending.values()) p.reject(error)
      this.pending.clear()
      this.readyWaiter?.reject(error)
      this.readyWaiter = undefined
      if (!this.expectedExit) {
        const fatal = this.events.filter(e => e.event === 'fatal').map(e => (e as { error: string }).error).pop()
        const why = fatal ?? this.stderrTail.slice(-5).join(' | ')
        this.crashes.push(`h${host.index} exited with ${signal ?? code}: ${why}`)
      }
    })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A peer that never came up is stopped, so it cannot linger half-started.
        this.expectedExit = true
        child.kill('SIGKILL')
        reject(new Error(`peer h${host.index} not ready in ${timeoutMs} ms: ${this.stderrTail.slice(-3).join(' | ')}`))
      }, timeoutMs)
      this.readyWaiter = {
        resolve: () => { clearTimeout(timer); resolve() },
        reject: (e) => { clearTimeout(timer); reject(e) }
      }
    })
  }

  private onLine (line: string): void {
    let message: Response | DriverEvent
    try {
      message = JSON.parse(line)
    } catch {
      return // a library printing to stdout: not ours
    }
    if ('event' in message) {
      this.events.push(message)
      if (message.event === 'ready') {
        this.peerId = message.peerId
        this.multiaddrs = message.multiaddrs
        this.readyWaiter?.resolve(undefined)
        this.readyWaiter = undefined
      }
      return
    }
    const p = this.pending.get(message.id)
    if (p === undefined) return
    this.pending.delete(message.id)
    if (message.ok) p.resolve(message.result)
    else p.reject(new Error(message.error))
  }

  async request<T> (body: Body<Request>, timeoutMs = 30_000): Promise<T> {
    const child = this.child
    if (child === undefined) throw new Error(`peer h${this.options.host.index} is not running`)
    const id = this.nextId++
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`peer h${this.options.host.index}: ${body.cmd} timed out`))
      }, timeoutMs)
      this.pending.set(id, {
        resolve: v => { clearTimeout(timer); resolve(v) },
        reject: e => { clearTimeout(timer); reject(e) }
      })
      child.stdin!.write(JSON.stringify({ ...body, id }) + '\n')
    })
  }

  async open (doc: string): Promise<void> { await this.request({ cmd: 'open', doc }) }
  async close (doc: string): Promise<void> { await this.request({ cmd: 'close', doc }) }
  async state (doc: string): Promise<DocState> { return await this.request<DocState>({ cmd: 'state', doc }) }
  async stats (): Promise<Stats> { return await this.request<Stats>({ cmd: 'stats' }) }
  async connections (): Promise<ConnectionInfo[]> {
    return await this.request<ConnectionInfo[]>({ cmd: 'connections' })
  }

  async addresses (): Promise<string[]> { return await this.request<string[]>({ cmd: 'addresses' }) }

  async edit (doc: string, kind: 'text' | 'map', token: string, atStart: boolean, sabotage = false): Promise<Ack> {
    return await this.request<Ack>({ cmd: 'edit', doc, kind, token, atStart, sabotage })
  }

  /** SIGKILL, mid-whatever: the schedule's "process dies". */
  async kill (): Promise<void> {
    const child = this.child
    if (child === undefined) return
    this.expectedExit = true
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }

  /** Clean stop; SIGKILL if it does not stop in time. */
  async stop (timeoutMs = 10_000): Promise<void> {
    const child = this.child
    if (child === undefined) return
    this.expectedExit = true
    const exited = new Promise(resolve => child.once('exit', resolve))
    this.request({ cmd: 'stop' }, timeoutMs).catch(() => {})
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    await exited
    clearTimeout(timer)
  }
}

/**
 * Starts a scenario's peer on `host` with its data dir under `root`, added to `peers` (for the
 * scenario's clean-up) before it starts. DEBUG=... (libp2p's logger) in the environment shows each
 * peer's log, prefixed by its host.
 */
export async function startScenarioPeer (
  host: Host, root: string, peers: PeerProcess[], config: Omit<DriverConfig, 'dataDir'>
): Promise<PeerProcess> {
  const dataDir = join(root, host.ns)
  await mkdir(dataDir, { recursive: true })
  const peer = new PeerProcess({
    host,
    config: { dataDir, ...config },
    onStderr: process.env.DEBUG === undefined ? undefined : line => { console.error(`${host.ns}: ${line}`) }
  })
  peers.push(peer)
  await peer.start()
  return peer
}
