import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidInputError } from '@resilien/types'
import { peerIdFromPrivateKey } from '../src/index.js'
import { newKey, testHost } from './helpers.js'

test('a host has the peer id of its key and reports its resolved listen addresses without /p2p', async (t) => {
  const privateKey = await newKey()
  const host = await testHost(t, { privateKey })
  assert.equal(host.peerId, peerIdFromPrivateKey(privateKey))
  const addrs = host.listenAddresses()
  assert.ok(addrs.length > 0)
  for (const addr of addrs) {
    assert.match(addr, /^\/ip4\/127\.0\.0\.1\/tcp\/[1-9][0-9]*$/)
  }
})

test('connect opens one connection, reports both ends, and hangUp closes it', async (t) => {
  const a = await testHost(t)
  const b = await testHost(t)
  const connected = Promise.withResolvers<string>()
  const disconnected = Promise.withResolvers<string>()
  b.onConnect((peer) => { connected.resolve(peer) })
  b.onDisconnect((peer) => { disconnected.resolve(peer) })
  assert.equal(a.isConnected(b.peerId), false)
  await a.connect(b.peerId, b.listenAddresses())
  await a.connect(b.peerId, b.listenAddresses()) // already connected: nothing to do
  assert.equal(await connected.promise, a.peerId)
  assert.equal(a.isConnected(b.peerId), true)
  assert.deepEqual(a.connectedPeers(), [b.peerId])
  await a.hangUp(b.peerId)
  assert.equal(await disconnected.promise, a.peerId)
  assert.equal(a.isConnected(b.peerId), false)
})

test('the gater refuses a peer that is not allowed, dialling out and in', async (t) => {
  const stranger = await testHost(t)
  const guarded = await testHost(t, { allowPeer: (peer) => peer !== stranger.peerId })
  // Outbound: the guarded host does not dial the stranger at all.
  await assert.rejects(guarded.connect(stranger.peerId, stranger.listenAddresses()))
  // Inbound: the stranger's dial is dropped after the handshake.
  const dropped = Promise.withResolvers<void>()
  stranger.onDisconnect(() => { dropped.resolve() })
  await stranger.connect(guarded.peerId, guarded.listenAddresses()).then(async () => { await dropped.promise }, () => {})
  assert.equal(guarded.isConnected(stranger.peerId), false)
  assert.equal(stranger.isConnected(guarded.peerId), false)
})

test('bad input is refused before any network use', async (t) => {
  const host = await testHost(t, { listen: [] })
  await assert.rejects(host.connect('not-a-peer-id', ['/ip4/127.0.0.1/tcp/1']), InvalidInputError)
  await assert.rejects(host.connect(host.peerId, ['not a multiaddr']), InvalidInputError)
  await assert.rejects(host.connect(host.peerId, []), InvalidInputError)
  assert.equal(host.isConnected('not-a-peer-id'), false)
  assert.throws(() => peerIdFromPrivateKey(new Uint8Array([1, 2, 3])))
})
