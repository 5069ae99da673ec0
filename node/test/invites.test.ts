import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InviteBook, INVITES_FILE } from '../src/cluster/invites.js'
import { decodeInviteToken, encodeInviteToken } from '../src/cluster/invite-token.js'

const PEER = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'

test('an invite token round-trips and anything else is refused with one line', () => {
  const token = { cluster: 'ab'.repeat(16), peerId: PEER, addrs: ['/ip4/127.0.0.1/tcp/7420'], secret: 'cd'.repeat(32), expires: 1_700_000_000_000 }
  assert.deepEqual(decodeInviteToken(`  ${encodeInviteToken(token)}\n`), token)
  for (const bad of ['', 'hello', 'resilien-invite-1:', 'resilien-invite-1:!!!', encodeInviteToken({ ...token, secret: 'short' }), encodeInviteToken({ ...token, addrs: [] })]) {
    assert.throws(() => decodeInviteToken(bad), /not a resilien invite token/)
  }
})

test('an invite works once, expires, and only its digest is on disk', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-invites-'))
  t.after(async () => rm(dir, { recursive: true, force: true }))
  let now = 1_000_000
  const book = await InviteBook.open(dir, () => now)
  assert.equal(book.anyPending(), false)
  const { secret } = await book.create(60_000)
  assert.equal(book.anyPending(), true)
  const file = await readFile(join(dir, INVITES_FILE), 'utf8')
  assert.equal(file.includes(secret), false, 'the secret itself is not stored')
  assert.equal((await stat(join(dir, INVITES_FILE))).mode & 0o777, 0o600)
  await assert.rejects(book.redeem('00'.repeat(32)), /unknown or was already used/)
  // A restart keeps the pending invite.
  const reopened = await InviteBook.open(dir, () => now)
  await reopened.redeem(secret)
  await assert.rejects(reopened.redeem(secret), /unknown or was already used/)
  assert.equal(reopened.anyPending(), false)
  const late = await reopened.create(60_000)
  now += 60_001
  assert.equal(reopened.anyPending(), false)
  await assert.rejects(reopened.redeem(late.secret), /expired|unknown/)
})
