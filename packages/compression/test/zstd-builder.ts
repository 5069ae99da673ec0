/** Hand-built zstd frames (RFC 8878) for the malformed and hostile cases no encoder writes. */

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd]
const BLOCK_TYPE_RAW = 0
const BLOCK_TYPE_RLE = 1
const BLOCK_TYPE_COMPRESSED = 2

function littleEndian (value: number, length: number): number[] {
  const bytes: number[] = []
  for (let i = 0; i < length; i++) {
    bytes.push(value % 256)
    value = Math.floor(value / 256)
  }
  return bytes
}

function blockHeader (last: boolean, type: number, size: number): number[] {
  return littleEndian(size * 8 + type * 2 + (last ? 1 : 0), 3)
}

export interface FrameHeaderOptions {
  /** Declared content size, written in an 8-byte field; undefined writes none. */
  readonly contentSize?: number
  /** Window of 2^windowLog bytes (no single-segment flag). */
  readonly windowLog?: number
  readonly dictionaryId?: number
  readonly checksum?: boolean
  readonly reservedBit?: boolean
}

/** Magic number and frame header, never single-segment so every field can be chosen. */
export function frameHeader (options: FrameHeaderOptions): number[] {
  const contentSizeFlag = options.contentSize === undefined ? 0 : 3
  const dictionaryFlag = options.dictionaryId === undefined ? 0 : 3
  const descriptor = contentSizeFlag * 64 + (options.reservedBit === true ? 8 : 0) +
    (options.checksum === true ? 4 : 0) + dictionaryFlag
  const bytes = [...MAGIC, descriptor, ((options.windowLog ?? 17) - 10) * 8]
  if (options.dictionaryId !== undefined) bytes.push(...littleEndian(options.dictionaryId, 4))
  if (options.contentSize !== undefined) bytes.push(...littleEndian(options.contentSize, 8))
  return bytes
}

/** A raw block: its bytes stored as they are. */
export function rawBlock (content: Uint8Array, last: boolean): number[] {
  return [...blockHeader(last, BLOCK_TYPE_RAW, content.length), ...content]
}

/** An RLE block: one byte, to be repeated `size` times. */
export function rleBlock (value: number, size: number, last: boolean): number[] {
  return [...blockHeader(last, BLOCK_TYPE_RLE, size), value]
}

/** Only the header of a compressed block of `size` bytes (its content is up to the caller). */
export function compressedBlockHeader (size: number, last: boolean): number[] {
  return blockHeader(last, BLOCK_TYPE_COMPRESSED, size)
}

/** A frame of `blocks` RLE blocks of 128 KiB each: 4 bytes that each decode to 128 KiB. */
export function rleBomb (blocks: number, declaredSize: number): Uint8Array {
  const bytes = frameHeader({ contentSize: declaredSize, windowLog: 17 })
  for (let i = 0; i < blocks; i++) bytes.push(...rleBlock(0x41, 128 * 1024, i === blocks - 1))
  return Uint8Array.from(bytes)
}

/** Prepends the chunk frame's algorithm byte to a payload. */
export function chunkFrame (algorithmId: number, payload: Uint8Array | number[]): Uint8Array {
  return Uint8Array.from([algorithmId, ...payload])
}

/** Overwrites the declared content size of a frame, in the size field it already has. */
export function withDeclaredSize (frame: Uint8Array, declaredSize: number): Uint8Array {
  const copy = frame.slice()
  const descriptor = copy[4] as number
  const fieldLength = [0, 2, 4, 8][descriptor >>> 6] as number
  if (fieldLength === 0) throw new Error(`expected a frame with a content size field of 2 to 8 bytes, descriptor ${descriptor}`)
  const offset = 5 + ((descriptor & 0x20) !== 0 ? 0 : 1) + ([0, 1, 2, 4][descriptor & 0x03] as number)
  // A 2-byte field holds the size minus 256 (RFC 8878, section 3.1.1.1.4).
  copy.set(littleEndian(fieldLength === 2 ? declaredSize - 256 : declaredSize, fieldLength), offset)
  return copy
}
