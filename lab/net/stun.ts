import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Host } from './lan.js'

const SCRIPT = fileURLToPath(new URL('./stun-server.ts', import.meta.url))
export const STUN_PORT = 3478

export interface StunServer {
  /** `stun:<ip>:<port>`, for `nat.iceServers`. */
  url: string
  stop: () => Promise<void>
}

/** Starts the lab's STUN responder (`stun-server.ts`) in `host`'s namespace; resolves once it is bound. */
export async function startStunServer (host: Host, timeoutMs = 15_000): Promise<StunServer> {
  const child = spawn('ip', ['netns', 'exec', host.ns, process.execPath, '--import', 'tsx', SCRIPT,
    host.ip, String(STUN_PORT)], { stdio: ['ignore', 'pipe', 'pipe'] })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const lines = createInterface({ input: child.stdout })
  const bound = new Promise<boolean>(resolve => {
    lines.on('line', line => { if (line === 'listening') resolve(true) })
    child.once('exit', () => { resolve(false) })
    setTimeout(() => { resolve(false) }, timeoutMs).unref()
  })
  if (!await bound) {
    await stop()
    throw new Error(`the lab STUN server did not start in ${host.ns}: ${stderr.trim() || 'no output'}`)
  }
  return { url: `stun:${host.ip}:${STUN_PORT}`, stop }
}
