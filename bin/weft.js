#!/usr/bin/env node
// The `weft` command. Plain JavaScript that an old Node can still parse: libp2p needs Node >= 22
// (Promise.withResolvers), and on Node 20 it would start, then die with a stack trace on stop.
const version = process.versions.node
if (Number(version.split('.')[0]) < 22) {
  process.stderr.write(`weft needs Node >= 22 (this is v${version})\n`)
  process.exit(2)
}

const { existsSync } = await import('node:fs')
// A git checkout runs its sources (through tsx, a devDependency there), so `npm link` never runs a
// stale build; an installed package runs the compiled dist/ that `npm pack` put in the tarball.
const checkout = existsSync(new URL('../.git', import.meta.url))
const cli = checkout
  ? await (await import('tsx/esm/api')).tsImport('../src/daemon/cli.ts', import.meta.url)
  : await import('../dist/src/daemon/cli.js')

cli.main().catch((err) => {
  process.stderr.write(`weft: ${err?.stack ?? err}\n`)
  process.exit(1)
})
