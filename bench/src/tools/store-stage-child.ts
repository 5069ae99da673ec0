import '@resilien/polyfill'
import { parseArgs } from 'node:util'
import { activeBackend } from '@resilien/hashing'
import { measureStorePuts } from '../scenarios/store-writes.js'

/**
 * The store stage in a process of its own: the store hashes with the process's active BLAKE3
 * backend, which RESILIEN_BLAKE3 chooses when the process starts, so each backend needs its own
 * process. Prints the StageResult as one JSON line.
 */
async function main (): Promise<void> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, size: { type: 'string' }, shard: { type: 'string' }, concurrency: { type: 'string' }, rounds: { type: 'string' } }
  })
  if (values.dir === undefined) throw new Error('usage: store-stage-child --dir DIR --size N --shard N --concurrency N --rounds N')
  const result = await measureStorePuts({
    dir: values.dir,
    size: Number(values.size),
    shardBytes: Number(values.shard),
    concurrency: Number(values.concurrency),
    rounds: Number(values.rounds)
  }, activeBackend.name)
  process.stdout.write(JSON.stringify(result) + '\n')
}

main().catch((err: unknown) => {
  process.stderr.write(`store stage: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
