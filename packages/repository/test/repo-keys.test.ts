import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { deriveRepoKeys, TEST_KDF_PARAMS } from '@resilien/crypto'
import { WrongPassphraseError } from '@resilien/types'
import { addKeySlot, createRepository, KeyCache, listKeySlots, openRepository, removeKeySlot } from '../src/index.js'
import { newRepository, PASSPHRASE } from './helpers.js'

test('a key slot added opens the repository with its passphrase; removed, it no longer does, even from a key cache', async (t) => {
  const { repo, dir } = await newRepository(t)
  const components = repo.components
  const open = async (passphrase: string, keyCache?: KeyCache): Promise<void> => {
    const opened = await openRepository(components, { repo: 'main', passphrase, cacheDir: join(dir, 'cache-keys'), ...(keyCache === undefined ? {} : { keyCache }) })
    await opened.close()
  }
  const [original] = await listKeySlots(components, 'main', PASSPHRASE)
  assert.ok(original?.current === true)

  const added = await addKeySlot(components, 'main', PASSPHRASE, 'second passphrase', TEST_KDF_PARAMS)
  assert.deepEqual(added.slots, [{ keyId: original.keyId, current: true }, { keyId: added.keyId, current: false }])
  assert.deepEqual(await listKeySlots(components, 'main', 'second passphrase'), [{ keyId: original.keyId, current: false }, { keyId: added.keyId, current: true }].sort((a, b) => a.keyId.localeCompare(b.keyId)))
  const cache = new KeyCache()
  await open('second passphrase', cache)

  await assert.rejects(removeKeySlot(components, 'main', 'second passphrase', added.keyId), /is the one the passphrase given opens/)
  await assert.rejects(removeKeySlot(components, 'main', PASSPHRASE, 'ffffffff'), /no key slot "ffffffff"/)
  await assert.rejects(addKeySlot(components, 'main', PASSPHRASE, PASSPHRASE), /has a key slot already/)
  await assert.rejects(addKeySlot(components, 'main', PASSPHRASE, ''), /empty/)
  await assert.rejects(addKeySlot(components, 'main', 'a wrong one', 'third'), WrongPassphraseError)
  assert.equal((await listKeySlots(components, 'main', PASSPHRASE)).length, 2, 'nothing changed')

  // A prefix names the slot; its passphrase stops working at once, the cached keys too.
  const removed = await removeKeySlot(components, 'main', PASSPHRASE, added.keyId.slice(0, 6))
  assert.equal(removed.keyId, added.keyId)
  assert.deepEqual(removed.slots, [{ keyId: original.keyId, current: true }])
  await assert.rejects(open('second passphrase', cache), WrongPassphraseError)
  await assert.rejects(open('second passphrase'), WrongPassphraseError)
  await open(PASSPHRASE, cache)
})

test('creating a repository puts its keys in the key cache: the same passphrase finds them, another does not', async (t) => {
  const { repo: existing, dir } = await newRepository(t)
  const components = existing.components
  const cache = new KeyCache()
  const record = await createRepository(components, { name: 'second', passphrase: 'the creator', site: 'siteA', kdf: TEST_KDF_PARAMS, keyCache: cache })
  const cached = cache.get(record.repo, 'the creator')
  assert.ok(cached !== undefined, 'the keys are cached at creation')
  assert.equal(cache.get(record.repo, 'another one'), undefined)
  const [slot] = await listKeySlots(components, 'second', 'the creator')
  assert.equal(cached.keyId, slot?.keyId)
  // The keys cached are the ones the passphrase unwraps: a repository opened through the cache
  // reads what one opened by the KDF wrote.
  const uncached = await openRepository(components, { repo: 'second', passphrase: 'the creator', cacheDir: join(dir, 'cache-uncached') })
  t.after(async () => uncached.close())
  assert.deepEqual(cached.keys, uncached.keys)
})

test('keys leave the cache when their time is up, also when only another repository is used, and on a timer', async () => {
  let now = 0
  const cache = new KeyCache(1000, () => now)
  const keys = deriveRepoKeys(new Uint8Array(32).fill(7))
  cache.set('repo-a', 'pa', keys, 'slot-a')
  now = 600
  cache.set('repo-b', 'pb', keys, 'slot-b')
  now = 1200
  assert.ok(cache.get('repo-b', 'pb') !== undefined, 'b was used 600 ms ago')
  assert.equal(cache.size, 1, 'a expired although nobody asked for it')
  assert.equal(cache.get('repo-a', 'pa'), undefined)

  // No command at all: the timer drops them.
  const real = new KeyCache(30)
  real.set('repo-c', 'pc', keys, 'slot-c')
  assert.equal(real.size, 1)
  await sleep(80)
  assert.equal(real.size, 0)
  real.clear()
})
