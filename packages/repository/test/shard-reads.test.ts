import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Placement, StripeRecord } from '@resilien/types'
import { backup, restore } from '../src/index.js'
import { shardsToRead } from '../src/shard-reads.js'
import { newRepository } from './helpers.js'

function stripe (k: number, m: number): StripeRecord {
  return { pack: 'p', k, m, shardLength: 1, packLength: k, shards: Array.from({ length: k + m }, (_, i) => ({ id: String(i), site: `s${i}` })) } as unknown as StripeRecord
}

test('shardsToRead: parity held here replaces a remote data shard; a tie or a local data shard reads the data shards', () => {
  const twoPlusOne = stripe(2, 1)
  // This site holds the parity shard: one remote shard instead of two.
  assert.deepEqual(shardsToRead(twoPlusOne, [0, 1], [1, 1, 0]), [2, 0])
  // One data shard needed: one remote read either way, no decode.
  assert.deepEqual(shardsToRead(twoPlusOne, [1], [1, 1, 0]), [1])
  // This site holds a data shard: the other one is the one remote read either way.
  assert.deepEqual(shardsToRead(twoPlusOne, [0, 1], [1, 0, 1]), [0, 1])
  // Everything here (one site): the data shards.
  assert.deepEqual(shardsToRead(twoPlusOne, [0, 1], [0, 0, 0]), [0, 1])
  // A needed data shard on a down site is not asked for: the live parity is read instead.
  assert.deepEqual(shardsToRead(twoPlusOne, [0], [4, 0, 1]), [1, 2])
  // 4 + 2, this site holds one parity shard: three remote reads instead of four.
  const fourPlusTwo = stripe(4, 2)
  const costs = [1, 1, 1, 1, 0, 1]
  assert.deepEqual(shardsToRead(fourPlusTwo, [0, 1, 2, 3], costs), [4, 0, 1, 2])
  // Fewer than k shards to read at all: the data shards as they are.
  assert.deepEqual(shardsToRead(twoPlusOne, [0, 1], [1]), [0, 1])
})

test('a restore on a site that holds the parity shards reads one remote shard per pack and decodes, byte-identical', async (t) => {
  const gets = new Map<string, number>()
  /** memorySites puts shard i on s1, s2, s3 in turn: the parity shard of every 2 + 1 pack is on s3. */
  const onS3: (placement: Placement) => Placement = (placement) => ({
    ...placement,
    readCosts: (s: StripeRecord) => s.shards.map((shard) => shard.site === 's3' ? 0 : 1)
  })
  const run = async (wrapPlacement?: (placement: Placement) => Placement, damageS3 = false): Promise<{ remote: number, packs: number }> => {
    const { repo, dir } = await newRepository(t, {
      wrapSites: (sites) => ({
        ...sites,
        get: async (site, id, range, o) => {
          gets.set(site, (gets.get(site) ?? 0) + 1)
          const bytes = await sites.get(site, id, range, o)
          // A site whose store passed bad bytes as good: only the decode can tell.
          if (damageS3 && site === 's3' && bytes !== undefined && range === undefined) bytes[100] = (bytes[100] as number) ^ 1
          return bytes
        }
      }),
      ...(wrapPlacement === undefined ? {} : { wrapPlacement })
    })
    const src = join(dir, 'src')
    await mkdir(src)
    const content = randomBytes(12 * 1024 * 1024)
    await writeFile(join(src, 'big.bin'), content)
    const { snapshot } = await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
    let packs = 0
    for await (const s of repo.components.catalog.stripes(repo.id)) if (s !== undefined) packs++
    gets.clear()
    await restore(repo, { snapshot, target: join(dir, 'out') })
    assert.ok((await readFile(join(dir, 'out', src, 'big.bin'))).equals(content), 'restored byte for byte')
    return { remote: (gets.get('s1') ?? 0) + (gets.get('s2') ?? 0), packs }
  }
  const plain = await run()
  const decoding = await run(onS3)
  // Three 4 MiB data packs and a tree pack at least; each data pack needs both data shards.
  assert.ok(plain.remote >= 2 * 3, `without read costs: ${plain.remote} remote reads`)
  assert.ok(decoding.remote <= plain.remote - 3, `with s3 local: ${decoding.remote} remote reads against ${plain.remote}`)
  assert.ok((gets.get('s3') ?? 0) >= 3, 'the parity shards held here were read')
  // Parity that decodes into data shards that do not hash to their ids: the data shards are read as they are.
  const damaged = await run(onS3, true)
  assert.ok(damaged.remote >= plain.remote, `${damaged.remote} remote reads`)
})
