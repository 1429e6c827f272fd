import type { Cluster } from '../cluster.js'
import type { Fault } from '../chaos/schedule.js'

/**
 * Applies one fault to a running cluster. Partitions and loss are nftables
 * rules inside the hosts' namespaces, links are the switch-side veth, kills are
 * SIGKILL, restarts reuse the data dir. (No delay or jitter: no tc netem here.)
 */
export async function applyFault (cluster: Cluster, fault: Fault): Promise<void> {
  switch (fault.kind) {
    case 'partition': {
      const ips = (group: number[]): string[] => group.map(i => cluster.host(i).ip)
      // a's packets to b are dropped on the way out of a, and (symmetric) b's on the way out of b.
      for (const i of fault.a) await cluster.setFirewall(i, fw => { for (const ip of ips(fault.b)) fw.dropTo.add(ip) })
      if (!fault.oneWay) {
        for (const i of fault.b) {
          await cluster.setFirewall(i, fw => { for (const ip of ips(fault.a)) fw.dropTo.add(ip) })
        }
      }
      return
    }
    case 'loss':
      await cluster.setFirewall(fault.peer, fw => { fw.lossPercent = fault.percent })
      return
    case 'link-down':
    case 'link-up':
      await cluster.lan.setLink(cluster.host(fault.peer), fault.kind === 'link-up')
      return
    case 'kill':
      await cluster.peers[fault.peer].kill()
      return
    case 'restart':
      if (!cluster.peers[fault.peer].alive) await cluster.startPeer(fault.peer)
  }
}
