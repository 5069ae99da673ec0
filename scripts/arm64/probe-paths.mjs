// Runs under emulation inside the arm64 copy: loads each package as the node would, reports which
// implementation is active for each fast path and why a native one did not load, and checks
// that the active one computes correctly (native against the fallback where both load).
// Prints one JSON line after PROBE_MARKER for run.mjs; exits 0 even on a mismatch, which
// expectations.mjs judges.
import { createRequire } from 'node:module'
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getCiphers, randomBytes } from 'node:crypto'
import { PROBE_MARKER } from './layout.mjs'

const TREE = fileURLToPath(new URL('../..', import.meta.url))
/** Input lengths around BLAKE3's 1 KiB chunk and 64-byte block edges, and one chunk-sized. */
const HASH_LENGTHS = [0, 1, 63, 64, 1023, 1024, 1025, 65536 + 7]

function reason (error) {
  return error instanceof Error ? error.message.split('\n')[0] : String(error)
}

/** ELF e_machine values of the architectures a binary here may be built for. */
const ELF_MACHINES = { 3: 'x86', 40: 'arm', 62: 'x86-64', 183: 'arm64' }
/** Offset of e_machine (2 bytes, little-endian on these targets) in an ELF header. */
const E_MACHINE_OFFSET = 18

/** The architecture an ELF binary was built for, read from its header. */
function elfMachine (path) {
  const header = Buffer.alloc(E_MACHINE_OFFSET + 2)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, header, 0, header.length, 0)
  } finally {
    closeSync(fd)
  }
  if (header.toString('latin1', 1, 4) !== 'ELF') return 'not an ELF file'
  const machine = header.readUInt16LE(E_MACHINE_OFFSET)
  return ELF_MACHINES[machine] ?? `ELF machine ${machine}`
}

/**
 * Why `name` does not load as the package `from` would require it, or undefined when it loads.
 * glibc reports a binary of another architecture as "cannot open shared object file", so the
 * binary's own architecture is added when the package resolves to one.
 */
function requireError (from, name) {
  const require = createRequire(join(TREE, from, 'package.json'))
  try {
    require(name)
    return undefined
  } catch (error) {
    let main
    try {
      main = require.resolve(name)
    } catch {
      return reason(error)
    }
    return main.endsWith('.node') ? `${reason(error)} [${main.slice(TREE.length)} is built for ${elfMachine(main)}]` : reason(error)
  }
}

function same (a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0
}

async function blake3 () {
  const hashing = await import('@resilien/hashing')
  const native = await hashing.loadBackend('native')
  const wasm = await hashing.loadBackend('wasm')
  let correct = true
  if (native !== undefined && wasm !== undefined) {
    const key = randomBytes(32)
    for (const length of HASH_LENGTHS) {
      const data = randomBytes(length)
      correct &&= same(native.hash(data, 32), wasm.hash(data, 32)) &&
        same(native.keyedHash(key, data, 32), wasm.keyedHash(key, data, 32)) &&
        same(native.deriveKey('resilien arm64 probe', data, 32), wasm.deriveKey('resilien arm64 probe', data, 32))
    }
  }
  return {
    active: hashing.activeBackend.name,
    detail: hashing.describeBackend(),
    available: await hashing.availableBackends(),
    nativeError: requireError('packages/hashing', '@napi-rs/blake-hash'),
    correct
  }
}

async function leveldb () {
  const require = createRequire(join(TREE, 'packages/store/package.json'))
  const dir = join(require.resolve('classic-level/package.json'), '..')
  let binding
  try {
    binding = createRequire(join(dir, 'package.json'))('node-gyp-build').resolve(dir).slice(dir.length + 1)
  } catch (error) {
    return { active: 'missing', detail: reason(error), correct: false }
  }
  const folder = mkdtempSync(join(tmpdir(), 'resilien-arm64-'))
  try {
    const { ClassicLevel } = await import(require.resolve('classic-level'))
    const db = new ClassicLevel(folder, { valueEncoding: 'view' })
    const value = randomBytes(4096)
    await db.put('probe', value)
    const back = await db.get('probe')
    await db.close()
    return { active: 'native', detail: `classic-level, ${binding}`, correct: same(back, value) }
  } catch (error) {
    return { active: 'missing', detail: `${binding}: ${reason(error)}`, correct: false }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

async function erasure () {
  const { activeErasure, splitIntoDataShards } = await import('@resilien/erasure')
  const k = 4
  const m = 2
  const { shards } = splitIntoDataShards(randomBytes(1024 * 1024 + 3), k)
  const parity = await activeErasure.encode(k, m, shards)
  const stripe = [...shards, ...parity]
  const damaged = stripe.map((s, i) => (i === 0 || i === 2 ? undefined : s))
  const rebuilt = await activeErasure.reconstruct(k, m, damaged)
  return {
    active: activeErasure.name,
    detail: `${k}+${m} encode and rebuild of two lost data shards`,
    nativeError: requireError('packages/erasure', '@ronomon/reed-solomon'),
    correct: rebuilt.every((s, i) => same(s, stripe[i]))
  }
}

async function compression () {
  const { activeCompression, compressChunk, decompressChunk } = await import('@resilien/compression')
  const text = Buffer.from('resilien keeps backups on the sites of a collective. '.repeat(2000))
  const frame = compressChunk(text)
  return {
    active: activeCompression.name,
    detail: activeCompression.description,
    correct: frame.length < text.length && same(decompressChunk(frame, text.length), text)
  }
}

async function chacha () {
  const { deriveRepoKeys, generateMasterKey, openChunk, sealChunk } = await import('@resilien/crypto')
  const { dataKey } = deriveRepoKeys(generateMasterKey())
  const plain = randomBytes(65536)
  const native = getCiphers().includes('chacha20-poly1305')
  return {
    active: native ? 'native' : 'missing',
    detail: `node:crypto, OpenSSL ${process.versions.openssl}`,
    correct: same(openChunk(dataKey, sealChunk(dataKey, plain)), plain)
  }
}

const paths = {}
for (const [name, probe] of Object.entries({ blake3, leveldb, erasure, compression, 'chacha20-poly1305': chacha })) {
  try {
    paths[name] = await probe()
  } catch (error) {
    paths[name] = { active: 'error', detail: reason(error), correct: false }
  }
}
const report = { arch: process.arch, node: process.versions.node, paths }
for (const [name, p] of Object.entries(paths)) {
  const why = p.nativeError === undefined ? '' : ` (native: ${p.nativeError})`
  console.log(`  ${name.padEnd(18)} ${p.active.padEnd(9)} ${p.correct ? 'correct' : 'WRONG  '} ${p.detail}${why}`)
}
console.log(PROBE_MARKER + JSON.stringify(report))
