import { parentPort } from 'node:worker_threads'
import { runSealJob } from './seal-job.js'
import type { SealJob } from './seal-job.js'

/** Worker thread entry of the seal pool: one job in, one result (or error text) out. */
parentPort?.on('message', (message: { seq: number, job: SealJob }) => {
  try {
    const result = runSealJob(message.job)
    parentPort?.postMessage({ seq: message.seq, result }, [result.sealed])
  } catch (err) {
    parentPort?.postMessage({ seq: message.seq, error: err instanceof Error ? err.message : String(err) })
  }
})
