import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mdnsScenario } from '../lab/scenarios/mdns.js'
import { skewScenario } from '../lab/scenarios/skew.js'
import { destroyAllClusters } from '../lab/cluster.js'
import { runNat } from '../lab/scenarios/nat.js'
import { runUpnp } from '../lab/scenarios/upnp.js'

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

  test('NAT that cannot be punched: two peers behind strict NATs find each other by the DHT and sync ' +
    'through the relay', { timeout: 150_000 }, async () => {
    const result = await runNat({ kind: 'strict' })
    assert.equal(result.synced, true, result.why)
    assert.equal(result.direct, false, 'no direct connection through NATs that randomise ports')
    assert.ok((result.relayBytes ?? 0) > 64 * 1024, 'the document went through the relay host')
  })

  test('NAT hole punching: two peers behind cone NATs sync through the relay, then go direct over WebRTC', {
    timeout: 150_000
  }, async () => {
    const result = await runNat({ kind: 'cone' })
    assert.equal(result.synced, true, result.why)
    assert.equal(result.direct, true, result.why)
    assert.equal(result.path, 'webrtc', 'the direct connection is the WebRTC one ICE punched')
    // What "direct" means, measured: B's 64 KiB written after the punch did not cross the relay host.
    assert.ok((result.relayBytesAfterDirect ?? Infinity) < 32 * 1024,
      `${result.relayBytesAfterDirect} bytes crossed the relay host after the direct connection stood`)
  })

  test('UPnP: a peer behind a UPnP router maps a port, and a WAN peer that knows only that address reaches it', {
    timeout: 120_000
  }, async () => {
    const result = await runUpnp('upnp')
    assert.ok(result.mapped?.startsWith('/ip4/11.78.0.11/tcp/'), result.why)
    // The router holds the forward miniupnpd added for the peer's listen port.
    assert.match(result.forwards ?? '', /dnat ip to 10\.78\.1\.10:4001/)
    assert.equal(result.reached, true, result.why)
    assert.equal(result.synced, true, result.why)
  })

  test('NAT-PMP: the same behind a router that speaks only NAT-PMP', { timeout: 120_000 }, async () => {
    const result = await runUpnp('natpmp')
    assert.ok(result.mapped?.startsWith('/ip4/11.78.0.11/tcp/'), result.why)
    assert.match(result.forwards ?? '', /dnat ip to 10\.78\.1\.10:4001/)
    assert.equal(result.reached, true, result.why)
    assert.equal(result.synced, true, result.why)
  })
})
