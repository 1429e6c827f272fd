import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const SOURCE = fileURLToPath(new URL('./driver.ts', import.meta.url))
/** Inside the checkout so that the bundle resolves the packages in node_modules; one per lab process. */
const DRIVER_BUNDLE = fileURLToPath(new URL(`../.build/driver-${process.pid}.mjs`, import.meta.url))

let built: Promise<string> | undefined

/**
 * Bundles the driver (and the weft sources it imports) once per lab run: a peer
 * then starts in ~1 s instead of ~4 s under tsx, which matters when a chaos
 * schedule restarts killed peers. Packages stay external (native LevelDB).
 */
export async function buildDriver (): Promise<string> {
  built ??= build({
    entryPoints: [SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: 'inline',
    outfile: DRIVER_BUNDLE,
    logLevel: 'warning'
  }).then(() => {
    process.once('exit', () => { rmSync(DRIVER_BUNDLE, { force: true }) })
    return DRIVER_BUNDLE
  })
  return await built
}
