import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mdnsScenario } from '../lab/scenarios/mdns.js'
import { skewScenario } from '../lab/scenarios/skew.js'
import { destroyAllClusters } from '../lab/cluster.js'

/** Root and working network namespaces; CI sets WEFT_REQUIRE_LAB=1 so that their absence fails, never skips. */
function labAvailable (): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const skip = labAvailable() || process.env.WEFT_REQUIRE_LAB === '1'
  ? false
  : 'needs root and network namespaces (lab/README.md)'

describe('network lab: real processes in their own network namespaces', { skip }, () => {
  test('mDNS: two peers with no bootstrap list find each other on the lab LAN', { timeout: 60_000 }, async () => {
    try {
      assert.equal(await mdnsScenario(), true)
    } finally {
      await destroyAllClusters()
    }
  })

  test('clock skew: peers 2 h behind and ahead converge both ways and are told', { timeout: 60_000 }, async () => {
    try {
      assert.equal(await skewScenario(), true)
    } finally {
      await destroyAllClusters()
    }
  })
})
