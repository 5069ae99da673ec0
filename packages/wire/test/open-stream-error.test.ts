import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ResilienError } from '@resilien/types'
import { openStreamError } from '../src/stream-errors.js'

function named (name: string, message: string): Error {
  const err = new Error(message)
  err.name = name
  return err
}

test('a peer that drops the connection while a stream opens is one closed error, whichever way libp2p says it', () => {
  const closeEvent = { type: 'close', error: named('StreamResetError', 'reset') }
  for (const rejection of [closeEvent, named('UnexpectedEOFError', 'Unexpected EOF - stream closed while reading 0/1 bytes'), named('StreamResetError', 'the stream was reset')]) {
    const err = openStreamError(rejection, '/resilien/join/1', false)
    assert.ok(err instanceof ResilienError, String(err))
    assert.equal(err.permanent, false)
    assert.match(err.message, /^the peer closed the connection before a \/resilien\/join\/1 stream opened/)
  }
})

test('other errors, and any Error after an abort, are left as they are', () => {
  const other = new Error('no route to host')
  assert.equal(openStreamError(other, '/p', false), other)
  const eof = named('UnexpectedEOFError', 'eof')
  assert.equal(openStreamError(eof, '/p', true), eof)
  // An event is never thrown as it is: it would print as [object Event].
  assert.ok(openStreamError({ type: 'close' }, '/p', true) instanceof ResilienError)
})
