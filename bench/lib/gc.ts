/** Forces a full garbage collection without needing `--expose-gc` on the command line. */
import v8 from 'node:v8'
import vm from 'node:vm'
import { sleep } from './time.js'

let gcFn: (() => void) | undefined

export async function fullGc (): Promise<void> {
  if (gcFn === undefined) {
    v8.setFlagsFromString('--expose-gc')
    gcFn = vm.runInNewContext('gc') as () => void
  }
  for (let i = 0; i < 3; i++) {
    gcFn()
    await sleep(20)
  }
}

export function heapUsed (): number {
  return process.memoryUsage().heapUsed
}
