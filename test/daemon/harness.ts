/**
 * Test helpers that run the real `weft` CLI as child processes: spawn a
 * daemon and wait for its ready line, run client commands, and bound every
 * wait with a timeout. Children are tracked and SIGKILLed by `killAll()`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { after } from 'node:test'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const CLI = join(ROOT, 'src', 'daemon', 'cli.ts')
const children = new Set<ChildProcess>()

export interface ReadyInfo {
  pid: number
  peerId: string
  multiaddrs: string[]
  bootstrap: string
  admin: string
  dataDir: string
  pins: number
  startupMs: number
}

export interface DaemonProcess {
  proc: ChildProcess
  ready: ReadyInfo
  /** Everything the daemon printed so far (stdout and stderr). */
  output: () => string
  /** Resolves with the exit code (or signal name) once the process has exited, or rejects after `timeoutMs`. */
  exited: (timeoutMs: number) => Promise<number | string>
}

/** Base daemon arguments for loopback tests. */
export function loopbackArgs (dataDir: string): string[] {
  return ['--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--admin', '127.0.0.1:0', '--no-mdns',
    '--inbound-connection-threshold', '1000']
}

/**
 * The test process's environment without WEFT_* variables: a developer's own WEFT_DATA_DIR or
 * WEFT_ADMIN must not leak into a test's daemon or client, where it would beat the test's config file.
 */
function inheritedEnv (): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WEFT_')))
}

export async function startDaemon (
  args: string[],
  options: { env?: Record<string, string>, timeoutMs?: number } = {}
): Promise<DaemonProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, 'daemon', ...args], {
    cwd: ROOT,
    env: { ...inheritedEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(proc)
  let out = ''
  let exit: number | string | undefined
  const exitWaiters: Array<(v: number | string) => void> = []
  proc.on('exit', (code, signal) => {
    exit = code ?? signal ?? -1
    children.delete(proc)
    for (const w of exitWaiters) w(exit)
  })
  const exited = async (timeoutMs: number): Promise<number | string> => {
    if (exit !== undefined) return exit
    const exitCode = new Promise<number | string>(resolve => exitWaiters.push(resolve))
    return await withTimeout(exitCode, timeoutMs, `daemon pid ${proc.pid} to exit`, () => out)
  }
  const ready = await withTimeout(new Promise<ReadyInfo>((resolve, reject) => {
    const scan = (): void => {
      for (const line of out.split('\n')) {
        const info = parseReadyLine(line)
        if (info != null) { resolve(info); return }
      }
    }
    proc.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); scan() })
    proc.stderr!.on('data', (chunk: Buffer) => { out += chunk.toString() })
    proc.on('exit', (code, signal) => { reject(new Error(`daemon exited (${code ?? signal}) before ready:\n${out}`)) })
  }), options.timeoutMs ?? 60_000, 'the daemon ready line', () => out)
  return { proc, ready, output: () => out, exited }
}

/** Finds the ready line: `weft daemon ready {json}` (human logs) or a JSON log line with msg "weft daemon ready". */
export function parseReadyLine (line: string): ReadyInfo | undefined {
  const prefix = 'weft daemon ready '
  if (line.startsWith(prefix)) {
    try { return JSON.parse(line.slice(prefix.length)) } catch { return undefined }
  }
  if (line.startsWith('{')) {
    try {
      const o = JSON.parse(line)
      if (o.msg === 'weft daemon ready' && o.ready != null) return o.ready
    } catch {}
  }
  return undefined
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `weft <args>` to completion. */
export async function runCli (
  args: string[],
  options: { env?: Record<string, string>, timeoutMs?: number } = {}
): Promise<CliResult> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...inheritedEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(proc)
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  proc.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const code = await withTimeout(new Promise<number | null>(resolve => { proc.on('close', (c) => { resolve(c) }) }),
    options.timeoutMs ?? 30_000, `weft ${args.join(' ')}`, () => stdout + stderr)
  children.delete(proc)
  return { code, stdout, stderr }
}

export function killAll (): void {
  for (const c of children) {
    try { c.kill('SIGKILL') } catch {}
  }
  children.clear()
}

export async function withTimeout<T> (p: Promise<T>, ms: number, what: string, context?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          const output = context != null ? `\n--- output ---\n${context()}` : ''
          reject(new Error(`timed out after ${ms} ms waiting for ${what}${output}`))
        }, ms)
      })
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function eventually<T> (
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
  intervalMs = 200
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (true) {
    try {
      const v = await check()
      if (v !== undefined && v !== false) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      const lastError = last != null ? ` (last error: ${String(last)})` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError}`)
    }
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}

/**
 * A maker of temporary directories for one test file: when the file's tests end, every daemon
 * the harness started is killed and every directory made here is removed.
 */
export function tempDirs (prefix: string): () => Promise<string> {
  const dirs: string[] = []
  after(async () => {
    killAll()
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix))
    dirs.push(dir)
    return dir
  }
}
