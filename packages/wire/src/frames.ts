import type { Stream } from '@libp2p/interface'
import { InvalidInputError } from '@resilien/types'
import { MAX_HEADER_BYTES, MAX_JSON_BODY_BYTES } from './constants.js'
import type { StreamReader } from './stream-reader.js'
import { closedError } from './stream-errors.js'
import { sendBounded } from './stream-writer.js'

/**
 * Every message is a header frame: a 4-byte big-endian length, then that many bytes of UTF-8
 * JSON holding one plain object. Bytes that follow (a shard, a JSON body) are announced by a
 * length field of the header and are sent raw, so the header parser never sees them.
 */
export type Header = Record<string, unknown>

const LENGTH_BYTES = 4
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** A frame or field that breaks the protocol; answered with a 'malformed' error. */
export class MalformedError extends InvalidInputError {
  constructor (message: string) {
    super(`malformed message: ${message}`)
    this.name = 'MalformedError'
  }
}

export function encodeHeader (header: Header): Uint8Array {
  const json = encoder.encode(JSON.stringify(header))
  if (json.byteLength > MAX_HEADER_BYTES) throw new InvalidInputError(`a header of ${json.byteLength} bytes exceeds ${MAX_HEADER_BYTES}`)
  const frame = new Uint8Array(LENGTH_BYTES + json.byteLength)
  new DataView(frame.buffer).setUint32(0, json.byteLength)
  frame.set(json, LENGTH_BYTES)
  return frame
}

export function sendHeader (stream: Stream, header: Header): void {
  stream.send(encodeHeader(header))
}

function parseJson (bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes))
  } catch {
    throw new MalformedError(`${what} is not UTF-8 JSON`)
  }
}

/** The next header, or undefined if the stream ended cleanly before one began. */
export async function readHeader (reader: StreamReader, signal?: AbortSignal): Promise<Header | undefined> {
  if (await reader.atEnd(signal)) return undefined
  const prefix = await reader.readExactly(LENGTH_BYTES, signal)
  const length = new DataView(prefix.buffer, prefix.byteOffset, LENGTH_BYTES).getUint32(0)
  if (length < 2 || length > MAX_HEADER_BYTES) throw new MalformedError(`a header of ${length} bytes (allowed: 2 to ${MAX_HEADER_BYTES})`)
  const value = parseJson(await reader.readExactly(length, signal), 'the header')
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedError('the header is not a JSON object')
  return value as Header
}

/** A header that must be there. */
export async function expectHeader (reader: StreamReader, signal?: AbortSignal): Promise<Header> {
  const header = await readHeader(reader, signal)
  // A clean end before any header is a peer that stopped or went away, not a malformed message.
  if (header === undefined) throw closedError(undefined, 'the peer closed the stream without answering (it may have stopped)')
  return header
}

/** JSON as a body: its byte length goes in the header (`bytes`), the bytes follow it. */
export function encodeJsonBody (value: unknown): Uint8Array {
  const body = encoder.encode(JSON.stringify(value))
  if (body.byteLength > MAX_JSON_BODY_BYTES) throw new InvalidInputError(`a JSON body of ${body.byteLength} bytes exceeds ${MAX_JSON_BODY_BYTES}`)
  return body
}

export async function sendJsonBody (stream: Stream, header: Header, body: Uint8Array, signal?: AbortSignal): Promise<void> {
  sendHeader(stream, { ...header, bytes: body.byteLength })
  await sendBounded(stream, body, signal)
}

/** Reads the body a header announced in `bytes` (already validated against MAX_JSON_BODY_BYTES). */
export async function readJsonBody (reader: StreamReader, bytes: number, signal?: AbortSignal): Promise<unknown> {
  return parseJson(await reader.readExactly(bytes, signal), 'the body')
}
