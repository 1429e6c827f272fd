/**
 * The README's code runs as written: every fenced block whose info string is `ts runnable` is
 * written to a scratch directory (its working directory, so relative data dirs land there), its
 * `weft-sync` imports pointed at this checkout's sources, and run in a child Node process with a
 * time bound. A comment `// prints: <text>` in a block must show up in what the block prints.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from 'node:test'
import { ROOT, withTimeout } from './daemon/harness.js'

interface Block { line: number, code: string }

function runnableBlocks (markdown: string): Block[] {
  const blocks: Block[] = []
  for (const m of markdown.matchAll(/^```ts runnable\n([\s\S]*?)^```$/gm)) {
    blocks.push({ line: markdown.slice(0, m.index).split('\n').length, code: m[1] })
  }
  return blocks
}

/** `from 'weft-sync'` and `from 'weft-sync/browser'` -> this checkout's sources. */
function againstSources (code: string): string {
  const source = (file: string): string => pathToFileURL(join(ROOT, 'src', file)).href
  return code
    .replace(/from 'weft-sync\/browser'/g, `from '${source('browser.ts')}'`)
    .replace(/from 'weft-sync'/g, `from '${source('index.ts')}'`)
}

const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
const blocks = runnableBlocks(readme)

test('the README has runnable TypeScript blocks, and the library quickstart is one of them', () => {
  assert.ok(blocks.length >= 1)
  assert.ok(blocks.some(b => b.code.includes("from 'weft-sync'") && b.code.includes('createWeft')))
})

for (const block of blocks) {
  test(`README.md:${block.line} runs as written`, { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-readme-'))
    try {
      const file = join(dir, `readme-${block.line}.mts`)
      await writeFile(file, againstSources(block.code))
      // tsx from this checkout: the scratch directory has no node_modules.
      const tsx = import.meta.resolve('tsx')
      const proc = spawn(process.execPath, ['--import', tsx, file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      proc.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
      proc.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
      const exit = new Promise<number | null>(resolve => { proc.on('exit', resolve) })
      const code = await withTimeout(exit, 60_000, `the block at README.md:${block.line}`, () => stdout + stderr)
        .finally(() => { proc.kill('SIGKILL') })
      assert.equal(code, 0, `README.md:${block.line} failed:\n${stdout}${stderr}`)
      for (const [, expected] of block.code.matchAll(/\/\/ prints: (.+)$/gm)) {
        assert.ok(stdout.split('\n').includes(expected.trim()), `prints ${expected}:\n${stdout}`)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
}
