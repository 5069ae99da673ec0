import '@resilien/polyfill'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RetiredSite, SiteRecord } from '@resilien/types'
import { Membership } from '../src/cluster/membership.js'

/** The two catalog queries Membership reads, over fixed lists (the catalog's own tests cover how facts become these). */
function catalogOf (sites: SiteRecord[], retired: RetiredSite[] = []): ConstructorParameters<typeof Membership>[1] {
  return {
    sites: async function * () { yield * sites },
    retiredSites: async function * () { yield * retired }
  }
}

function site (id: string): SiteRecord {
  return { site: id, name: `name-${id}`, zone: `zone-${id}`, addrs: [], publicKey: '', time: 0, announcedBy: id }
}

test('a site is alone until another member is known, from the catalog or from its bootstrap peers', async () => {
  const solo = new Membership('a', catalogOf([site('a')]), [])
  await solo.refresh()
  assert.equal(solo.alone(), true)
  assert.equal(solo.size(), 1)

  // A freshly joined site knows its inviter from the config before the catalog has caught up.
  const joined = new Membership('b', catalogOf([]), [{ peerId: 'a', addrs: ['/ip4/127.0.0.1/tcp/1'] }])
  await joined.refresh()
  assert.equal(joined.alone(), false)

  const pair = new Membership('a', catalogOf([site('a'), site('b')]), [])
  await pair.refresh()
  assert.equal(pair.alone(), false)
  assert.equal(pair.size(), 2)
})

test('a site whose only other member was retired or declared lost is alone again', async () => {
  for (const lost of [false, true]) {
    const m = new Membership('a', catalogOf([site('a'), site('b')], [{ site: 'b', lost, time: 1 }]), [])
    await m.refresh()
    assert.equal(m.alone(), true, lost ? 'lost' : 'retired')
    // The same when the other is known only as a bootstrap peer.
    const joined = new Membership('a', catalogOf([site('a')], [{ site: 'b', lost, time: 1 }]), [{ peerId: 'b', addrs: [] }])
    await joined.refresh()
    assert.equal(joined.alone(), true, lost ? 'lost bootstrap peer' : 'retired bootstrap peer')
  }
})

test('a retired site with one active member left counts that one member: alone, as size() counts', async () => {
  const m = new Membership('a', catalogOf([site('a'), site('b')], [{ site: 'a', lost: false, time: 1 }]), [])
  await m.refresh()
  assert.equal(m.size(), 1)
  assert.equal(m.alone(), true)
})
