/** Readiness check shared by every system: an edit from peer 0 must reach every other peer. */
import type { Cluster } from '../systems/types.js'
import { waitFor, sleep } from './time.js'

export async function warmUp (cluster: Cluster, timeoutMs: number, rounds = 3): Promise<void> {
  const [writer, ...receivers] = cluster.peers
  const deadline = performance.now() + timeoutMs
  for (let r = 0; r < rounds; r++) {
    writer.text.insert(writer.text.length, 'w')
    const want = writer.text.length
    const left = Math.max(1, deadline - performance.now())
    await waitFor(() => receivers.every(p => p.text.length >= want), left,
      `${cluster.system} warm-up edit ${r + 1} reaching ${receivers.length} peers`, 10)
    await sleep(20)
  }
}
