import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CatalogClient, createSiteHost, requestJoin, ShardClient } from '@resilien/wire'
import type { SiteHost } from '@resilien/wire'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { addressOf, CLUSTER_TEST_ENV, newPeerKey, newSite, Site, tempDir, waitAllUp } from '../src/index.js'
import type { TestContext } from '../src/index.js'

async function strangerHost (t: TestContext): Promise<SiteHost> {
  const host = await createSiteHost({ privateKey: newPeerKey(), listen: [], allowPeer: () => true })
  t.after(async () => host.stop())
  return host
}

test('a peer that is not a member cannot connect, and while an invite is pending can open nothing but join', async (t) => {
  const site = await newSite(t, 'site1', { RESILIEN_SYNC_INTERVAL: '1s' })
  const { peerId, addrs } = addressOf(site)
  const stranger = await strangerHost(t)
  await assert.rejects(async () => {
    await stranger.connect(peerId, addrs, { signal: AbortSignal.timeout(10_000) })
    // The gater may let the handshake finish and drop the connection right after.
    await new ShardClient(stranger).has(peerId, ['00'.repeat(32)], { signal: AbortSignal.timeout(10_000) })
  }, 'a stranger is refused')

  const invite = await site.run(['invite'])
  assert.equal(invite.code, 0, invite.stderr)
  const token = JSON.parse(Buffer.from(invite.stdout.trim().split(':')[1] as string, 'base64url').toString()) as { c: string }
  const other = await strangerHost(t)
  await other.connect(peerId, addrs, { signal: AbortSignal.timeout(10_000) })
  await assert.rejects(new ShardClient(other).has(peerId, ['00'.repeat(32)], { signal: AbortSignal.timeout(10_000) }), 'shards refused to a stranger')
  await assert.rejects(new CatalogClient(other).heads(peerId, { signal: AbortSignal.timeout(10_000) }), 'catalog refused to a stranger')
  const request = { cluster: token.c, secret: '11'.repeat(32), name: 'intruder', zone: 'x', addrs: [] }
  await assert.rejects(requestJoin(other, peerId, addrs, { ...request, cluster: '00'.repeat(16) }, { signal: AbortSignal.timeout(10_000) }), /another cluster/)
  await assert.rejects(requestJoin(other, peerId, addrs, request, { signal: AbortSignal.timeout(10_000) }), /unknown or was already used/)
  const status = JSON.parse((await site.run(['status', '--json'])).stdout) as { sites: unknown[] }
  assert.equal(status.sites.length, 1, 'nobody was admitted')
})

test('a used invite is refused with one line, and nothing is left in the joining folder', async (t) => {
  const site = await newSite(t, 'site1', { RESILIEN_SYNC_INTERVAL: '1s' })
  const invite = await site.run(['invite'])
  assert.equal(invite.code, 0, invite.stderr)
  const token = invite.stdout.trim()
  const root = await tempDir(t)
  const second = new Site(join(root, 'site2'), 'site2', CLUSTER_TEST_ENV)
  const joined = await second.run(['join', token, '--name', 'site2', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(joined.code, 0, joined.stderr)
  // No invite is pending now, so the inviter's gater drops the stranger's connection unanswered.
  const third = new Site(join(root, 'site3'), 'site3', CLUSTER_TEST_ENV)
  const again = await third.run(['join', token, '--name', 'site3', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(again.code, 1)
  const lines = again.stderr.trim().split('\n')
  assert.equal(lines.length, 1, again.stderr)
  assert.match(lines[0] as string, /^resilien: the inviter closed the connection without answering: an invite admits one site, so this one may have been used already; ask a member for a new one with `resilien invite`/)
  assert.deepEqual(await readdir(join(root, 'site3')).catch(() => []), [])
  const status = JSON.parse((await site.run(['status', '--json'])).stdout) as { sites: Array<{ name: string }> }
  assert.deepEqual(status.sites.map((s) => s.name).sort(), ['site1', 'site2'])

  // A valid invite whose inviter is down: said so, with where it was dialled.
  const fresh = (await site.run(['invite'])).stdout.trim()
  await site.stop()
  const fourth = new Site(join(root, 'site4'), 'site4', CLUSTER_TEST_ENV)
  const down = await fourth.run(['join', fresh, '--name', 'site4', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(down.code, 1)
  assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr)
  assert.match(down.stderr, /^resilien: cannot reach the inviter at \/ip4\/127\.0\.0\.1\/tcp\/\d+: .*ECONNREFUSED.* \(is its node running, and reachable from this machine\?\)/)
  assert.deepEqual(await readdir(join(root, 'site4')).catch(() => []), [])
})

test('sites reach each other over IPv6 and /dns4 addresses', async (t) => {
  // site1 listens on IPv4 but announces a DNS name; site2 listens on IPv6 only.
  const first = await newSite(t, 'site1', { ...CLUSTER_TEST_ENV })
  const { addrs } = addressOf(first)
  const port = /\/tcp\/(\d+)/.exec(addrs[0] as string)?.[1] as string
  await first.stop()
  const dns = { ...CLUSTER_TEST_ENV, RESILIEN_ANNOUNCE: `/dns4/localhost/tcp/${port}`, RESILIEN_LISTEN: `/ip4/127.0.0.1/tcp/${port}` }
  const site1 = new Site(first.dataDir, 'site1', dns)
  t.after(async () => { await site1.stop('SIGKILL') })
  await site1.start()
  const invite = await site1.run(['invite'])
  assert.match(Buffer.from(invite.stdout.trim().split(':')[1] as string, 'base64url').toString(), /\/dns4\/localhost\/tcp\//)
  const root = await tempDir(t)
  const site2 = new Site(join(root, 'data'), 'site2', CLUSTER_TEST_ENV)
  const joined = await site2.run(['join', invite.stdout.trim(), '--name', 'site2', '--listen', '/ip6/::1/tcp/0'])
  assert.equal(joined.code, 0, joined.stderr)
  t.after(async () => { await site2.stop('SIGKILL') })
  await site2.start()
  assert.match(site2.log, /listening on \/ip6\/::1\/tcp\/\d+/)
  await waitAllUp(site1, 2)
  await waitAllUp(site2, 2)
})
