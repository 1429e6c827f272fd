#!/usr/bin/env node
/**
 * Browser bundles with esbuild (ESM, platform 'browser').
 *
 *   node scripts/build-browser.mjs            -> dist/browser/weft.js (+ .map), the library
 *                                                (yjs, y-protocols, lib0 external: shared with the app)
 *   import { bundle } from './build-browser.mjs'  -> in-memory bundles for the Chromium tests
 *
 * Every dependency of the engine has a browser build (libp2p and friends use
 * the package.json "browser" field, which platform 'browser' honours), so no
 * aliases are needed today; `nodeBuiltinsGuard` turns an accidental `node:`
 * import into a build error that names the importer instead of a runtime crash.
 */
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Fails the build on a Node built-in import, naming who pulled it in. */
const nodeBuiltinsGuard = {
  name: 'node-builtins-guard',
  setup (b) {
    b.onResolve({ filter: /^node:/ }, args => ({
      errors: [{ text: `${args.path} imported by ${args.importer}: not available in browsers` }]
    }))
  }
}

/**
 * Bundles `entry` for browsers. `write: false` returns the code in memory.
 * @param {{
 *   entry: string, outfile?: string, write?: boolean, minify?: boolean,
 *   sourcemap?: boolean | 'inline', external?: string[]
 * }} options
 * @returns {Promise<{ code: string, bytes: number, ms: number }>}
 */
export async function bundle ({ entry, outfile, write = false, minify = false, sourcemap = false, external = [] }) {
  const t0 = performance.now()
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['browser'],
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    minify,
    sourcemap,
    write,
    outfile: outfile ?? join(root, 'dist/browser/out.js'),
    logLevel: 'silent',
    legalComments: 'none',
    external,
    metafile: true,
    plugins: [nodeBuiltinsGuard]
  })
  const file = result.outputFiles?.find(f => f.path.endsWith('.js'))
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([path]) => path.endsWith('.js'))
    .reduce((n, [, o]) => n + o.bytes, 0)
  return { code: file?.text ?? '', bytes, ms: performance.now() - t0 }
}

/**
 * Left to the app's bundler in the library build: a Y.Doc made by one copy of
 * yjs and handled by another breaks (instanceof checks, the "Yjs was already
 * imported" warning), so the app and weft must share the app's yjs.
 */
export const SHARED_WITH_APP = ['yjs', 'y-protocols', 'y-protocols/*', 'lib0', 'lib0/*']

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outfile = join(root, 'dist/browser/weft.js')
  const { bytes, ms } = await bundle({
    entry: join(root, 'src/browser.ts'), outfile, write: true, minify: true, sourcemap: true, external: SHARED_WITH_APP
  })
  console.log(`wrote ${outfile} (${(bytes / 1024).toFixed(0)} KiB, ${ms.toFixed(0)} ms); ` +
    "yjs, y-protocols and lib0 are left to the app's bundler")
}
