import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { createServer, request } from 'node:http'
import { join } from 'node:path'
import { createControlClient, startControlServer, ControlError, NodeNotRunningError } from '../src/index.js'
import type { ProgressEvent } from '../src/index.js'

async function tempDir (t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-control-'))
  t.after(async () => rm(dir, { recursive: true, force: true }))
  return dir
}

test('a command round-trips with items and its result, and the socket is 0600', async (t) => {
  const dir = await tempDir(t)
  const socketPath = join(dir, 'control.sock')
  const server = await startControlServer({
    socketPath,
    handlers: {
      ls: async (args, ctx) => {
        ctx.item({ path: `/${args.snapshot}/a` })
        ctx.item({ path: `/${args.snapshot}/b` })
        return { entries: 2 }
      }
    }
  })
  t.after(async () => server.close())
  assert.equal((await stat(socketPath)).mode & 0o777, 0o600)
  const items: unknown[] = []
  const result = await createControlClient(socketPath).call('ls', { repo: 'r', snapshot: 's1', password: 'p' }, { onItem: (i) => items.push(i) })
  assert.deepEqual(result, { entries: 2 })
  assert.deepEqual(items, [{ path: '/s1/a' }, { path: '/s1/b' }])
})

test('an error on the node arrives with its stable name and message', async (t) => {
  const dir = await tempDir(t)
  const socketPath = join(dir, 'control.sock')
  const server = await startControlServer({
    socketPath,
    handlers: {
      snapshots: async () => {
        const e = new Error('wrong passphrase: it opens no key of this repository')
        e.name = 'WrongPassphraseError'
        throw e
      }
    }
  })
  t.after(async () => server.close())
  await assert.rejects(createControlClient(socketPath).call('snapshots', { repo: 'r', password: 'x' }), (err: unknown) => {
    assert.ok(err instanceof ControlError)
    assert.equal(err.remoteName, 'WrongPassphraseError')
    assert.match(err.message, /wrong passphrase/)
    return true
  })
})

test('progress events reach the client, and an unknown command is refused', async (t) => {
  const dir = await tempDir(t)
  const socketPath = join(dir, 'control.sock')
  const server = await startControlServer({
    socketPath,
    handlers: {
      check: async (_args, ctx) => {
        ctx.progress({ phase: 'read', files: 1, bytes: 10 })
        return { ok: true, problems: [], snapshots: 0, packs: 0, shardsRead: 0, bytesRead: 0, unreachable: [] }
      }
    }
  })
  t.after(async () => server.close())
  const events: ProgressEvent[] = []
  const client = createControlClient(socketPath)
  const r = await client.call('check', { readData: false }, { onProgress: (e) => events.push(e) })
  assert.equal(r.ok, true)
  assert.equal(events.length, 1)
  assert.equal(events[0]?.phase, 'read')
  await assert.rejects(client.call('status', {}), (err: unknown) => err instanceof ControlError && err.remoteName === 'UnknownCommand')
})

test('a client without a node gets NodeNotRunningError', async (t) => {
  const dir = await tempDir(t)
  await assert.rejects(createControlClient(join(dir, 'control.sock')).call('status', {}), NodeNotRunningError)
})

test('a second server on a live socket is refused, a stale socket file is replaced', async (t) => {
  const dir = await tempDir(t)
  const socketPath = join(dir, 'control.sock')
  const server = await startControlServer({ socketPath, handlers: {} })
  await assert.rejects(startControlServer({ socketPath, handlers: {} }), /already runs/)
  await server.close()
  const again = await startControlServer({ socketPath, handlers: {} })
  await again.close()
})

test('data frames arrive in order and byte for byte, and the node sends no faster than the client reads', async (t) => {
  const dir = await tempDir(t)
  const socketPath = join(dir, 'control.sock')
  const PIECE = 512 * 1024
  const PIECES = 48
  let sent = 0
  let received = 0
  let furthestAhead = 0
  const piece = (i: number): Buffer => Buffer.alloc(PIECE, i % 251)
  const server = await startControlServer({
    socketPath,
    handlers: {
      dump: async (args, ctx) => {
        for (let i = 0; i < PIECES; i++) {
          await ctx.send(piece(i))
          sent += PIECE
          furthestAhead = Math.max(furthestAhead, sent - received)
        }
        return { snapshot: args.snapshot, path: args.path, bytes: sent }
      }
    }
  })
  t.after(async () => server.close())
  const pieces: Buffer[] = []
  const result = await createControlClient(socketPath).call('dump', { repo: 'r', snapshot: 's', path: '/f', password: 'p' }, {
    // A slow reader (a pipe into psql): 10 ms per piece.
    onData: async (bytes) => {
      await new Promise((resolve) => setTimeout(resolve, 10))
      received += bytes.byteLength
      pieces.push(bytes)
    }
  })
  assert.deepEqual(result, { snapshot: 's', path: '/f', bytes: PIECES * PIECE })
  assert.equal(pieces.length, PIECES)
  pieces.forEach((bytes, i) => assert.ok(bytes.equals(piece(i)), `piece ${i}`))
  // Without waiting for 'drain', all 24 MiB would be sent before the reader took its second piece.
  assert.ok(furthestAhead <= 8 * PIECE, `the node ran ${furthestAhead} bytes ahead of the reader`)
})

test('a client that goes away stops a handler that is waiting to send', async (t) => {
  const dir = await tempDir(t)
  const socketPath = join(dir, 'control.sock')
  let stopped: (error: unknown) => void = () => {}
  const stoppedWith = new Promise<unknown>((resolve) => { stopped = resolve })
  const server = await startControlServer({
    socketPath,
    handlers: {
      dump: async (_args, ctx) => {
        try {
          for (;;) await ctx.send(Buffer.alloc(1024 * 1024))
        } catch (error) {
          stopped(error)
          throw error
        }
      }
    }
  })
  t.after(async () => server.close())
  const controller = new AbortController()
  const call = createControlClient(socketPath).call('dump', { repo: 'r', snapshot: 's', path: '/f', password: 'p' }, {
    signal: controller.signal,
    onData: async () => { await new Promise((resolve) => setTimeout(resolve, 50)) }
  })
  setTimeout(() => controller.abort(), 200)
  await assert.rejects(call)
  assert.match(String(await stoppedWith), /went away/)
})

test('a client that does not ask for binary frames (an older resilien) gets base64 lines', async (t) => {
  const dir = await tempDir(t)
  const socketPath = join(dir, 'control.sock')
  const content = Buffer.from([0, 1, 0x0a, 0xff, 0x7b])
  const server = await startControlServer({
    socketPath,
    handlers: { dump: async (args, ctx) => { await ctx.send(content); return { snapshot: args.snapshot, path: args.path, bytes: content.length } } }
  })
  t.after(async () => server.close())
  const body = JSON.stringify({ repo: 'r', snapshot: 's', path: '/f', password: 'p' })
  const answer = await new Promise<{ type: string, text: string }>((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path: '/v1/dump', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (s: string) => { text += s })
      res.on('end', () => resolve({ type: String(res.headers['content-type']), text }))
    })
    req.on('error', reject)
    req.end(body)
  })
  assert.equal(answer.type, 'application/x-ndjson')
  const lines = answer.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.deepEqual(lines, [{ data: content.toString('base64') }, { result: { snapshot: 's', path: '/f', bytes: 5 } }])
})

test('the client reads an older node\'s base64 data lines', async (t) => {
  const dir = await tempDir(t)
  const socketPath = join(dir, 'control.sock')
  let asked: string | undefined
  const older = createServer((req, res) => {
    asked = req.headers['x-resilien-data-frames'] as string | undefined
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      res.end('{"data":"aGVs"}\n{"data":"bG8="}\n{"result":{"snapshot":"s","path":"/f","bytes":5}}\n')
    })
  })
  await new Promise<void>((resolve) => older.listen(socketPath, resolve))
  t.after(async () => { await new Promise<void>((resolve) => older.close(() => resolve())) })
  const pieces: Buffer[] = []
  const result = await createControlClient(socketPath).call('dump', { repo: 'r', snapshot: 's', path: '/f', password: 'p' }, { onData: (bytes) => { pieces.push(bytes) } })
  assert.equal(asked, 'binary')
  assert.equal(Buffer.concat(pieces).toString(), 'hello')
  assert.deepEqual(result, { snapshot: 's', path: '/f', bytes: 5 })
})

test('a request that arrives while the node shuts down is not run: the stop does not wait for it', { timeout: 20_000 }, async (t) => {
  const dir = await tempDir(t)
  const socketPath = join(dir, 'control.sock')
  let started = 0
  let release: () => void = () => {}
  const cleanedUp = new Promise<void>((resolve) => { release = resolve })
  const server = await startControlServer({
    socketPath,
    handlers: {
      // A backup: it stops when the node does, after cleaning up for a while.
      dump: async (_args, ctx) => {
        started++
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))
        await cleanedUp
        throw ctx.signal.reason
      }
    }
  })
  const client = createControlClient(socketPath)
  const args = { repo: 'r', snapshot: 's', path: '/f', password: 'p' }
  const first = client.call('dump', args).then(() => 'finished', (err: unknown) => err)
  // A request whose body is still coming when the stop begins: its connection is open already.
  const body = JSON.stringify(args)
  let late: (answer: string) => void = () => {}
  const lateAnswer = new Promise<string>((resolve) => { late = resolve })
  const half = request({ socketPath, method: 'POST', path: '/v1/dump', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    let text = ''
    res.setEncoding('utf8')
    res.on('data', (s: string) => { text += s })
    res.on('end', () => late(text))
  })
  half.write(body.slice(0, 5))
  while (started === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  const closing = server.close()
  half.end(body.slice(5))
  const second = await client.call('dump', args).then(() => 'finished', (err: unknown) => err)
  assert.match(await lateAnswer, /"name":"ShuttingDown"/, 'the request that arrived during the stop was answered, not run')
  release()
  await closing
  assert.equal(started, 1, 'neither later request reached its handler')
  assert.ok(second instanceof NodeNotRunningError, `a new connection finds no node: ${String(second)}`)
  assert.match(String(await first), /shutting down/)
})
