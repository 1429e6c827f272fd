import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'

/** Where `marker` occurs in a stopped peer's store: every key and value through LevelDB, and every raw file. */
export async function scan (dataDir: string, marker: string): Promise<string[]> {
  const found: string[] = []
  const needle = Buffer.from(marker)
  const db = new ClassicLevel<string, Uint8Array>(join(dataDir, 'store'),
    { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  let entries = 0
  for await (const [key, value] of db.iterator()) {
    entries++
    if (key.includes(marker)) found.push(`key ${key}`)
    if (Buffer.from(value).includes(needle)) found.push(`value of ${key}`)
  }
  await db.close()
  assert.ok(entries > 0, 'the store is not empty')
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if ((await readFile(path)).includes(needle)) found.push(`file ${entry.name}`)
    }
  }
  await walk(dataDir)
  return found
}
