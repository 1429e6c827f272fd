import { buildFixture } from './fixture.js'
import { wireTargets } from './targets-wire.js'
import { presenceTarget } from './targets-presence.js'
import { adminTarget, configTarget } from './targets-daemon.js'
import { headsTarget } from './targets-heads.js'
import { ackTarget } from './targets-ack.js'
import { trustTargets } from './targets-trust.js'
import type { Target } from './target.js'

export const TARGET_NAMES = [
  'envelope', 'checkpoint', 'beacon', 'gossip-frame', 'sync-request', 'sync-response', 'heads', 'ack', 'presence',
  'admin', 'config', 'invite-link', 'control-op'
]

/** Every target, over one shared fixture (keys, replicas, seed corpora). */
export async function makeTargets (): Promise<Target[]> {
  const fx = await buildFixture()
  return [
    ...wireTargets(fx), headsTarget(), ackTarget(), presenceTarget(fx), adminTarget(), configTarget(),
    ...await trustTargets()
  ]
}
