import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CatalogFact } from '@resilien/types'
import { openCatalog } from '../src/index.js'
import { collect, hexId, makeSite, resolverOf, siteJoined, tempDir } from './helpers.js'

const a = makeSite('A')
const resolve = resolverOf(a)
const repo = hexId('repo one')

function snapshots (count: number, offset: number): CatalogFact[] {
  return Array.from({ length: count }, (_, i) => ({ type: 'snapshot-added', repo, snapshot: hexId(`snap ${i + offset}`, 32), sealed: `sealed${i + offset}` }))
}

/** Flips one byte in the middle of the LevelDB write-ahead log, as a dying disk would. */
async function damageWriteAheadLog (path: string): Promise<void> {
  const log = (await readdir(path)).find((name) => name.endsWith('.log'))
  assert.ok(log !== undefined, 'the catalog has a write-ahead log')
  const bytes = await readFile(join(path, log))
  const at = Math.floor(bytes.length * 0.6)
  bytes[at] = (bytes[at] as number) ^ 0xff
  await writeFile(join(path, log), bytes)
}

test('a catalog that lost entries of its own log says so at open, appends nothing, and is whole again once they are ingested', async (t) => {
  const path = join(await tempDir(t), 'catalog')
  const first = await openCatalog({ path, signer: a.signer, resolvePublicKey: resolve })
  await first.append([siteJoined(a, 'alpha')])
  for (let i = 0; i < 20; i++) await first.append(snapshots(1, i))
  const written = await collect(first.entries(a.site, 1))
  assert.equal(await first.ownLogProblem(), undefined)
  await first.close()

  await damageWriteAheadLog(path)
  const damaged = await openCatalog({ path, signer: a.signer, resolvePublicKey: resolve })
  t.after(async () => { await damaged.close() })
  const held = (await damaged.heads()).get(a.site)?.seq ?? 0
  assert.ok(held < written.length, `LevelDB dropped entries silently: ${held} of ${written.length} left`)
  assert.match(await damaged.ownLogProblem() ?? '', new RegExp(`ends at entry ${held} but it wrote up to ${written.length}`))
  // Appending now would give entry held+1 a second, different content: refused.
  await assert.rejects(damaged.append(snapshots(1, 100)), /nothing is appended until they are pulled back/)
  // A peer still holds the entries: sync ingests them, and the log goes on where it was.
  assert.equal(await damaged.ingest(written.slice(held)), written.length - held)
  assert.equal(await damaged.ownLogProblem(), undefined)
  const [next] = await damaged.append(snapshots(1, 100))
  assert.equal(next?.seq, written.length + 1)
  assert.equal(next?.prev, written.at(-1)?.hash)
})
