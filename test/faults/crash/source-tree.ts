import { chmod, mkdir, open, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Random } from '../random.js'

const KiB = 1024
const MiB = 1024 * KiB

/** What a crash suite backs up: many small files over a few folders, and a few big ones. */
export interface TreeShape {
  /** Folders the small files spread over. */
  folders: number
  smallFiles: number
  smallMaxBytes: number
  bigFiles: number
  bigBytes: number
  /** Share of the small files one mutation rewrites, appends to or replaces (seeded between the two). */
  churn: readonly [number, number]
  /** Big files one mutation rewrites in place, and the bytes of each (at a seeded offset; the rest of the file dedups). */
  bigRewrites: number
  bigRewriteBytes: number
}

/** About 6 MiB, 1-2 MiB of it new per mutation: the default suite's short runs (mostly start-up, few puts). */
export const SHORT_TREE: TreeShape = { folders: 6, smallFiles: 60, smallMaxBytes: 64 * KiB, bigFiles: 2, bigBytes: 2 * MiB, churn: [0.15, 0.3], bigRewrites: 1, bigRewriteBytes: 1 * MiB }
/**
 * About 26 MiB, 13-15 MiB of it new per mutation (two big files rewritten whole): the long runs.
 * Three or four packs of new data make the shard puts a phase of their own, between the start
 * (command, repository, scan) and the commit, instead of a burst at the very end.
 */
export const FULL_TREE: TreeShape = { folders: 12, smallFiles: 200, smallMaxBytes: 96 * KiB, bigFiles: 3, bigBytes: 6 * MiB, churn: [0.1, 0.25], bigRewrites: 2, bigRewriteBytes: 6 * MiB }

const BIG_FOLDER = 'big'
const WORDS = ['backup', 'shard', 'stripe', 'catalog', 'site', 'pack', 'chunk', 'parity', 'fibre', 'power', 'restore', 'prune', 'snapshot', 'repair']

/** Half the small files compress (text), half do not (random bytes): both paths of the packer run. */
function content (random: Random, bytes: number): Uint8Array {
  if (random.chance(0.5)) return random.bytes(bytes)
  const words: string[] = []
  let length = 0
  while (length < bytes) {
    const word = random.chance(0.1) ? random.next().toString(36) : random.pick(WORDS)
    words.push(word)
    length += word.length + 1
  }
  return Buffer.from(words.join(' ').slice(0, bytes))
}

function smallFileName (random: Random, folders: number): string {
  const folder = random.int(0, folders - 1)
  return join(`d${folder % 4}`, `d${folder}`, `f-${random.next().toString(36)}${random.chance(0.5) ? '.txt' : '.bin'}`)
}

async function writeSmall (root: string, random: Random, shape: TreeShape, name: string): Promise<void> {
  await mkdir(join(root, name, '..'), { recursive: true })
  await writeFile(join(root, name), content(random, random.int(0, shape.smallMaxBytes)))
}

/** Builds the tree at `root` (which must not exist) from `random`. */
export async function buildTree (root: string, random: Random, shape: TreeShape): Promise<void> {
  await mkdir(join(root, BIG_FOLDER), { recursive: true })
  for (let i = 0; i < shape.smallFiles; i++) await writeSmall(root, random, shape, smallFileName(random, shape.folders))
  for (let i = 0; i < shape.bigFiles; i++) await writeFile(join(root, BIG_FOLDER, `big-${i}.bin`), random.bytes(shape.bigBytes))
}

async function smallFiles (root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && !e.parentPath.endsWith(`/${BIG_FOLDER}`))
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort()
}

/**
 * Changes a seeded share of the tree so that the next backup has new data to write: small files
 * rewritten, appended to, or deleted and replaced by new ones elsewhere (the file count stays);
 * regions of big files rewritten in place; one mode change. Returns what it did, briefly.
 */
export async function mutateTree (root: string, random: Random, shape: TreeShape): Promise<string> {
  const files = await smallFiles(root)
  const [low, high] = shape.churn
  const share = low + (high - low) * random.next() / 2 ** 32
  const count = Math.max(1, Math.min(files.length, Math.round(share * files.length)))
  // A partial Fisher-Yates shuffle: the first `count` are the files changed.
  for (let i = 0; i < count; i++) {
    const j = random.int(i, files.length - 1)
    const swap = files[i] as string
    files[i] = files[j] as string
    files[j] = swap
  }
  const done = { rewritten: 0, appended: 0, replaced: 0, bigBytes: 0 }
  for (const name of files.slice(0, count)) {
    const what = random.weighted([[0.6, 'rewrite'], [0.2, 'append'], [0.2, 'replace']] as const)
    if (what === 'rewrite') {
      await writeFile(join(root, name), content(random, random.int(0, shape.smallMaxBytes)))
      done.rewritten++
    } else if (what === 'append') {
      await writeFile(join(root, name), content(random, random.int(1, shape.smallMaxBytes / 4)), { flag: 'a' })
      done.appended++
    } else {
      await rm(join(root, name))
      await writeSmall(root, random, shape, smallFileName(random, shape.folders))
      done.replaced++
    }
  }
  const bigOnes = Array.from({ length: shape.bigFiles }, (_, i) => i)
  for (let i = 0; i < Math.min(shape.bigRewrites, shape.bigFiles); i++) {
    const [which] = bigOnes.splice(random.int(0, bigOnes.length - 1), 1)
    const big = await open(join(root, BIG_FOLDER, `big-${which ?? 0}.bin`), 'r+')
    try {
      const offset = random.int(0, shape.bigBytes - shape.bigRewriteBytes)
      await big.write(random.bytes(shape.bigRewriteBytes), 0, shape.bigRewriteBytes, offset)
    } finally {
      await big.close()
    }
    done.bigBytes += shape.bigRewriteBytes
  }
  const remaining = await smallFiles(root)
  if (remaining.length > 0) await chmod(join(root, random.pick(remaining)), random.pick([0o600, 0o640, 0o644]))
  return `${done.rewritten} rewritten, ${done.appended} appended, ${done.replaced} replaced, ${done.bigBytes} bytes of big files`
}
