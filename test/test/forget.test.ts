import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { newSite, tempDir } from '../src/index.js'

test('forget keeps what the policy keeps, a dry run changes nothing, and kept snapshots restore', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const ids: string[] = []
  for (let i = 0; i < 3; i++) {
    await writeFile(join(src, 'f.txt'), `version ${i}\n`)
    const r = await site.run(['backup', 'main', src, '--json', ...(i === 0 ? ['--tag', 'golden'] : [])])
    assert.equal(r.code, 0, r.stderr)
    ids.push((JSON.parse(r.stdout) as { id: string }).id)
  }
  const list = async (): Promise<string[]> => (JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as Array<{ id: string }>).map((s) => s.id).sort()

  const none = await site.run(['forget', 'main'])
  assert.notEqual(none.code, 0)
  assert.match(none.stderr, /no --keep-\* option/)
  const bad = await site.run(['forget', 'main', '--keep-last', '-1'])
  assert.equal(bad.code, 2, 'a bad count is a usage error')

  const dry = await site.run(['forget', 'main', '--keep-last', '1', '--keep-tag', 'golden', '--dry-run', '--json'])
  assert.equal(dry.code, 0, dry.stderr)
  const plan = JSON.parse(dry.stdout) as { remove: Array<{ id: string }>, keep: Array<{ id: string, reasons: string[] }>, dryRun: boolean }
  assert.equal(plan.dryRun, true)
  assert.deepEqual(plan.remove.map((s) => s.id), [ids[1]])
  assert.deepEqual(await list(), [...ids].sort(), 'a dry run forgets nothing')

  const real = await site.run(['forget', 'main', '--keep-last', '1', '--keep-tag', 'golden'])
  assert.equal(real.code, 0, real.stderr)
  assert.deepEqual(await list(), [ids[0], ids[2]].sort())
  const target = join(work, 'out')
  const restored = await site.run(['restore', 'main', ids[0] as string, '--target', target])
  assert.equal(restored.code, 0, restored.stderr)
  assert.equal(await readFile(join(target, src, 'f.txt'), 'utf8'), 'version 0\n')
})
