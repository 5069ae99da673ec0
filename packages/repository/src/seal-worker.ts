import { parentPort, workerData } from 'node:worker_threads'
import { collectAll, IntegrityError } from '@resilien/types'
import { runSealJob, sealBlobsInto, sealedBound } from './seal-job.js'
import type { SealJob } from './seal-job.js'
import { batchChunks, chunkBatches, READ_BUFFER_BYTES, readFileBuffers, tieredChunker } from './file-chunks.js'
import { BlobType, ID_LENGTH } from './format.js'
import type { FileTaskRequest, WholeFile, WorkerReply, WorkerRequest } from './worker-messages.js'
import { exclusionOf } from './exclude-rules.js'
import type { ExcludeRules } from './exclude-rules.js'
import { startScan } from './scanner.js'
import { BufferPool } from './buffer-pool.js'
import { RecycledReads } from './recycled-reads.js'
import { ChunkerPool } from './chunker-pool.js'
import type { Chunker } from '@resilien/chunking'
import { SealArena } from './seal-arena.js'
import type { SealArenaShare } from './seal-arena.js'
import { RestoreSink } from './restore-sink.js'
import { listTreeSync } from './dir-listing.js'

const port = parentPort
/** File tasks waiting for the main thread's answer about their last batch. */
const waiting = new Map<number, (indexes: number[] | undefined) => void>()
const cancelled = new Set<number>()
const arena = (workerData as { arena?: SealArenaShare } | undefined)?.arena
const slots = arena === undefined ? undefined : SealArena.open(arena)
/**
 * Idle read buffers (1 MiB each) kept for the next file reads until the pool goes idle ('trim'):
 * a large file in flight holds about three (the batch being chunked spans up to two, plus the
 * one being read). Eight serve two or three large files at once without allocating; with four,
 * a few more are allocated and dropped.
 */
const SPARE_READ_BUFFERS = 8
const readBuffers = new BufferPool(READ_BUFFER_BYTES, SPARE_READ_BUFFERS)
const chunkers = new ChunkerPool()

function post (reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer)
}

/**
 * Seals `plains` into a free slot of the shared arena, or into a buffer of their own when none
 * fits, and posts them; `done`: the task ends with them (one message fewer per small file);
 * `whole`: a whole file's chunks, sealed before the main thread said which are new (see runFileTask).
 */
function postSealed (seq: number, key: Uint8Array, ids: Uint8Array, plains: readonly Uint8Array[], done: boolean, whole?: WholeFile): void {
  const end = { done, ...(whole === undefined ? {} : { whole }) }
  const moved = whole === undefined ? [] : [whole.ids]
  const slot = slots?.take()
  if (slots !== undefined && slot !== undefined) {
    let lengths: number[] | undefined
    try {
      lengths = sealBlobsInto(BlobType.data, key, ids, plains, slots.view(slot))
    } finally {
      if (lengths === undefined) slots.free(slot)
    }
    if (lengths !== undefined) {
      post({ seq, kind: 'sealed', slot, lengths, ...end }, moved)
      return
    }
  }
  const out = new Uint8Array(sealedBound(plains.map((p) => p.byteLength)))
  const lengths = sealBlobsInto(BlobType.data, key, ids, plains, out) as number[]
  post({ seq, kind: 'sealed', sealed: out.buffer, lengths, ...end }, [out.buffer, ...moved])
}

/**
 * A file task: read, chunk and name the chunks here; the main thread says which chunks are
 * new (only it has the index); seal those here and hand them over. The main thread only packs.
 * A file whose chunks all fit in its first batch (most files of a Nextcloud tree: previews,
 * documents) is sealed at once and sent with its ids in one message; the main thread keeps the
 * new chunks and drops the rest. That saves two of its four hops between the threads, which
 * bound a backup of many small files, at the price of sealing a known chunk for nothing now and
 * then (a small file's chunk is seldom known: the file was read because it changed).
 */
async function runFileTask (seq: number, task: FileTaskRequest): Promise<void> {
  // Blocking reads: a read from the page cache takes less than the two thread wake-ups of a promise.
  const reads = new RecycledReads(readBuffers, true)
  let cutter: Chunker | undefined
  try {
    const gearSeed = new Uint8Array(task.chunker.gearSeed)
    const chunker = { ...task.chunker, gearSeed }
    const text = task.textChunker === undefined ? undefined : { ...task.textChunker, gearSeed }
    const choice = tieredChunker(chunker, text)
    const cut = (head: Uint8Array): Chunker => {
      cutter = chunkers.take(typeof choice === 'function' ? choice(head) : choice)
      return cutter
    }
    const dataKey = new Uint8Array(task.dataKey)
    /** File bytes whose chunks are done with (sealed and posted, or known): their read buffers are reused. */
    let consumed = 0
    /** The last sealed chunks said the task was done. */
    let ended = false
    const path = new Uint8Array(task.path)
    const chunkIdKey = new Uint8Array(task.chunkIdKey)
    // Chunks as views of recycled blocks; a repository whose chunks do not fit them reads fresh buffers.
    // The text tier's chunks are never larger than the chunker's (the catalog checks the record).
    const batches = reads.fits(chunker.maxSize)
      ? batchChunks(reads.chunks(path, task.size, cut), chunkIdKey, () => reads.bytesRead)
      : chunkBatches(readFileBuffers(path, task.size, undefined, true), choice, chunkIdKey)
    let first = true
    for await (const batch of batches) {
      if (cancelled.has(seq)) break
      if (first && batch.last === true && batch.chunks.length > 0) {
        const lengths = batch.chunks.map((c) => c.byteLength)
        postSealed(seq, dataKey, batch.ids, batch.chunks, true, { ids: batch.ids.slice().buffer, lengths, bytesRead: batch.bytesRead })
        ended = true
        break
      }
      first = false
      const answer = new Promise<number[] | undefined>((resolve) => waiting.set(seq, resolve))
      // A copy travels to the main thread; batch.ids stays here for the sealing below.
      const ids = batch.ids.slice().buffer
      post({ seq, kind: 'batch', ids, lengths: batch.chunks.map((c) => c.byteLength), bytesRead: batch.bytesRead }, [ids])
      const indexes = await answer
      if (indexes === undefined) break
      if (indexes.length > 0) {
        const picked = new Uint8Array(indexes.length * ID_LENGTH)
        indexes.forEach((i, j) => picked.set(batch.ids.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH), j * ID_LENGTH))
        ended = batch.last === true
        postSealed(seq, dataKey, picked, indexes.map((i) => batch.chunks[i] as Uint8Array), ended)
      }
      for (const chunk of batch.chunks) consumed += chunk.byteLength
      reads.release(consumed)
    }
    if (!ended) post({ seq, kind: 'done' })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    post({ seq, kind: 'error', message: e instanceof Error ? e.message : String(err), ...(e.code === undefined ? {} : { code: e.code }) })
  } finally {
    reads.releaseAll()
    if (cutter !== undefined) chunkers.give(cutter)
    waiting.delete(seq)
    cancelled.delete(seq)
  }
}

/** Interval of the scan's reports to the main thread. */
const SCAN_REPORT_MS = 250

function runScan (seq: number, paths: string[], rules: ExcludeRules, oneFileSystem: boolean): void {
  const scan = startScan(paths, { exclusion: exclusionOf(rules), blocking: true, oneFileSystem })
  const timer = setInterval(() => {
    const { files, bytes, complete } = scan.totals
    post({ seq, kind: 'totals', files, bytes, complete })
    if (complete || cancelled.has(seq)) {
      clearInterval(timer)
      scan.stop()
      cancelled.delete(seq)
      post({ seq, kind: 'done' })
    }
  }, SCAN_REPORT_MS)
}

/** Restores whose writing half runs here, by task. */
const restores = new Map<number, RestoreSink>()

/** A restore call: its report, or its error (an IntegrityError keeps its class across the thread). */
function runRestoreCall (seq: number, call: (sink: RestoreSink) => ReturnType<RestoreSink['add']>): void {
  try {
    const sink = restores.get(seq)
    if (sink === undefined) throw new Error(`no restore ${seq} in this worker`)
    post({ seq, kind: 'restored', report: call(sink) })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    post({
      seq,
      kind: 'error',
      message: e instanceof Error ? e.message : String(err),
      ...(e.code === undefined ? {} : { code: e.code }),
      ...(err instanceof IntegrityError ? { integrity: err.what } : {})
    })
  }
}

port?.on('message', (message: WorkerRequest) => {
  switch (message.type) {
    case 'scan':
      runScan(message.seq, message.paths, message.rules, message.oneFileSystem)
      return
    case 'list-tree':
      try {
        post({ seq: message.seq, kind: 'listed', listings: listTreeSync(new Uint8Array(message.path), message.maxDirs, exclusionOf(message.rules), message.oneFileSystem) })
      } catch (err) {
        post({ seq: message.seq, kind: 'error', message: err instanceof Error ? err.message : String(err) })
      }
      return
    case 'seal':
      try {
        const result = runSealJob(message.job as SealJob)
        post({ seq: message.seq, kind: 'result', result }, [result.sealed])
      } catch (err) {
        post({ seq: message.seq, kind: 'error', message: err instanceof Error ? err.message : String(err) })
      }
      return
    case 'file':
      void runFileTask(message.seq, message.task)
      return
    case 'select':
      waiting.get(message.seq)?.(message.indexes)
      waiting.delete(message.seq)
      return
    case 'restore-begin':
      restores.set(message.seq, new RestoreSink({ dataKey: new Uint8Array(message.dataKey), chunkIdKey: new Uint8Array(message.chunkIdKey), maxBlobSize: message.maxBlobSize }))
      return
    case 'restore-add':
      runRestoreCall(message.seq, (sink) => sink.add(message.files))
      return
    case 'restore-write':
      runRestoreCall(message.seq, (sink) => sink.write(message.sealed, message.pack))
      return
    case 'restore-dirs':
      runRestoreCall(message.seq, (sink) => sink.finishDirs(message.dirs))
      return
    case 'restore-lost':
      runRestoreCall(message.seq, (sink) => sink.lost(message.targets, message.why))
      return
    case 'restore-end':
      runRestoreCall(message.seq, (sink) => {
        restores.delete(message.seq)
        return sink.close()
      })
      return
    case 'trim':
      readBuffers.clear()
      collectAll()
      return
    case 'cancel':
      cancelled.add(message.seq)
      waiting.get(message.seq)?.(undefined)
      waiting.delete(message.seq)
  }
})
