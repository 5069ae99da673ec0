import { InvalidInputError } from '@resilien/types'

/** RFC 8878, section 3.1.1: every zstd frame starts with 0xFD2FB528, little-endian. */
const ZSTD_MAGIC = 0xfd2fb528
const MAGIC_LENGTH = 4
const BLOCK_HEADER_LENGTH = 3
const CHECKSUM_LENGTH = 4
/** A block never decodes to more than 128 KiB (RFC 8878, section 3.1.1.2.4). */
const MAX_BLOCK_CONTENT = 128 * 1024
const BLOCK_TYPE_RAW = 0
const BLOCK_TYPE_RLE = 1
const BLOCK_TYPE_COMPRESSED = 2

/** What the frame header and block headers say, checked before any decoding. */
export interface ZstdFrameInfo {
  /** The decoded size the frame declares: the decoder must produce exactly this many bytes. */
  readonly contentSize: number
  /** Bytes the frame spans, headers, blocks and checksum included. */
  readonly frameLength: number
}

function invalid (why: string): InvalidInputError {
  return new InvalidInputError(`malformed zstd payload: ${why}`)
}

function readLittleEndian (data: Uint8Array, offset: number, length: number): number {
  let value = 0
  for (let i = length - 1; i >= 0; i--) value = value * 256 + (data[offset + i] as number)
  return value
}

/**
 * Reads the header of the one zstd frame a chunk payload must be, and walks its block headers
 * (3 bytes each, a handful per chunk) without decoding anything. It refuses, with
 * InvalidInputError: another magic (skippable frames included), a reserved bit, a dictionary, a
 * frame that does not declare its content size (ours always do), a declared size above
 * `maxLength`, raw and RLE blocks that alone exceed the declared size (the cheap kind of
 * decompression bomb), a frame cut short, and bytes after the frame. The backends then decode
 * into exactly `contentSize` bytes, so a lying compressed block cannot make them allocate more.
 */
export function parseZstdFrame (data: Uint8Array, maxLength: number): ZstdFrameInfo {
  if (data.length < MAGIC_LENGTH + 1) throw invalid(`${data.length} bytes is too short for a frame header`)
  if (readLittleEndian(data, 0, MAGIC_LENGTH) !== ZSTD_MAGIC) throw invalid('not a zstd frame (wrong magic number)')
  const descriptor = data[MAGIC_LENGTH] as number
  const contentSizeFlag = descriptor >>> 6
  const singleSegment = (descriptor & 0x20) !== 0
  if ((descriptor & 0x08) !== 0) throw invalid('reserved bit set in the frame header descriptor')
  const hasChecksum = (descriptor & 0x04) !== 0
  const dictionaryIdLength = [0, 1, 2, 4][descriptor & 0x03] as number
  const windowDescriptorLength = singleSegment ? 0 : 1
  const contentSizeLength = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag] as number
  if (contentSizeLength === 0) throw invalid('the frame does not declare its content size')

  let offset = MAGIC_LENGTH + 1
  const headerEnd = offset + windowDescriptorLength + dictionaryIdLength + contentSizeLength
  if (data.length < headerEnd + BLOCK_HEADER_LENGTH) throw invalid('truncated frame header')
  let windowSize = Infinity
  if (!singleSegment) {
    const windowDescriptor = data[offset] as number
    const windowBase = 2 ** (10 + (windowDescriptor >>> 3))
    windowSize = windowBase + (windowBase / 8) * (windowDescriptor & 0x07)
    offset += windowDescriptorLength
  }
  if (dictionaryIdLength > 0 && readLittleEndian(data, offset, dictionaryIdLength) !== 0) {
    throw invalid('the frame needs a dictionary')
  }
  offset += dictionaryIdLength
  let contentSize = readLittleEndian(data, offset, contentSizeLength)
  if (contentSizeLength === 2) contentSize += 256
  offset += contentSizeLength
  if (contentSize > maxLength) {
    throw invalid(`the frame declares ${contentSize} bytes, more than the limit of ${maxLength}`)
  }
  if (singleSegment) windowSize = contentSize

  const maxBlockContent = Math.min(windowSize, MAX_BLOCK_CONTENT)
  let exactContent = 0
  for (;;) {
    if (offset + BLOCK_HEADER_LENGTH > data.length) throw invalid('truncated: a block header is missing')
    const header = readLittleEndian(data, offset, BLOCK_HEADER_LENGTH)
    offset += BLOCK_HEADER_LENGTH
    const lastBlock = (header & 1) === 1
    const blockType = (header >>> 1) & 0x03
    const blockSize = header >>> 3
    if (blockType === BLOCK_TYPE_RAW || blockType === BLOCK_TYPE_RLE) {
      if (blockSize > maxBlockContent) throw invalid(`a block of ${blockSize} bytes exceeds the block maximum`)
      exactContent += blockSize
      if (exactContent > contentSize) throw invalid(`its blocks hold more than the ${contentSize} bytes it declares`)
      offset += blockType === BLOCK_TYPE_RAW ? blockSize : 1
    } else if (blockType === BLOCK_TYPE_COMPRESSED) {
      if (blockSize > MAX_BLOCK_CONTENT) throw invalid(`a compressed block of ${blockSize} bytes exceeds 128 KiB`)
      offset += blockSize
    } else {
      throw invalid('reserved block type')
    }
    if (offset > data.length) throw invalid('truncated: a block is cut short')
    if (lastBlock) break
  }
  if (hasChecksum) offset += CHECKSUM_LENGTH
  if (offset > data.length) throw invalid('truncated: the content checksum is missing')
  if (offset < data.length) throw invalid(`${data.length - offset} bytes follow the frame`)
  return { contentSize, frameLength: offset }
}
