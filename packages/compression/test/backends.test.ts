import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { InvalidInputError } from '@resilien/types'
import {
  ALGORITHM_IDS,
  BACKEND_ENV_VARIABLE,
  activeCompression,
  availableBackends,
  compressChunk,
  decompressChunk,
  loadBackend
} from '../src/index.js'
import type { CompressionBackend, CompressionBackendName } from '../src/index.js'
import { fixture, pseudoRandom, pseudoText, random } from './helpers.js'
import { chunkFrame } from './zstd-builder.js'

const MAX_CHUNK = 512 * 1024
const CHUNK = 64 * 1024

/** Node has zstd in node:zlib from 22.15 and 23.8 on. */
const NODE_HAS_ZSTD = typeof (await import('node:zlib') as unknown as Record<string, unknown>).zstdCompressSync === 'function'

async function backends (): Promise<CompressionBackend[]> {
  const loaded: CompressionBackend[] = []
  for (const name of await availableBackends()) loaded.push(await loadBackend(name) as CompressionBackend)
  return loaded
}

/** The name activeCompression takes in a fresh process with RESILIEN_COMPRESSION set to `value`. */
function activeIn (value: string | undefined): { status: number | null, stdout: string, stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env }
  if (value === undefined) delete env[BACKEND_ENV_VARIABLE]
  else env[BACKEND_ENV_VARIABLE] = value
  const index = new URL('../src/index.js', import.meta.url).href
  const script = `const { activeCompression } = await import(${JSON.stringify(index)}); console.log(activeCompression.name)`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' })
  return { status: child.status, stdout: child.stdout.trim(), stderr: child.stderr }
}

test('the wasm backend loads everywhere, the native one exactly where node:zlib has zstd', async () => {
  const expected: CompressionBackendName[] = NODE_HAS_ZSTD ? ['native', 'wasm'] : ['wasm']
  assert.deepEqual(await availableBackends(), expected)
  assert.equal((await loadBackend('native')) !== undefined, NODE_HAS_ZSTD)
  await assert.rejects(loadBackend('lz4' as CompressionBackendName), InvalidInputError)
})

test('the preferred backend is active unless RESILIEN_COMPRESSION names one', async () => {
  const preferred = (await availableBackends())[0]
  if (process.env[BACKEND_ENV_VARIABLE] === undefined || process.env[BACKEND_ENV_VARIABLE] === '') {
    assert.equal(activeCompression.name, preferred)
    assert.equal(activeCompression.forced, false)
  }
  assert.match(activeCompression.description, /node:zlib, libzstd|@foxglove\/wasm-zstd 1\.0\.1/)
  assert.equal(activeIn(undefined).stdout, preferred)
  assert.equal(activeIn('wasm').stdout, 'wasm')
})

test('RESILIEN_COMPRESSION=native loads node:zlib zstd, or fails loudly on a Node without it', () => {
  const native = activeIn('native')
  if (NODE_HAS_ZSTD) {
    assert.equal(native.stdout, 'native')
  } else {
    assert.notEqual(native.status, 0)
    assert.match(native.stderr, /RESILIEN_COMPRESSION=native.*Node >= 22\.15/)
  }
})

test('an unknown RESILIEN_COMPRESSION value fails the import', () => {
  const child = activeIn('brotli')
  assert.notEqual(child.status, 0)
  assert.match(child.stderr, /RESILIEN_COMPRESSION=brotli: expected one of native, wasm/)
})

test('every backend round-trips and refuses to decode past its bound', async () => {
  for (const backend of await backends()) {
    const plain = pseudoText(CHUNK)
    const compressed = backend.compress(plain, 3)
    assert.deepEqual(new Uint8Array(backend.decompress(compressed, CHUNK)), plain, backend.name)
    assert.throws(() => backend.decompress(compressed, CHUNK - 1), Error, backend.name)
  }
})

test("each backend's frames decode with every other backend", async () => {
  const all = await backends()
  const inputs = [pseudoText(CHUNK, 2), pseudoText(MAX_CHUNK, 3), pseudoText(100, 4), random(CHUNK)]
  for (const writer of all) {
    for (const reader of all) {
      for (const plain of inputs) {
        const frame = compressChunk(plain, { backend: writer })
        assert.deepEqual(decompressChunk(frame, MAX_CHUNK, { backend: reader }), plain, `${writer.name} -> ${reader.name}`)
      }
    }
  }
})

test('every backend decodes frames written by the reference zstd tool (libzstd 1.5.4)', async () => {
  const references = [
    { file: 'text-140000-seed7.level3.zst', plain: pseudoText(140000, 7) },
    { file: 'text-50000-seed8.level19-checksum.zst', plain: pseudoText(50000, 8) },
    { file: 'random-20000-seed9.level3.zst', plain: pseudoRandom(20000, 9) }
  ]
  for (const backend of await backends()) {
    for (const { file, plain } of references) {
      const frame = chunkFrame(ALGORITHM_IDS.zstd, fixture(file))
      assert.deepEqual(decompressChunk(frame, MAX_CHUNK, { backend }), plain, `${backend.name}: ${file}`)
    }
    const streamed = chunkFrame(ALGORITHM_IDS.zstd, fixture('text-5000-seed10.no-content-size.zst'))
    assert.throws(() => decompressChunk(streamed, MAX_CHUNK, { backend }), /does not declare its content size/)
  }
})
