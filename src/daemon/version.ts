import { createRequire } from 'node:module'

/** The package version (from src/daemon or dist/src/daemon alike). */
export const DAEMON_VERSION: string = (() => {
  const require = createRequire(import.meta.url)
  for (const p of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = require(p)
      if (pkg?.name === 'weft-sync') return pkg.version as string
    } catch {}
  }
  return '0.0.0'
})()
