import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createMemoryShardStore } from '@resilien/store'
import { InvalidInputError, ResilienError } from '@resilien/types'
import { RemoteError, requestJoin, serveJoin, serveShards, ShardClient } from '../src/index.js'
import type { JoinRequest, JoinResponse } from '../src/index.js'
import { testHost } from './helpers.js'

const request: JoinRequest = { cluster: 'c1', secret: 's3cret', name: 'beta', zone: 'home', addrs: ['/ip4/127.0.0.1/tcp/4002'] }

test('join: the inviter admits a stranger with the right secret and answers the members', async (t) => {
  const inviter = await testHost(t)
  const members: JoinResponse['members'] = [{ peerId: inviter.peerId, name: 'alpha', addrs: inviter.listenAddresses() }]
  const seen: Array<[string, JoinRequest]> = []
  serveJoin(inviter, async (peer, joining) => {
    seen.push([peer, joining])
    if (joining.secret !== 's3cret') throw new ResilienError('this invite is not valid')
    return { cluster: 'c1', members }
  })
  // The joiner lets in only the inviter; the inviter's shard protocol still refuses the stranger.
  serveShards(inviter, { store: createMemoryShardStore(), isMember: (peer) => peer === inviter.peerId, log: () => {} })
  const joiner = await testHost(t, { listen: [], allowPeer: (peer) => peer === inviter.peerId })
  const response = await requestJoin(joiner, inviter.peerId, inviter.listenAddresses(), request)
  assert.deepEqual(response, { cluster: 'c1', members })
  assert.deepEqual(seen, [[joiner.peerId, request]], 'admit sees the Noise-authenticated peer id')
  await assert.rejects(new ShardClient(joiner).has(inviter.peerId, ['a'.repeat(64)]), (err: unknown) => err instanceof RemoteError && err.code === 'not-member')
})

test('join: a refusal comes back as one line with code refused; an unexpected failure says nothing of itself', async (t) => {
  const inviter = await testHost(t)
  let fail: Error = new ResilienError('this invite\nexpired an hour ago')
  serveJoin(inviter, async () => { throw fail })
  const joiner = await testHost(t, { listen: [] })
  await assert.rejects(requestJoin(joiner, inviter.peerId, inviter.listenAddresses(), request), (err: unknown) => {
    assert.ok(err instanceof RemoteError)
    assert.equal(err.code, 'refused')
    assert.equal(err.permanent, true)
    assert.match(err.message, /this invite expired an hour ago/)
    return true
  })
  fail = new Error('secret database path /var/lib/x')
  await assert.rejects(requestJoin(joiner, inviter.peerId, inviter.listenAddresses(), request), (err: unknown) => {
    assert.ok(err instanceof RemoteError)
    assert.equal(err.code, 'internal')
    assert.doesNotMatch(err.message, /database/)
    return true
  })
})

test('join: a request beyond the limits is refused before it is sent', async (t) => {
  const inviter = await testHost(t)
  let admitted = 0
  serveJoin(inviter, async () => { admitted++; return { cluster: 'c1', members: [] } })
  const joiner = await testHost(t, { listen: [] })
  await assert.rejects(requestJoin(joiner, inviter.peerId, inviter.listenAddresses(), { ...request, name: 'x'.repeat(300) }), InvalidInputError)
  await assert.rejects(requestJoin(joiner, inviter.peerId, inviter.listenAddresses(), { ...request, addrs: Array.from({ length: 40 }, () => '/ip4/1.2.3.4/tcp/1') }), InvalidInputError)
  assert.equal(admitted, 0)
})
