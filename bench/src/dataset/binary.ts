import { createCipheriv } from 'node:crypto'
import { Rng } from './prng.js'

/**
 * Incompressible content, deterministic from a seed: the ChaCha20 keystream under a key drawn
 * from the seed. Native, over 1 GB/s, and a compressor sees it as the noise that media is.
 */
export class NoiseStream {
  private readonly cipher
  private zeros = Buffer.alloc(0)

  constructor (seed: number) {
    const rng = new Rng(seed)
    const keyAndIv = Buffer.alloc(48)
    for (let i = 0; i < 48; i += 4) keyAndIv.writeUInt32LE(rng.u32(), i)
    this.cipher = createCipheriv('chacha20', keyAndIv.subarray(0, 32), keyAndIv.subarray(32))
  }

  /** Fills `out` with the next keystream bytes. */
  fill (out: Uint8Array): void {
    if (this.zeros.byteLength < out.byteLength) this.zeros = Buffer.alloc(out.byteLength)
    const ks = this.cipher.update(this.zeros.subarray(0, out.byteLength))
    out.set(ks)
  }
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1')

/** Magic bytes and a small metadata header per media kind, so sniffers recognise the format. */
export function mediaHeader (kind: 'jpeg' | 'preview' | 'video' | 'archive', rng: Rng): Buffer {
  switch (kind) {
    case 'jpeg': {
      const exif = ascii(`Exif\0\0MM\0*Make\0Fairphone\0Model\0FP${rng.range(3, 5)}\0` +
        `DateTime\0${2020 + rng.int(5)}:${pad2(1 + rng.int(12))}:${pad2(1 + rng.int(28))} ` +
        `${pad2(rng.int(24))}:${pad2(rng.int(60))}:${pad2(rng.int(60))}\0`)
      return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, exif.byteLength >> 8, exif.byteLength & 0xff]), exif])
    }
    case 'preview':
      return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), ascii('JFIF\0\x01\x01\0\0\x01\0\x01\0\0')])
    case 'video':
      return Buffer.concat([Buffer.from([0, 0, 0, 0x20]), ascii('ftypisom\0\0\x02\0isomiso2avc1mp41')])
    case 'archive':
      return Buffer.concat([ascii('PK\x03\x04\x14\0\0\0\x08\0'), Buffer.from([rng.int(256), rng.int(256)])])
  }
}

function pad2 (n: number): string {
  return n < 10 ? `0${n}` : String(n)
}
