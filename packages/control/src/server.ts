import { createServer } from 'node:http'
import type { Server, ServerResponse } from 'node:http'
import { chmod, unlink } from 'node:fs/promises'
import { connect } from 'node:net'
import { setMaxListeners } from 'node:events'
import { BINARY_DATA_FRAMES, DATA_FRAMES_HEADER, MAX_DATA_FRAME_BYTES, dataFrameHeader } from './data-frames.js'
import { CONTROL_API_PREFIX, CONTROL_COMMANDS, DATA_FRAME_END, DATA_FRAME_START } from './messages.js'
import type { ControlCommand, ControlCommands, ControlFrame, ProgressEvent } from './messages.js'

/** Listeners one request's abort signal may have at once (its concurrent transfers) before Node warns. */
const REQUEST_SIGNAL_LISTENERS = 256

/** What a handler gets besides its arguments. */
export interface HandlerContext {
  /** Aborted when the client goes away (Ctrl-C) or the node shuts down. */
  signal: AbortSignal
  progress (event: Omit<ProgressEvent, 'type'>): void
  item (item: unknown): void
  /**
   * Sends bytes as a `data` frame and resolves once the socket can take more: a handler that
   * awaits each send never holds more than one frame beyond what the client has read. The
   * bytes go out as they are, maybe after the promise resolved: they must not change afterwards.
   */
  send (bytes: Uint8Array): Promise<void>
}

export type ControlHandlers = {
  [C in ControlCommand]?: (args: ControlCommands[C]['args'], context: HandlerContext) => Promise<ControlCommands[C]['result']>
}

export interface ControlServerInit {
  socketPath: string
  handlers: ControlHandlers
  /** Turns an error into the one line the CLI prints; defaults to the error's message. */
  describeError?: (err: unknown) => { name: string, message: string }
}

export interface ControlServer {
  /** Stops accepting; aborts running requests and waits for them to answer. */
  close (): Promise<void>
}

/** Bodies are small JSON argument objects: anything larger is refused. */
const MAX_REQUEST_BYTES = 1024 * 1024
/** Progress frames are throttled: a terminal does not need more. */
const PROGRESS_INTERVAL_MS = 100

function defaultDescribe (err: unknown): { name: string, message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message }
  return { name: 'Error', message: String(err) }
}

/**
 * Writes `data` frames of raw bytes (data-frames.ts): a header, then the caller's bytes
 * themselves. No cork: Node writes what one tick queued together anyway, and Node 21+ changed
 * how a corked response reports and drains (a `'drain'` could come before anyone listened).
 */
function writeBinaryData (res: ServerResponse, bytes: Uint8Array): void {
  for (let from = 0; from < bytes.byteLength; from += MAX_DATA_FRAME_BYTES) {
    const piece = bytes.subarray(from, from + MAX_DATA_FRAME_BYTES)
    res.write(dataFrameHeader(piece.byteLength))
    res.write(piece)
  }
}

/**
 * Writes a `data` frame for a client that did not ask for binary frames (an older `resilien`),
 * without JSON.stringify: base64 needs no escaping, and stringifying and UTF-8 encoding a string
 * of hundreds of KiB scanned every character twice. Latin-1 writes the one-byte string as it is.
 */
function writeBase64Data (res: ServerResponse, bytes: Uint8Array): void {
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  res.write(DATA_FRAME_START + base64 + DATA_FRAME_END + '\n', 'latin1')
}

/** Resolves when the response can take more, rejects when the request is aborted (the client left). */
async function drained (res: ServerResponse, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      res.off('drain', onDrain)
      reject(signal.reason)
    }
    const onDrain = (): void => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }
    res.once('drain', onDrain)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

function isCommand (name: string): name is ControlCommand {
  return (CONTROL_COMMANDS as readonly string[]).includes(name)
}

/** Removes a socket file left by a node that died, but never one a live node listens on. */
async function removeStaleSocket (socketPath: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(socketPath)
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
  if (alive) throw new Error(`another resilien node already runs on this data dir (${socketPath} answers)`)
  await unlink(socketPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
  })
}

export async function startControlServer (init: ControlServerInit): Promise<ControlServer> {
  const describe = init.describeError ?? defaultDescribe
  const shutdown = new AbortController()
  const running = new Set<Promise<void>>()

  /** False when the socket's buffer is full: wait for 'drain' before writing more. */
  const write = (res: ServerResponse, frame: ControlFrame): boolean => res.write(JSON.stringify(frame) + '\n')

  const server: Server = createServer((req, res) => {
    const name = (req.url ?? '').startsWith(CONTROL_API_PREFIX) ? (req.url ?? '').slice(CONTROL_API_PREFIX.length) : ''
    if (req.method !== 'POST' || !isCommand(name) || init.handlers[name] === undefined) {
      res.writeHead(404, { 'content-type': 'application/x-ndjson' })
      res.end(JSON.stringify({ error: { name: 'UnknownCommand', message: `the node does not know the command "${name}"` } }) + '\n')
      return
    }
    const handler = init.handlers[name] as (args: unknown, ctx: HandlerContext) => Promise<unknown>
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.byteLength
      if (size > MAX_REQUEST_BYTES) req.destroy()
      else chunks.push(c)
    })
    const task = new Promise<void>((resolve) => {
      req.on('end', () => {
        if (shutdown.signal.aborted) {
          // Arrived while the node stops: nothing would abort it, and the stop would wait for it.
          res.writeHead(200, { 'content-type': 'application/x-ndjson' })
          write(res, { error: { name: 'ShuttingDown', message: 'the node is shutting down: the command was not started' } })
          res.end()
          resolve()
          return
        }
        const abort = new AbortController()
        // One request (a backup, a restore) has many shard transfers in flight, each listening
        // on this signal until it ends: that is fan-out, not a leak.
        setMaxListeners(REQUEST_SIGNAL_LISTENERS, abort.signal)
        const onShutdown = (): void => abort.abort(new Error('the node is shutting down: the operation was abandoned, nothing was committed'))
        shutdown.signal.addEventListener('abort', onShutdown, { once: true })
        res.on('close', () => { if (!res.writableFinished) abort.abort(new Error('the client went away')) })
        const binary = req.headers[DATA_FRAMES_HEADER] === BINARY_DATA_FRAMES
        const writeData = binary ? writeBinaryData : writeBase64Data
        res.writeHead(200, { 'content-type': binary ? 'application/vnd.resilien.frames' : 'application/x-ndjson' })
        let lastProgress = 0
        const context: HandlerContext = {
          signal: abort.signal,
          progress: (event) => {
            const now = Date.now()
            if (now - lastProgress < PROGRESS_INTERVAL_MS) return
            lastProgress = now
            write(res, { event: { type: 'progress', ...event } })
          },
          item: (item) => write(res, { item }),
          send: async (bytes) => {
            abort.signal.throwIfAborted()
            writeData(res, bytes)
            // Asked of the response after the writes, and the listener added in the same tick:
            // a 'drain' cannot come in between.
            if (res.writableNeedDrain) await drained(res, abort.signal)
          }
        }
        let args: unknown
        try {
          args = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        } catch {
          write(res, { error: { name: 'InvalidInputError', message: 'the request is not JSON' } })
          res.end()
          resolve()
          return
        }
        handler(args, context).then(
          (result) => { write(res, { result: result ?? null }) },
          (err: unknown) => { write(res, { error: describe(err) }) }
        ).finally(() => {
          shutdown.signal.removeEventListener('abort', onShutdown)
          res.end()
          resolve()
        })
      })
      req.on('error', () => resolve())
    })
    running.add(task)
    void task.finally(() => running.delete(task))
  })

  await removeStaleSocket(init.socketPath)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(init.socketPath, () => {
      server.off('error', reject)
      resolve()
    })
  })
  // The data dir is 0700 already; the socket itself is 0600 so that only the node's user talks to it.
  await chmod(init.socketPath, 0o600)

  return {
    async close () {
      shutdown.abort()
      // No new connection from now on; closed once the open ones have ended.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.allSettled([...running])
      await closed
      await unlink(init.socketPath).catch(() => {})
    }
  }
}
