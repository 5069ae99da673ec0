import { hash } from '@resilien/hashing'
import { CorruptShardError, InvalidInputError, fromHex } from '@resilien/types'
import type { AbortOptions, ByteRange, ShardId } from '@resilien/types'
import { boolean, integer, onlyKeys } from './checks.js'
import { MAX_HAS_IDS, MAX_SHARD_BYTES, SHARD_PROTOCOL } from './constants.js'
import { request, sendBodyAndAnswer } from './exchange.js'
import { MalformedError, sendHeader } from './frames.js'
import type { SiteHost } from './host.js'
import { readResponse, RemoteError } from './remote-error.js'
import { closeWrite } from './stream-writer.js'

const HEX64 = /^[0-9a-f]{64}$/
const ID_BYTES = 32

function checkId (id: unknown): asserts id is ShardId {
  if (typeof id !== 'string' || !HEX64.test(id)) throw new InvalidInputError(`not a shard id (64 lowercase hex): ${String(id).slice(0, 80)}`)
}

function checkRange (range: ByteRange): void {
  const { offset, length } = range ?? {}
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > MAX_SHARD_BYTES) {
    throw new InvalidInputError(`a range needs a non-negative integer offset and length within ${MAX_SHARD_BYTES} bytes`)
  }
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
}

/** Client of '/resilien/shard/1' (see serveShards for the frames). */
export class ShardClient {
  readonly #host: SiteHost

  constructor (host: SiteHost) {
    this.#host = host
  }

  /** Sends the shard; resolves when the remote store made it durable. If the remote already has it, the body is not sent (resumable retries). */
  async put (peer: string, id: ShardId, data: Uint8Array, options?: AbortOptions): Promise<void> {
    checkId(id)
    if (!(data instanceof Uint8Array) || data.byteLength < 1 || data.byteLength > MAX_SHARD_BYTES) {
      throw new InvalidInputError(`a shard is a Uint8Array of 1 to ${MAX_SHARD_BYTES} bytes`)
    }
    const signal = options?.signal
    await request(this.#host, peer, SHARD_PROTOCOL, signal, async (stream, reader) => {
      sendHeader(stream, { op: 'put', id, size: data.byteLength })
      const first = await readResponse(reader, signal)
      onlyKeys(first, ['ok', 'have'])
      if (boolean(first.have, 'have')) return
      onlyKeys(await sendBodyAndAnswer(this.#host, stream, reader, data, signal), ['ok'])
    })
  }

  /** undefined when the remote does not have it. A whole-shard get is verified (BLAKE3 == id) here: mismatch throws CorruptShardError. */
  async get (peer: string, id: ShardId, range?: ByteRange, options?: AbortOptions): Promise<Uint8Array | undefined> {
    checkId(id)
    if (range !== undefined) checkRange(range)
    const signal = options?.signal
    try {
      return await request(this.#host, peer, SHARD_PROTOCOL, signal, async (stream, reader) => {
        sendHeader(stream, range === undefined ? { op: 'get', id } : { op: 'get', id, offset: range.offset, length: range.length })
        await closeWrite(stream, signal)
        const header = await readResponse(reader, signal)
        onlyKeys(header, ['ok', 'found', 'size'])
        if (!boolean(header.found, 'found')) return undefined
        const size = range === undefined ? integer(header.size, 'size', 1, MAX_SHARD_BYTES) : integer(header.size, 'size', range.length, range.length)
        const bytes = new Uint8Array(size)
        await reader.readInto(bytes, signal)
        if (range === undefined && !sameBytes(hash(bytes), fromHex(id))) {
          throw new CorruptShardError(id, `shard ${id} from ${peer} is corrupt: its bytes do not hash to its id`)
        }
        return bytes
      })
    } catch (err) {
      // The peer's store found its copy corrupt: for the caller it is the same as bad bytes.
      if (err instanceof RemoteError && err.code === 'corrupt') throw new CorruptShardError(id, `shard ${id} on ${peer} is corrupt (${err.message})`)
      throw err
    }
  }

  async has (peer: string, ids: readonly ShardId[], options?: AbortOptions): Promise<boolean[]> {
    if (!Array.isArray(ids)) throw new InvalidInputError('ids must be an array of shard ids')
    for (const id of ids) checkId(id)
    const answers: boolean[] = []
    for (let start = 0; start < ids.length; start += MAX_HAS_IDS) {
      answers.push(...await this.#hasBatch(peer, ids.slice(start, start + MAX_HAS_IDS), options?.signal))
    }
    return answers
  }

  async #hasBatch (peer: string, ids: readonly ShardId[], signal: AbortSignal | undefined): Promise<boolean[]> {
    const raw = new Uint8Array(ids.length * ID_BYTES)
    ids.forEach((id, i) => { raw.set(fromHex(id), i * ID_BYTES) })
    return await request(this.#host, peer, SHARD_PROTOCOL, signal, async (stream, reader) => {
      sendHeader(stream, { op: 'has', count: ids.length })
      stream.send(raw)
      await closeWrite(stream, signal)
      const header = await readResponse(reader, signal)
      onlyKeys(header, ['ok', 'have'])
      const have = header.have
      if (typeof have !== 'string' || have.length !== ids.length || !/^[01]*$/.test(have)) {
        throw new MalformedError(`"have" is not ${ids.length} characters of 0 and 1`)
      }
      return [...have].map((c) => c === '1')
    })
  }
}
