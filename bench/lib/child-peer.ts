/** Parent side of a child peer process: spawn, call commands over IPC, listen to `seen` events, kill. */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ChildMessage, Reply, SeenEvent } from '../child/protocol.js'

const PEER_SCRIPT = fileURLToPath(new URL('../child/peer.ts', import.meta.url))

export class ChildPeer {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>()
  onSeen: ((e: SeenEvent) => void) | undefined
  readonly ready: Promise<void>

  private constructor (readonly proc: ChildProcess, readonly label: string) {
    let readyResolve!: () => void
    let readyReject!: (e: Error) => void
    this.ready = new Promise<void>((resolve, reject) => { readyResolve = resolve; readyReject = reject })
    proc.on('message', (m: ChildMessage) => {
      if ('ev' in m) { this.onSeen?.(m); return }
      if (m.id === 0) { readyResolve(); return }
      const p = this.pending.get(m.id)
      if (p === undefined) return
      this.pending.delete(m.id)
      if (m.ok) p.resolve((m as Reply).result)
      else p.reject(new Error(`${label}: ${String((m as Reply).error)}`))
    })
    proc.on('exit', code => {
      const e = new Error(`${label} exited (${String(code)})`)
      readyReject(e)
      for (const p of this.pending.values()) p.reject(e)
      this.pending.clear()
    })
  }

  /** `script`: another child with the same IPC protocol (bench/child/hostile.ts). */
  static spawn (label: string, script = PEER_SCRIPT): ChildPeer {
    const proc = fork(script, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json'
    })
    return new ChildPeer(proc, label)
  }

  async call<T = any> (cmd: string, args?: unknown, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${this.label}: ${cmd} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, {
        resolve: v => { clearTimeout(timer); resolve(v) },
        reject: e => { clearTimeout(timer); reject(e) }
      })
      this.proc.send({ id, cmd, args })
    })
  }

  /** Asks the child to stop cleanly, then kills it (by its pid) if it has not exited. */
  async stop (): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    const exited = new Promise<void>(resolve => this.proc.once('exit', () => { resolve() }))
    await this.call('stop', undefined, 5000).catch(() => {})
    const t = setTimeout(() => { this.proc.kill('SIGKILL') }, 3000)
    await exited
    clearTimeout(t)
  }
}
