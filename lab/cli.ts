/**
 * The network lab's entry point: `npm run lab -- <scenario>`, `npm run chaos`, `npm run soak`.
 * Needs root (network namespaces, nftables, tmpfs); see lab/README.md.
 */
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { preflight } from './net/preflight.js'
import { cleanupLeftovers } from './net/cleanup.js'
import { destroyAllClusters } from './cluster.js'
import { installTeardown } from './teardown.js'
import { mdnsScenario } from './scenarios/mdns.js'
import { skewScenario } from './scenarios/skew.js'
import { diskFullScenario } from './scenarios/disk-full.js'
import { natScenario } from './scenarios/nat.js'
import { upnpScenario } from './scenarios/upnp.js'

installTeardown('lab')

async function scenario (run: () => Promise<boolean>): Promise<void> {
  await preflight()
  let ok = false
  try {
    ok = await run()
  } catch (err: any) {
    console.error(`lab: ${err?.stack ?? err}`)
  } finally {
    await destroyAllClusters()
  }
  process.exit(ok ? 0 : 1)
}

await yargs(hideBin(process.argv))
  .scriptName('lab')
  .command('cleanup', 'remove leftover lab namespaces, mounts, processes and data', {}, async () => {
    const removed = await cleanupLeftovers()
    for (const line of removed) console.log(`removed ${line}`)
    console.log(`lab cleanup: ${removed.length} leftover(s) removed`)
  })
  .command('mdns', 'two peers with no bootstrap find each other by mDNS on the lab LAN and sync', {}, async () => {
    await scenario(mdnsScenario)
  })
  .command('skew', 'peers 2 h behind and 2 h ahead (libfaketime) converge both ways and are told', {}, async () => {
    await scenario(skewScenario)
  })
  .command('disk-full', 'a writer on a 2 MiB tmpfs: unsaved edits unacknowledged, acked ones kept', {}, async () => {
    await scenario(diskFullScenario)
  })
  .command('nat', 'two peers behind two NATs find each other by the DHT, sync through a relay, then hole-punch',
    {}, async () => { await scenario(async () => await natScenario({ kind: 'cone' })) })
  .command('nat-strict', 'as nat, behind NATs that drop unsolicited inbound: syncs through the relay',
    {}, async () => { await scenario(async () => await natScenario({ kind: 'strict' })) })
  .command('upnp', 'a peer behind a UPnP router (miniupnpd) maps a port, and a WAN peer that knows only that ' +
    'address reaches it', {}, async () => { await scenario(async () => await upnpScenario('upnp')) })
  .command('natpmp', 'as upnp, behind a router that speaks only NAT-PMP', {},
    async () => { await scenario(async () => await upnpScenario('natpmp')) })
  .demandCommand(1)
  .strict()
  .parseAsync()
