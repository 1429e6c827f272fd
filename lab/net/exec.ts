import { spawn } from 'node:child_process'

/** Runs a command to completion; rejects with its stderr when it exits non-zero. */
export async function run (cmd: string, args: string[], input?: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    child.on('error', reject)
    child.on('close', code => {
      if (code === 0) resolve(out)
      else reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err.trim()}`))
    })
    child.stdin.on('error', () => {}) // a command that reads no stdin may exit first
    child.stdin.end(input ?? '')
  })
}

/** Like `run`, for clean-up steps that may find nothing to remove. */
export async function tryRun (cmd: string, args: string[], input?: string): Promise<boolean> {
  try {
    await run(cmd, args, input)
    return true
  } catch {
    return false
  }
}
