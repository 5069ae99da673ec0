import { parentPort } from 'node:worker_threads'
import { makeSealJob, runSealJob } from './seal-job.js'
import type { SealJob } from './seal-job.js'
import { chunkBatches, readFileBuffers } from './file-chunks.js'
import { BlobType, ID_LENGTH } from './format.js'
import type { FileTaskRequest, WorkerReply, WorkerRequest } from './worker-messages.js'
import { startScan } from './scanner.js'

const port = parentPort
/** File tasks waiting for the main thread's answer about their last batch. */
const waiting = new Map<number, (indexes: number[] | undefined) => void>()
const cancelled = new Set<number>()

function post (reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer)
}

/**
 * A file task: read, chunk and name the chunks here; the main thread says which chunks are
 * new (only it has the index); seal those here and hand them over. The main thread only packs.
 */
async function runFileTask (seq: number, task: FileTaskRequest): Promise<void> {
  try {
    const chunker = { ...task.chunker, gearSeed: new Uint8Array(task.chunker.gearSeed) }
    for await (const batch of chunkBatches(readFileBuffers(new Uint8Array(task.path), task.size), chunker, new Uint8Array(task.chunkIdKey))) {
      if (cancelled.has(seq)) break
      const answer = new Promise<number[] | undefined>((resolve) => waiting.set(seq, resolve))
      // A copy travels to the main thread; batch.ids stays here for the sealing below.
      const ids = batch.ids.slice().buffer
      post({ seq, kind: 'batch', ids, lengths: batch.chunks.map((c) => c.byteLength), bytesRead: batch.bytesRead }, [ids])
      const indexes = await answer
      if (indexes === undefined) break
      if (indexes.length === 0) continue
      const job = makeSealJob(BlobType.data, new Uint8Array(task.dataKey),
        indexes.map((i) => batch.ids.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH)),
        indexes.map((i) => batch.chunks[i] as Uint8Array))
      const result = runSealJob(job)
      post({ seq, kind: 'sealed', sealed: result.sealed, lengths: result.lengths }, [result.sealed])
    }
    post({ seq, kind: 'done' })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    post({ seq, kind: 'error', message: e instanceof Error ? e.message : String(err), ...(e.code === undefined ? {} : { code: e.code }) })
  } finally {
    waiting.delete(seq)
    cancelled.delete(seq)
  }
}

/** Interval of the scan's reports to the main thread. */
const SCAN_REPORT_MS = 250

function runScan (seq: number, paths: string[]): void {
  const scan = startScan(paths)
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

port?.on('message', (message: WorkerRequest) => {
  switch (message.type) {
    case 'scan':
      runScan(message.seq, message.paths)
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
    case 'cancel':
      cancelled.add(message.seq)
      waiting.get(message.seq)?.(undefined)
      waiting.delete(message.seq)
  }
})
