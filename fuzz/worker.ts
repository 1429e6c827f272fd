/**
 * Runs one target in a worker thread, so that the main thread can notice an
 * input that never returns (a heartbeat in shared memory stops moving) and end it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { makeTargets } from './targets.js'
import { runTarget, type HarnessOptions } from './harness.js'

interface Job extends Omit<HarnessOptions, 'onInput' | 'onFailure'> {
  target: string
  heartbeat: SharedArrayBuffer
}

const job = workerData as Job
const beat = new Int32Array(job.heartbeat)
const target = (await makeTargets()).find(t => t.name === job.target)
if (target === undefined) throw new Error(`no target ${job.target}`)
const stats = await runTarget(target, {
  ...job,
  onInput: (index) => { Atomics.store(beat, 0, index); Atomics.add(beat, 1, 1) },
  onFailure: (failure) => { parentPort?.postMessage({ type: 'failure', failure }) }
})
parentPort?.postMessage({ type: 'done', stats })
