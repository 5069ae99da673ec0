export type { CompressionAlgorithm } from './algorithm.js'
export { ALGORITHM_IDS } from './algorithm.js'
export type { CompressionBackend, CompressionBackendName } from './types.js'
export {
  DEFAULT_LEVEL,
  MIN_LEVEL,
  MAX_LEVEL,
  MIN_SAVING_DIVISOR,
  MIN_COMPRESS_LENGTH,
  ENTROPY_SKIP_BITS_PER_BYTE,
  BACKEND_ENV_VARIABLE
} from './constants.js'
export { COMPRESSED_FORMATS, sniffCompressedFormat } from './compressed-formats.js'
export type { CompressedFormat } from './compressed-formats.js'
export { sampleEntropy } from './entropy.js'
export { looksIncompressible } from './incompressible.js'
export { loadBackend, availableBackends } from './load-backend.js'
export { activeCompression } from './active-backend.js'
export type { ActiveCompression } from './active-backend.js'
export {
  FRAME_HEADER_LENGTH,
  compressChunk,
  decompressChunk,
  chunkFrameAlgorithm,
  savingPays
} from './chunk-frame.js'
export type { CompressChunkOptions, DecompressChunkOptions } from './chunk-frame.js'
