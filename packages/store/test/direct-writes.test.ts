import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { DIRECT_ALIGNMENT } from '../src/aligned-memory.js'
import { DIRECT_SLOT_BYTES, DirectWrites, createAlignedSlots } from '../src/direct-writes.js'
import type { StagingSlots } from '../src/direct-writes.js'
import { cachedBytes, mountRamfs, tempDirectory } from './helpers.js'

// These tests are about direct writes: the switch that turns them off for comparisons must not.
delete process.env.RESILIEN_DIRECT_IO

const SLOT = DIRECT_SLOT_BYTES
/** Around the alignment and the slot, where padding and piece boundaries go wrong. */
const SIZES = [1, DIRECT_ALIGNMENT - 1, DIRECT_ALIGNMENT, DIRECT_ALIGNMENT + 1, SLOT - 1, SLOT, SLOT + 1, 3 * SLOT + 17]
/** Odd-sized writes, so that a write crosses slot boundaries. */
const PIECE = 100_003

async function writeFile (writes: DirectWrites, path: string, bytes: Uint8Array): Promise<void> {
  const sink = await writes.create(path, 0o600)
  try {
    for (let offset = 0; offset < bytes.byteLength; offset += PIECE) await sink.write(bytes.subarray(offset, offset + PIECE))
    await sink.finish()
  } catch (error) {
    await sink.abandon()
    throw error
  }
}

/** Writes one file of every size and checks length and content. */
async function assertWritesExactly (writes: DirectWrites, dir: string, afterWrite?: (path: string) => Promise<void>): Promise<void> {
  for (const size of SIZES) {
    const bytes = randomBytes(size)
    const path = join(dir, `f${size}`)
    await writeFile(writes, path, bytes)
    assert.equal((await stat(path)).size, size, `length of a ${size}-byte file`)
    await afterWrite?.(path)
    assert.ok(Buffer.compare(await readFile(path), bytes) === 0, `content of a ${size}-byte file`)
  }
}

/** Slots that count what is lent out. */
function countingSlots (inner: StagingSlots): StagingSlots & { lent: number, taken: number } {
  const slots = {
    lent: 0,
    taken: 0,
    take: () => {
      const slot = inner.take()
      if (slot !== undefined) { slots.lent++; slots.taken++ }
      return slot
    },
    give: (slot: Uint8Array) => { slots.lent--; inner.give(slot) }
  }
  return slots
}

test('files written directly hold exactly their bytes at every size around the alignment and the slot, and none of them stays in the page cache', async (t) => {
  const dir = await tempDirectory(t)
  const slots = countingSlots(createAlignedSlots(2))
  const writes = new DirectWrites(slots)
  await assertWritesExactly(writes, dir, async (path) => {
    assert.equal(await cachedBytes(path), 0, `${path} went through the page cache`)
  })
  assert.equal(writes.supported, true, `the test folder ${dir} is on a file system that refused O_DIRECT`)
  assert.equal(slots.taken, SIZES.length)
  assert.equal(slots.lent, 0)
})

test('more files at once than slots: the ones without a slot go through the cache, all hold their bytes, every slot comes back', async (t) => {
  const dir = await tempDirectory(t)
  const slots = countingSlots(createAlignedSlots(2))
  const writes = new DirectWrites(slots)
  const files = Array.from({ length: 5 }, (_, i) => ({ path: join(dir, `f${i}`), bytes: randomBytes(2 * SLOT + 5) }))
  await Promise.all(files.map(async ({ path, bytes }) => { await writeFile(writes, path, bytes) }))
  for (const { path, bytes } of files) assert.ok(Buffer.compare(await readFile(path), bytes) === 0)
  assert.equal(slots.taken, 2)
  assert.equal(slots.lent, 0)
  assert.equal(writes.supported, true)
})

test('a file system that refuses O_DIRECT at open (ramfs): files go through the cache, and later files do not try again', async (t: TestContext) => {
  const mnt = await mountRamfs(t)
  const slots = countingSlots(createAlignedSlots(1))
  const writes = new DirectWrites(slots)
  await writeFile(writes, join(mnt, 'first'), randomBytes(10))
  assert.equal(writes.supported, false)
  assert.equal(slots.taken, 1, 'the first file tried O_DIRECT')
  await assertWritesExactly(writes, mnt)
  assert.equal(slots.taken, 1, 'later files went straight through the cache')
  assert.equal(slots.lent, 0)
})

test('a direct write the kernel refuses (a misaligned buffer) goes on through the cache with nothing lost', async (t) => {
  const dir = await tempDirectory(t)
  // One byte into a malloc'd block is never 4 KiB aligned: the kernel answers EINVAL, for real.
  const misaligned = Buffer.alloc(SLOT + 1).subarray(1)
  const free: Uint8Array[] = []
  const writesFor = (): DirectWrites => {
    free.length = 0
    free.push(misaligned)
    return new DirectWrites({ take: () => free.pop(), give: (slot) => { free.push(slot) } })
  }
  for (const size of [10, SLOT - 1, 2 * SLOT + 5]) {
    const writes = writesFor()
    const bytes = randomBytes(size)
    const path = join(dir, `f${size}`)
    await writeFile(writes, path, bytes)
    assert.equal(writes.supported, false, `a ${size}-byte file`)
    assert.equal(free.length, 1, 'the slot came back')
    assert.ok(Buffer.compare(await readFile(path), bytes) === 0, `content of a ${size}-byte file`)
    await rm(path)
  }
})
