import { destroyAllClusters } from './cluster.js'

/**
 * Whatever ends the controller (Ctrl-C, SIGTERM, an uncaught error), the lab's
 * namespaces, mounts and peer processes go with it. `lab cleanup` is the backstop.
 */
export function installTeardown (name: string): { interrupted: () => boolean } {
  let interrupted = false
  const teardown = (why: string, code: number): void => {
    if (interrupted) process.exit(code)
    interrupted = true
    console.error(`${name}: ${why}, cleaning up`)
    void destroyAllClusters().finally(() => process.exit(code))
  }
  process.on('SIGINT', () => { teardown('SIGINT', 130) })
  process.on('SIGTERM', () => { teardown('SIGTERM', 143) })
  process.on('uncaughtException', err => { teardown(`controller error: ${err?.stack ?? err}`, 70) })
  process.on('unhandledRejection', err => { teardown(`controller error: ${(err as Error)?.stack ?? err}`, 70) })
  return { interrupted: () => interrupted }
}
