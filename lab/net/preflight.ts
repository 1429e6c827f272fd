import { run, tryRun } from './exec.js'
import { LAB_PREFIX } from './names.js'

/**
 * The lab needs root, network namespaces and nftables. When they are missing it
 * says so in one line and exits non-zero: CI must fail loudly, never skip.
 */
export async function preflight (): Promise<void> {
  const fail = (why: string): never => {
    console.error(`lab: cannot run: ${why}`)
    process.exit(3)
  }
  if (process.platform !== 'linux') fail('needs Linux network namespaces')
  if (process.getuid?.() !== 0) fail('needs root (ip netns, nftables, tmpfs mounts)')
  for (const tool of ['ip', 'nft']) {
    const found = await tryRun('sh', ['-c', `command -v ${tool}`])
    if (!found) fail(`'${tool}' is not installed (apt-get install iproute2 nftables)`)
  }
  const probe = `${LAB_PREFIX}probe-${process.pid}`
  try {
    await run('ip', ['netns', 'add', probe])
    await run('ip', ['netns', 'exec', probe, 'nft', 'list', 'tables'])
  } catch (err: any) {
    fail(`network namespaces or nftables do not work here: ${String(err?.message ?? err).split('\n')[0]}`)
  } finally {
    await tryRun('ip', ['netns', 'del', probe])
  }
}
