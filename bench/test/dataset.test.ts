import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { advanceDay, datasetOptions, generateDayZero, planDayZero, rewriteShare } from '../src/dataset/index.js'

/** Small enough for a unit test, with enough files (10x scale) for a day's shares to show. */
const OPTIONS = datasetOptions({ seed: 7, size: 12 * 1024 * 1024, filesScale: 10 })

interface Entry { hash: string, inode: number, mtimeMs: number }

function snapshot (root: string): Map<string, Entry> {
  const out = new Map<string, Entry>()
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`)
      else {
        const st = statSync(p)
        out.set(rel + e.name, { hash: createHash('sha1').update(readFileSync(p)).digest('hex'), inode: st.ino, mtimeMs: st.mtimeMs })
      }
    }
  }
  walk(root, '')
  return out
}

function tempDir (t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'resilien-dataset-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const contents = (m: Map<string, Entry>): string[] => [...m].map(([p, e]) => `${p} ${e.hash} ${e.mtimeMs}`).sort()

test('the same seed gives the same tree, byte for byte and mtime for mtime, on day 0 and day 1', (t) => {
  const a = join(tempDir(t), 'a')
  const b = join(tempDir(t), 'b')
  const dayA = generateDayZero(a, OPTIONS)
  const dayB = generateDayZero(b, OPTIONS)
  assert.ok(dayA.tree.files > 200, `only ${dayA.tree.files} files`)
  assert.deepEqual(contents(snapshot(a)), contents(snapshot(b)))
  advanceDay(a, dayA.plan)
  advanceDay(b, dayB.plan)
  assert.deepEqual(contents(snapshot(a)), contents(snapshot(b)))
})

test('another seed gives another tree', () => {
  const paths = (seed: number): string[] => planDayZero({ ...OPTIONS, seed }).files.map((f) => f.path).sort()
  assert.notDeepEqual(paths(7), paths(8))
})

test('the total size is close to the size asked for, a sixth of it in the SQL dump', (t) => {
  const root = tempDir(t)
  const day = generateDayZero(root, OPTIONS)
  assert.ok(Math.abs(day.tree.bytes / OPTIONS.size - 1) < 0.1, `${day.tree.bytes} bytes for ${OPTIONS.size}`)
  const dump = readdirSync(join(root, 'db'))
  assert.equal(dump.length, 1)
  const dumpShare = statSync(join(root, 'db', dump[0] as string)).size / day.tree.bytes
  assert.ok(dumpShare > 0.1 && dumpShare < 0.2, `dump share ${dumpShare}`)
})

test('a next day changes a few % of the files, leaves the rest untouched and regenerates the dump', (t) => {
  const root = tempDir(t)
  const day0 = generateDayZero(root, OPTIONS)
  const before = snapshot(root)
  const [oldDump] = readdirSync(join(root, 'db'))
  const oldLines = new Set(readFileSync(join(root, 'db', oldDump as string), 'latin1').split('\n'))
  advanceDay(root, day0.plan)
  const after = snapshot(root)

  const oldHashes = new Set([...before.values()].map((e) => e.hash))
  let same = 0
  let changedOrNew = 0
  let moved = 0
  for (const [path, e] of after) {
    const old = before.get(path)
    if (old?.hash === e.hash) {
      same++
      assert.equal(e.inode, old.inode, `${path} was rewritten though unchanged`)
      assert.equal(e.mtimeMs, old.mtimeMs)
    } else if (oldHashes.has(e.hash)) moved++
    else changedOrNew++
  }
  const removed = [...before.keys()].filter((p) => !after.has(p)).length
  const share = (changedOrNew + moved + removed) / before.size
  assert.ok(share > 0.01 && share < 0.15, `${(share * 100).toFixed(1)} % of files touched`)
  assert.ok(moved > 0, 'no file renamed or moved')
  assert.ok(removed > 0, 'no file removed')
  assert.ok(same / after.size > 0.85, `only ${same} of ${after.size} files unchanged`)

  const [newDump] = readdirSync(join(root, 'db'))
  assert.notEqual(newDump, oldDump, 'the dump keeps its date-stamped name')
  const newLines = readFileSync(join(root, 'db', newDump as string), 'latin1').split('\n')
  const kept = newLines.filter((l) => oldLines.has(l)).length / newLines.length
  assert.ok(kept > 0.95 && kept < 0.999, `${(kept * 100).toFixed(2)} % of the dump's lines are unchanged`)
})

test('a rewrite gives new content to about the share of bytes asked for and leaves the other files untouched', (t) => {
  const root = tempDir(t)
  const day0 = generateDayZero(root, OPTIONS)
  const before = snapshot(root)
  const rewrite = rewriteShare(root, day0.plan, 0.5)
  const after = snapshot(root)
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), 'a rewrite adds or removes files')
  let changedBytes = 0
  let changed = 0
  for (const [path, e] of after) {
    const old = before.get(path) as Entry
    if (old.hash === e.hash) {
      assert.equal(e.inode, old.inode, `${path} was rewritten though unchanged`)
      assert.equal(e.mtimeMs, old.mtimeMs)
    } else {
      changed++
      changedBytes += statSync(join(root, path)).size
      assert.ok(e.mtimeMs > old.mtimeMs, `${path} kept its mtime`)
    }
  }
  assert.equal(changed, rewrite.files)
  const share = changedBytes / rewrite.tree.bytes
  assert.ok(share > 0.45 && share < 0.7, `${(share * 100).toFixed(1)} % of the bytes rewritten`)
})
