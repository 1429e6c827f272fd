import { Worker } from 'node:worker_threads'
import { availableParallelism } from 'node:os'
import { performance, type EventLoopUtilization } from 'node:perf_hooks'
import { logger } from '@libp2p/logger'

const log = logger('weft:verify-offload')

type Verify = (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array) => boolean

/**
 * The worker: ed25519 checks with node:crypto, one batch at a time. Kept as source text (run with
 * `eval`) so that it needs no file of its own beside the compiled module, under tsx or a bundler alike.
 * A batch is one buffer of [32-byte key | 64-byte signature | 4-byte length | data] records; the
 * answer is one byte per record.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const keys = new Map()
parentPort.on('message', (batch) => {
  const bytes = Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength)
  const out = []
  let at = 0
  while (at < bytes.length) {
    const raw = bytes.subarray(at, at + 32)
    const signature = bytes.subarray(at + 32, at + 96)
    const length = bytes.readUInt32BE(at + 96)
    const data = bytes.subarray(at + 100, at + 100 + length)
    at += 100 + length
    const id = raw.toString('base64')
    let key = keys.get(id)
    let ok = false
    try {
      if (key === undefined) {
        if (keys.size >= 4096) keys.delete(keys.keys().next().value)
        key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
        keys.set(id, key)
      }
      ok = verify(null, data, key, signature)
    } catch { ok = false }
    out.push(ok ? 1 : 0)
  }
  const answer = Uint8Array.from(out)
  parentPort.postMessage(answer, [answer.buffer])
})
`

export interface OffloadOptions {
  /** Whether this thread is busy enough that a check is better done beside it. */
  busy?: () => boolean
  /** The worker's source (tests replace it to make a worker fail). */
  workerSource?: string
}

interface Pending { publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array, resolve: (ok: boolean) => void }

/**
 * Signature checks that move to a worker thread while the event loop is saturated. A gossip copy
 * is checked before gossipsub forwards it, and with many peers or documents in one process the
 * loop is the bottleneck: there each check (~67 µs on the bench machine) delays every message
 * queued behind it, while the machine's other cores idle (Lodestar checks its gossip signatures in
 * worker threads for the same reason). On an idle loop a check stays inline: a round trip to a
 * worker would only add latency.
 *
 * Answers come back in the order asked, and a check goes inline only when none is waiting for the
 * worker, so gossip is validated in the order it arrived either way. Requests made while a batch
 * is with the worker travel together in the next one. If the worker fails, everything waiting and
 * everything after is checked inline.
 */
export class VerifyOffload {
  private worker: Worker | undefined
  private failed = false
  /** Sent to the worker and not answered yet, in order. */
  private inFlight: Pending[] = []
  /** Asked for while a batch was in flight: the next batch. */
  private queued: Pending[] = []
  private readonly busy: () => boolean
  private readonly workerSource: string

  constructor (private readonly verify: Verify, options: OffloadOptions = {}) {
    this.busy = options.busy ?? loopSaturated
    this.workerSource = options.workerSource ?? WORKER_SOURCE
  }

  /** Checks waiting for the worker. */
  get waiting (): number { return this.inFlight.length + this.queued.length }

  /** `verify`'s answer: at once, or (while the loop is busy) a promise of it from the worker. */
  check (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean> {
    if (this.failed || publicKey.byteLength !== 32 || signature.byteLength !== 64 ||
      (this.waiting === 0 && !this.busy())) {
      return this.verify(publicKey, data, signature)
    }
    return new Promise(resolve => {
      this.queued.push({ publicKey, data, signature, resolve })
      if (this.inFlight.length === 0) this.send()
    })
  }

  /** Stops the worker; checks still waiting are answered inline. */
  async close (): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    this.answerInline()
    if (worker !== undefined) await worker.terminate()
  }

  private send (): void {
    const batch = this.queued
    this.queued = []
    if (batch.length === 0) return
    const worker = this.ensureWorker()
    if (worker === undefined) {
      for (const p of batch) p.resolve(this.verify(p.publicKey, p.data, p.signature))
      return
    }
    let size = 0
    for (const p of batch) size += 100 + p.data.byteLength
    const bytes = new Uint8Array(size)
    const view = new DataView(bytes.buffer)
    let at = 0
    for (const p of batch) {
      bytes.set(p.publicKey, at)
      bytes.set(p.signature, at + 32)
      view.setUint32(at + 96, p.data.byteLength)
      bytes.set(p.data, at + 100)
      at += 100 + p.data.byteLength
    }
    this.inFlight = batch
    worker.ref()
    worker.postMessage(bytes, [bytes.buffer])
  }

  private readonly onAnswer = (answer: Uint8Array): void => {
    const batch = this.inFlight
    this.inFlight = []
    if (answer.byteLength !== batch.length) {
      // Not ours to interpret: check these here rather than guess.
      for (const p of batch) p.resolve(this.verify(p.publicKey, p.data, p.signature))
    } else {
      batch.forEach((p, i) => { p.resolve(answer[i] === 1) })
    }
    if (this.queued.length > 0) this.send()
    else this.worker?.unref()
  }

  private ensureWorker (): Worker | undefined {
    if (this.failed) return undefined
    if (this.worker !== undefined) return this.worker
    try {
      const worker = new Worker(this.workerSource, { eval: true })
      worker.on('message', this.onAnswer)
      worker.on('error', (err) => { this.fail(worker, err) })
      worker.on('exit', (code) => { this.fail(worker, new Error(`worker exited with code ${code}`)) })
      this.worker = worker
      return worker
    } catch (err) {
      this.fail(undefined, err)
      return undefined
    }
  }

  private fail (worker: Worker | undefined, err: unknown): void {
    if (worker !== this.worker) return
    this.worker = undefined
    this.failed = true
    log.error('signature worker failed, checking inline from now on: %e', err)
    this.answerInline()
  }

  private answerInline (): void {
    const waiting = [...this.inFlight, ...this.queued]
    this.inFlight = []
    this.queued = []
    for (const p of waiting) p.resolve(this.verify(p.publicKey, p.data, p.signature))
  }
}

/** Share of the last window the event loop spent running code, above which it counts as saturated. */
const SATURATED = 0.9
const WINDOW_MS = 100
const spareCore = availableParallelism() > 1
let lastSample: EventLoopUtilization | undefined
let lastSampleAt = 0
let saturated = false

/**
 * Whether the event loop was busy for nearly all of the last ~100 ms (and another core could take
 * work). Sampled at most once a window, from the calls themselves: no timer.
 */
export function loopSaturated (): boolean {
  if (!spareCore) return false
  const now = performance.now()
  if (lastSample === undefined) {
    lastSample = performance.eventLoopUtilization()
    lastSampleAt = now
    return false
  }
  if (now - lastSampleAt >= WINDOW_MS) {
    const current = performance.eventLoopUtilization()
    saturated = performance.eventLoopUtilization(current, lastSample).utilization >= SATURATED
    lastSample = current
    lastSampleAt = now
  }
  return saturated
}
