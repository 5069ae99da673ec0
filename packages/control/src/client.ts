import { request } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { ResilienError } from '@resilien/types'
import { BINARY_DATA_FRAMES, DATA_FRAMES_HEADER, ResponseFrameReader } from './data-frames.js'
import type { ResponseFrame } from './data-frames.js'
import { CONTROL_API_PREFIX, DATA_FRAME_END, DATA_FRAME_START } from './messages.js'
import type { ControlCommand, ControlCommands, ControlFrame, ProgressEvent } from './messages.js'

/** The node answered with an error; `remoteName` is the error's stable name on the node. */
export class ControlError extends ResilienError {
  readonly remoteName: string

  constructor (remoteName: string, message: string) {
    super(message)
    this.name = 'ControlError'
    this.remoteName = remoteName
  }
}

/** No node listens on the socket (not started, or started with another data dir). */
export class NodeNotRunningError extends ResilienError {
  readonly socketPath: string

  constructor (socketPath: string, cause: unknown) {
    super(`no resilien node is running for this data dir (nothing listens on ${socketPath}); start it with \`resilien start --data DIR\``, { cause, permanent: false })
    this.name = 'NodeNotRunningError'
    this.socketPath = socketPath
  }
}

export interface CallOptions {
  signal?: AbortSignal
  onProgress?: (event: ProgressEvent) => void
  onItem?: (item: unknown) => void
  /**
   * The bytes of one `data` frame, in order (a `send` on the node is one frame, or several over
   * 16 MiB); the next frame is read only after a returned promise settles.
   */
  onData?: (bytes: Buffer) => Promise<void> | void
}

/** A thin client of the node's control socket: one HTTP request per command, answered in JSON lines and binary data frames. */
export interface ControlClient {
  call<C extends ControlCommand> (command: C, args: ControlCommands[C]['args'], options?: CallOptions): Promise<ControlCommands[C]['result']>
}

/**
 * The frames of a response, read as they are consumed: the socket is read no further ahead than
 * the frame being handled (readline's iterator would buffer a thousand lines first).
 */
async function * responseFrames (response: IncomingMessage): AsyncGenerator<ResponseFrame> {
  const reader = new ResponseFrameReader()
  for await (const piece of response as AsyncIterable<Buffer>) yield * reader.push(piece)
  const last = reader.end()
  if (last !== undefined) yield last
}

export function createControlClient (socketPath: string): ControlClient {
  return {
    async call (command, args, options = {}) {
      const body = JSON.stringify(args)
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request({
          socketPath,
          method: 'POST',
          path: CONTROL_API_PREFIX + command,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [DATA_FRAMES_HEADER]: BINARY_DATA_FRAMES },
          ...(options.signal === undefined ? {} : { signal: options.signal })
        }, resolve)
        req.on('error', (err: NodeJS.ErrnoException) => {
          reject(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? new NodeNotRunningError(socketPath, err) : err)
        })
        req.end(body)
      })
      let outcome: { result: unknown } | { error: { name: string, message: string } } | undefined
      for await (const frame of responseFrames(response)) {
        if ('data' in frame) {
          await options.onData?.(frame.data)
          continue
        }
        const { line } = frame
        if (line.startsWith(DATA_FRAME_START)) {
          // An older node's data frame: base64 between fixed delimiters, decoded without a JSON parse of the line.
          await options.onData?.(Buffer.from(line.slice(DATA_FRAME_START.length, line.length - DATA_FRAME_END.length), 'base64'))
          continue
        }
        const parsed = JSON.parse(line) as ControlFrame
        if ('event' in parsed) options.onProgress?.(parsed.event)
        else if ('item' in parsed) options.onItem?.(parsed.item)
        else if ('data' in parsed) await options.onData?.(Buffer.from(parsed.data, 'base64'))
        else outcome = parsed
      }
      if (outcome === undefined) throw new ResilienError('the node closed the control connection without an answer (did it stop?)', { permanent: false })
      if ('error' in outcome) throw new ControlError(outcome.error.name, outcome.error.message)
      return outcome.result as ControlCommands[typeof command]['result']
    }
  }
}
