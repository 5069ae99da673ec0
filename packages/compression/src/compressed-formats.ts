/** A file format whose body is already compressed, recognised by bytes at a fixed offset. */
export interface CompressedFormat {
  readonly name: string
  readonly offset: number
  readonly magic: readonly number[]
}

function ascii (text: string): number[] {
  return Array.from(text, (character) => character.charCodeAt(0))
}

/**
 * Formats whose first chunk starts with these bytes; zstd would gain almost nothing on them.
 * Left out on purpose: PDF (text objects mixed with deflate streams: the entropy sample decides),
 * RIFF other than WebP (WAV and AVI are often raw), tar (holds anything).
 */
export const COMPRESSED_FORMATS: readonly CompressedFormat[] = Object.freeze([
  { name: 'jpeg', offset: 0, magic: [0xff, 0xd8, 0xff] },
  { name: 'png', offset: 0, magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { name: 'gif', offset: 0, magic: ascii('GIF8') },
  { name: 'webp', offset: 8, magic: ascii('WEBP') },
  // zip: also docx, xlsx, pptx, odt, ods, epub, jar, apk
  { name: 'zip', offset: 0, magic: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'gzip', offset: 0, magic: [0x1f, 0x8b, 0x08] },
  { name: 'xz', offset: 0, magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'bzip2', offset: 0, magic: ascii('BZh') },
  { name: 'zstd', offset: 0, magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'lz4', offset: 0, magic: [0x04, 0x22, 0x4d, 0x18] },
  { name: '7z', offset: 0, magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'rar', offset: 0, magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  // ISO base media: mp4, mov, m4a, 3gp, heic, avif
  { name: 'mp4', offset: 4, magic: ascii('ftyp') },
  { name: 'matroska', offset: 0, magic: [0x1a, 0x45, 0xdf, 0xa3] },
  { name: 'ogg', offset: 0, magic: ascii('OggS') },
  { name: 'flac', offset: 0, magic: ascii('fLaC') },
  { name: 'mp3', offset: 0, magic: ascii('ID3') },
  { name: 'mp3', offset: 0, magic: [0xff, 0xfb] },
  { name: 'mp3', offset: 0, magic: [0xff, 0xf3] },
  { name: 'aac', offset: 0, magic: [0xff, 0xf1] },
  { name: 'woff', offset: 0, magic: ascii('wOFF') },
  { name: 'woff2', offset: 0, magic: ascii('wOF2') }
].map((format) => Object.freeze({ ...format, magic: Object.freeze(format.magic) })))

/** The compressed format the data starts with, if any. */
export function sniffCompressedFormat (data: Uint8Array): string | undefined {
  for (const format of COMPRESSED_FORMATS) {
    const end = format.offset + format.magic.length
    if (data.length < end) continue
    let matches = true
    for (let i = 0; i < format.magic.length && matches; i++) {
      matches = data[format.offset + i] === format.magic[i]
    }
    if (matches) return format.name
  }
  return undefined
}
