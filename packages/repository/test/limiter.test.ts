import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { SpareSlots, mapConcurrent, mapWithSpareSlots } from '../src/limiter.js'

interface Folder { name: string, children: Folder[] }

/** A tree `breadth` wide at every level, `depth` levels below the root. */
function wideTree (breadth: number, depth: number, name = 'r'): Folder {
  return { name, children: depth === 0 ? [] : Array.from({ length: breadth }, (_, i) => wideTree(breadth, depth - 1, `${name}/${i}`)) }
}

/** Walks `root` as the backup does (a folder stays open while its sub-folders are walked); the most folders open at once and the names in result order. */
async function walk (root: Folder, mapChildren: (folders: Folder[], fn: (f: Folder) => Promise<string[]>) => Promise<string[][]>): Promise<{ most: number, names: string[] }> {
  let open = 0
  let most = 0
  const visit = async (folder: Folder): Promise<string[]> => {
    most = Math.max(most, ++open)
    try {
      await sleep(1)
      const below = await mapChildren(folder.children, visit)
      return [folder.name, ...below.flat()]
    } finally {
      open--
    }
  }
  const names = await visit(root)
  return { most, names }
}

test('a walk with spare slots keeps at most (slots + 1) chains of folders open, whatever the breadth, and keeps the order', async () => {
  const tree = wideTree(6, 4)
  const slots = new SpareSlots(4)
  const bounded = await walk(tree, async (folders, fn) => mapWithSpareSlots(folders, slots, fn))
  const perLevel = await walk(tree, async (folders, fn) => mapConcurrent(folders, 4, fn))
  // 5 levels, each chain holding one open folder per level at most.
  assert.ok(bounded.most <= (4 + 1) * 5, `${bounded.most} folders open at once`)
  assert.ok(bounded.most > 5, `${bounded.most} open: the slots did run folders alongside the walk`)
  assert.ok(perLevel.most > 50, `each level starting its own 4: ${perLevel.most} open (the unbounded shape)`)
  assert.deepEqual(bounded.names, perLevel.names, 'the same folders in the same order')
  assert.equal(bounded.names.length, 1 + 6 + 36 + 216 + 1296)
  assert.equal(slots.tryTake(), true, 'every slot was given back')
})

test('spare slots: after a failure no new item starts, and the failure comes once the started ones have settled', async () => {
  const slots = new SpareSlots(2)
  const started: number[] = []
  const settled: number[] = []
  await assert.rejects(mapWithSpareSlots([0, 1, 2, 3, 4, 5], slots, async (i) => {
    started.push(i)
    await sleep(i === 2 ? 1 : 20)
    settled.push(i)
    if (i === 2) throw new Error('item 2 failed')
    return i
  }), /item 2 failed/)
  // 0 and 1 take the two slots; 2 runs in the caller's turn and fails; 3 to 5 never start.
  assert.deepEqual(started, [0, 1, 2])
  assert.deepEqual(settled.sort(), [0, 1, 2])
  assert.equal(slots.tryTake() && slots.tryTake(), true, 'both slots were given back')
})
