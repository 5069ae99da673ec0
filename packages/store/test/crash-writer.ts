// Child process of disk-crash.test.ts: puts and deletes shards on a disk store until killed,
// printing a line once each operation has resolved ("put <id>", "deleted <id>") and one before
// a delete starts ("deleting <id>": from then on the shard may go at any moment). Run without
// arguments, as `node --test` does with every file of the folder, it does nothing.
import { randomInt } from 'node:crypto'
import { createDiskShardStore } from '../src/index.js'
import { chunked, makeShard } from './helpers.js'

const WORKERS = 4
const MAX_SHARD = 300 * 1024
/** Every DELETE_EVERY-th acknowledged put also deletes the oldest shard still held. */
const DELETE_EVERY = 3

async function run (path: string): Promise<void> {
  const store = await createDiskShardStore({ path, reserveBytes: 0 })
  const held: string[] = []
  let puts = 0
  // Writes to a pipe are synchronous on Linux: a printed line is out before the next step.
  const say = (line: string): void => { process.stdout.write(`${line}\n`) }
  async function worker (): Promise<never> {
    for (;;) {
      const shard = makeShard(randomInt(1, MAX_SHARD))
      await (puts % 2 === 0
        ? store.put(shard.id, shard.bytes)
        : store.put(shard.id, chunked(shard.bytes, 16 * 1024), { size: shard.bytes.byteLength }))
      say(`put ${shard.id}`)
      held.push(shard.id)
      if (++puts % DELETE_EVERY === 0) {
        const victim = held.shift()
        if (victim !== undefined) {
          say(`deleting ${victim}`)
          await store.delete(victim)
          say(`deleted ${victim}`)
        }
      }
    }
  }
  await Promise.all(Array.from({ length: WORKERS }, worker))
}

const path = process.argv[2]
if (path !== undefined) await run(path)
