import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openChunk } from '@resilien/crypto'
import { activeErasure } from '@resilien/erasure'
import { toHex } from '@resilien/types'
import type { AbortOptions, CheckProblem, CheckReport, DataSubset, ShardSites, StripeRecord } from '@resilien/types'
import type { Catalog } from '@resilien/catalog'
import { rebuildPack } from './blob-reader.js'
import { BlobType, TRAILER_AAD } from './format.js'
import { decodeEntries, TRAILER_LENGTH_BYTES } from './pack-format.js'
import type { Repository } from './repository.js'
import { checkStripePresence, readStripeShards } from './stripe-check.js'
import type { ShardProblem } from './stripe-check.js'
import { MarkSet } from './prune-marks.js'
import { LruCache } from './lru-cache.js'
import { packChoice } from './pack-choice.js'
import type { PackTotals } from './pack-choice.js'
import { displayName } from './tree.js'

/** Packs whose stripe was looked up recently: a file's chunks sit in a few packs. */
const RECENT_PACKS = 1024

export interface CheckOptions extends AbortOptions {
  /** Re-read every shard, decode every pack, open every blob. */
  readData?: boolean
  /** Re-read these packs (pack-choice.ts). */
  readDataSubset?: DataSubset
  onProgress?: (p: { phase: string, done: number, total?: number, bytes: number }) => void
  /** Where the walk keeps its on-disk sets (trees walked, packs seen); a temporary folder when absent. */
  workDir?: string
}

/** Problems kept in a report; a badly broken repository is summarized, not listed whole. */
const MAX_PROBLEMS = 1000

class Problems {
  readonly list: CheckProblem[] = []
  count = 0
  add (p: CheckProblem): void {
    this.count++
    if (this.list.length < MAX_PROBLEMS) this.list.push(p)
  }
}

/** The live stripes of `repo` (or of all), deleted packs left out. */
async function * liveStripes (catalog: Catalog, repo: string | undefined): AsyncGenerator<StripeRecord> {
  for await (const stripe of catalog.stripes(repo)) {
    if (!await catalog.isPackDeleted(stripe.repo, stripe.pack)) yield stripe
  }
}

/** How many live packs there are, and their lengths summed: what a share or a size is drawn from. */
async function livePackTotals (catalog: Catalog, repo: string | undefined): Promise<PackTotals> {
  const totals = { packs: 0, bytes: 0 }
  for await (const stripe of liveStripes(catalog, repo)) {
    totals.packs++
    totals.bytes += stripe.packLength
  }
  return totals
}

/**
 * Checks what needs no key: every stripe's shards are where the catalog says (a `has` per
 * site), and, for the packs chosen, every shard re-read and re-hashed. Works on any site.
 */
export async function checkStripes (catalog: Catalog, sites: ShardSites, repo: string | undefined, options: CheckOptions = {}): Promise<CheckReport> {
  const problems = new Problems()
  const shards = await checkShards(catalog, sites, repo, options, problems, 'shards')
  return { ok: problems.count === 0, problems: problems.list, snapshots: 0, ...shards }
}

/**
 * One pass over the live stripes (of `repo`, or all): the packs chosen by the options have every
 * shard read and re-hashed (then `readPack` gets the good shards), the others are asked for by
 * `has`. A shard whose site cannot be reached is counted for that site, not as a problem: the
 * check cannot say anything about it.
 */
async function checkShards (catalog: Catalog, sites: ShardSites, repo: string | undefined, options: CheckOptions, problems: Problems, phase: string,
  readPack?: (stripe: StripeRecord, shards: Array<Uint8Array | undefined>) => Promise<void>): Promise<Omit<CheckReport, 'ok' | 'problems' | 'snapshots'>> {
  const read = await packChoice(options.readData === true, options.readDataSubset, async () => await livePackTotals(catalog, repo))
  const unreachable = new Map<string, number>()
  const report = (p: ShardProblem): void => {
    if (p.kind === 'unreachable') unreachable.set(p.site, (unreachable.get(p.site) ?? 0) + 1)
    else problems.add({ kind: p.kind, id: p.shard, message: p.message })
  }
  let packs = 0
  let shardsRead = 0
  let bytesRead = 0
  for await (const stripe of liveStripes(catalog, repo)) {
    options.signal?.throwIfAborted()
    packs++
    if (read(stripe)) {
      const r = await readStripeShards(sites, stripe, options)
      shardsRead += r.shards.filter((s) => s !== undefined).length
      bytesRead += r.bytes
      r.problems.forEach(report)
      await readPack?.(stripe, r.shards)
    } else {
      (await checkStripePresence(sites, stripe, options)).forEach(report)
    }
    options.onProgress?.({ phase, done: packs, bytes: bytesRead })
  }
  return { packs, shardsRead, bytesRead, unreachable: [...unreachable].map(([site, shards]) => ({ site, shards })) }
}

/**
 * The full check of a repository, with its key: snapshots open, every tree decodes, every chunk
 * a tree names is in the index and its pack has a stripe, and the stripes' shards are present.
 * With read-data (or a subset), each chosen pack is rebuilt from its shards and every blob in it
 * is opened and verified against its id.
 */
export async function checkRepository (repo: Repository, options: CheckOptions = {}): Promise<CheckReport> {
  const problems = new Problems()
  const { catalog, sites } = repo.components
  let snapshots = 0

  let list: Awaited<ReturnType<Repository['listSnapshots']>> = []
  try {
    list = await repo.listSnapshots()
  } catch (err) {
    problems.add({ kind: 'bad-snapshot', id: repo.id, message: `snapshot records cannot be opened: ${(err as Error).message}` })
  }
  // Trees walked and packs seen are kept on disk, as prune keeps its marks: a repository four
  // times larger is checked in about the same memory.
  const ownDir = options.workDir === undefined ? await mkdtemp(join(tmpdir(), 'resilien-check-')) : undefined
  const marks = await MarkSet.create(options.workDir ?? ownDir as string)
  try {
    const recentPacks = new LruCache<string, true>(RECENT_PACKS)
    /** Every pack that holds a chunk must have a stripe record; each pack is looked up once. */
    const checkPack = async (pack: string): Promise<void> => {
      if (recentPacks.get(pack) !== undefined) return
      recentPacks.set(pack, true)
      if (await marks.wasSeenPack(pack)) return
      await marks.addSeenPack(pack)
      if (await catalog.stripe(pack) === undefined) problems.add({ kind: 'missing-stripe', id: pack, message: `pack ${pack} is used by snapshots but has no stripe record` })
    }
    /** A chunk missing from the index is reported once, however many files name it. */
    const reportMissing = async (id: string): Promise<void> => {
      const key = Buffer.from(id, 'hex')
      if ((await marks.hasMany([key]))[0] === true) return
      await marks.add([key])
      problems.add({ kind: 'missing-chunk', id, message: `chunk ${id} is not in the index` })
    }
    /** Checks that every chunk is indexed in a recorded pack; returns the bytes they hold, when all are found. */
    const checkChunks = async (ids: readonly string[]): Promise<number | undefined> => {
      const found = await repo.index.getMany(ids.map((id) => Buffer.from(id, 'hex')))
      let bytes: number | undefined = 0
      for (let i = 0; i < ids.length; i++) {
        const loc = found[i]
        if (loc !== undefined) {
          await checkPack(loc.pack)
          if (bytes !== undefined) bytes += loc.rawLength
        } else {
          await reportMissing(ids[i] as string)
          bytes = undefined
        }
      }
      return bytes
    }
    const walk = async (ids: string[], path: string): Promise<void> => {
      if (ids.length === 0 || await marks.wasWalked(ids)) return
      await checkChunks(ids)
      let tree
      try {
        tree = await repo.loadTree(ids, options)
      } catch (err) {
        problems.add({ kind: 'bad-tree', id: ids[0] ?? '', message: `tree of ${path} cannot be read: ${(err as Error).message}` })
        // Reported once: other snapshots that hold the same tree do not report it again.
        await marks.addWalked(ids)
        return
      }
      for (const node of tree.nodes) {
        if (node.type === 'file') {
          // A file's chunks must hold exactly its recorded size, or restore and dump stop there.
          const bytes = node.content === undefined || node.content.length === 0 ? 0 : await checkChunks(node.content)
          if (bytes !== undefined && bytes !== node.size) {
            problems.add({ kind: 'bad-tree', id: ids[0] ?? '', message: `file ${path}/${displayName(node)}: its chunks hold ${bytes} bytes, its record says ${node.size}` })
          }
        } else if (node.content !== undefined && node.content.length > 0) {
          await checkChunks(node.content)
        }
        if (node.subtree !== undefined) await walk(node.subtree, `${path}/${displayName(node)}`)
      }
      // After its children, as prune records it: the same tree in another snapshot is not walked again.
      await marks.addWalked(ids)
    }
    for (const s of list) {
      options.signal?.throwIfAborted()
      snapshots++
      await walk(s.record.tree, s.id.slice(0, 8))
      options.onProgress?.({ phase: 'trees', done: snapshots, total: list.length, bytes: 0 })
    }
  } finally {
    await marks.destroy()
    if (ownDir !== undefined) await rm(ownDir, { recursive: true, force: true })
  }

  const shards = await checkShards(catalog, sites, repo.id, options, problems, 'read-data', async (stripe, read) => { await checkPackContent(repo, stripe, read, problems) })
  return { ok: problems.count === 0, problems: problems.list, snapshots, ...shards }
}

/** Decodes a pack from its good shards and verifies its trailer and every blob in it. */
async function checkPackContent (repo: Repository, stripe: StripeRecord, shards: Array<Uint8Array | undefined>, problems: Problems): Promise<void> {
  const { k } = stripe
  const good = shards.filter((s) => s !== undefined).length
  if (good < k) {
    problems.add({ kind: 'corrupt-shard', id: stripe.pack, message: `pack ${stripe.pack} has only ${good} good shards of the ${k} needed: it is lost` })
    return
  }
  let pack: Uint8Array
  try {
    pack = await rebuildPack(stripe, shards, repo.components.erasure ?? activeErasure)
  } catch (err) {
    problems.add({ kind: 'corrupt-chunk', id: stripe.pack, message: (err as Error).message })
    return
  }
  try {
    const buf = Buffer.from(pack.buffer, pack.byteOffset, pack.byteLength)
    const trailerLength = buf.readUInt32LE(buf.byteLength - TRAILER_LENGTH_BYTES)
    const trailerStart = buf.byteLength - TRAILER_LENGTH_BYTES - trailerLength
    const entries = decodeEntries(openChunk(repo.keys.metadataKey, buf.subarray(trailerStart, buf.byteLength - TRAILER_LENGTH_BYTES), TRAILER_AAD))
    for (const e of entries) {
      try {
        repo.reader.openSealed({ id: e.id, type: e.type }, buf.subarray(e.offset, e.offset + e.length))
      } catch (err) {
        problems.add({ kind: 'corrupt-chunk', id: toHex(e.id), message: `${e.type === BlobType.tree ? 'tree' : 'chunk'} ${toHex(e.id)} in pack ${stripe.pack} fails verification: ${(err as Error).message}` })
      }
    }
  } catch (err) {
    problems.add({ kind: 'bad-index', id: stripe.pack, message: `pack ${stripe.pack} has an unreadable trailer: ${(err as Error).message}` })
  }
}
