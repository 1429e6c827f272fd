/**
 * One home for defaults: the README's option table must say what src/defaults.ts does.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { DEFAULTS, PROTOCOL } from '../src/defaults.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const table = readme.slice(
  readme.indexOf('### Options (`createWeft(options)`)'),
  readme.indexOf('## Running an always-on peer')
)

/** The README's default cell for an option, with backticks and quotes removed. */
function documented (option: string): string {
  const row = table.split('\n').find(line => line.startsWith(`| \`${option}\` |`))
  assert.ok(row !== undefined, `the README's option table has no row for ${option}`)
  return row.split('|')[2].trim().replace(/[`']/g, '')
}

const MiB = 1024 * 1024
const render = (v: unknown): string => typeof v === 'number' && v >= MiB && v % MiB === 0 ? `${v / MiB} MiB` : String(v)

test('the README option table states the defaults src/defaults.ts holds', () => {
  const options: Array<[string, unknown]> = [
    ['mdns', DEFAULTS.mdns],
    ['dht.mode', DEFAULTS.dhtMode],
    ['dht.protocol', PROTOCOL.dht],
    ['maxClockDriftMs', DEFAULTS.maxClockDriftMs],
    ['batchWindowMs', DEFAULTS.batchWindowMs],
    ['minSealIntervalMs', DEFAULTS.minSealIntervalMs],
    ['beaconIntervalMs', DEFAULTS.beaconIntervalMs],
    ['headsIntervalMs', DEFAULTS.headsIntervalMs],
    ['discoveryIntervalMs', DEFAULTS.discoveryIntervalMs],
    ['unloadIdleAfterMs', DEFAULTS.unloadIdleAfterMs],
    ['maxEnvelopeBytes', DEFAULTS.maxEnvelopeBytes],
    ['maxSyncResponseBytes', DEFAULTS.maxSyncResponseBytes],
    ['maxEnvelopesPerSync', DEFAULTS.maxEnvelopesPerSync],
    ['checkpointEvery', DEFAULTS.checkpointEvery],
    ['history', DEFAULTS.history],
    ['relayPresence', DEFAULTS.relayPresence],
    ['network.inboundConnectionThreshold', DEFAULTS.inboundConnectionThreshold],
    ['network.maxConnections', DEFAULTS.maxConnections],
    ['network.gossipHeartbeatMs', DEFAULTS.gossipHeartbeatMs],
    ['relay', DEFAULTS.relay],
    ['relay.maxReservations', DEFAULTS.relayMaxReservations],
    ['relay.dataLimitBytes', DEFAULTS.relayDataLimitBytes],
    ['relay.durationLimitMs', DEFAULTS.relayDurationLimitMs],
    ['nat.holePunching', DEFAULTS.holePunching],
    ['nat.autonat', DEFAULTS.autonat],
    ['nat.upnp', DEFAULTS.upnp],
    ['dht.network', DEFAULTS.dhtNetwork]
  ]
  for (const [option, value] of options) assert.equal(documented(option), render(value), option)
  assert.equal(documented('listen'), `[${DEFAULTS.listen.join(', ')}]`)
})
