/**
 * Builds the notes app with esbuild.
 *
 *   node --import tsx demo/notes/build.ts   -> demo/notes/dist/ (gitignored):
 *     index.html, styles.css, renderer.js   the renderer (browser bundle: CodeMirror, Yjs, the UI)
 *     main.mjs                              Electron's main process (ESM; npm packages stay external)
 *     preload.cjs                           the preload (CommonJS, self-contained: sandboxed preloads cannot import)
 *
 * `npm run notes` runs this, then `electron demo/notes/dist/main.mjs`.
 */
import { build, type BuildOptions } from 'esbuild'
import { copyFile, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '../..')
export const DIST = join(here, 'dist')

/** The renderer: what the BrowserWindow (or the Chromium test) loads. */
export async function buildRenderer (outdir = DIST): Promise<void> {
  await mkdir(outdir, { recursive: true })
  await build({
    entryPoints: [join(here, 'renderer/main.ts')],
    outfile: join(outdir, 'renderer.js'),
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    logLevel: 'warning',
    legalComments: 'none'
  })
  await copyFile(join(here, 'renderer/index.html'), join(outdir, 'index.html'))
  await copyFile(join(here, 'renderer/styles.css'), join(outdir, 'styles.css'))
}

/** Electron's main process and preload, from electron/. */
export async function buildElectron (outdir = DIST): Promise<void> {
  await mkdir(outdir, { recursive: true })
  const common: BuildOptions = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node22',
    sourcemap: 'linked',
    logLevel: 'warning',
    external: ['electron']
  }
  await build({
    ...common,
    entryPoints: [join(root, 'electron/main.ts')],
    outfile: join(outdir, 'main.mjs'),
    format: 'esm',
    packages: 'external'
  })
  await build({
    ...common,
    entryPoints: [join(root, 'electron/preload.ts')],
    outfile: join(outdir, 'preload.cjs'),
    format: 'cjs'
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await Promise.all([buildRenderer(), buildElectron()])
  console.log(`built the notes app into ${DIST}`)
}
