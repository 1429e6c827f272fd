/** Timing helpers: every wait in the benchmark is bounded. */
import { setTimeout as sleepMs } from 'node:timers/promises'

export const sleep = async (ms: number): Promise<void> => { await sleepMs(ms) }

export class TimeoutError extends Error {
  constructor (what: string, ms: number) {
    super(`${what}: timed out after ${ms} ms`)
    this.name = 'TimeoutError'
  }
}

/** Rejects with TimeoutError if `p` does not settle within `ms`. */
export async function withTimeout<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new TimeoutError(what, ms)) }, ms)
  })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Polls `predicate` every `intervalMs` until it is true; throws TimeoutError after `ms`. */
export async function waitFor (
  predicate: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  intervalMs = 5
): Promise<void> {
  const deadline = performance.now() + ms
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new TimeoutError(what, ms)
    await sleep(intervalMs)
  }
}

/** Process CPU time (user + system) in milliseconds since `since`. */
export function cpuMs (since?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since)
  return (u.user + u.system) / 1000
}

/** Yields to the event loop (lets I/O callbacks run). */
export const tick = async (): Promise<void> => { await new Promise<void>(resolve => setImmediate(resolve)) }
