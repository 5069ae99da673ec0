import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { activeBackend, availableBackends, BACKEND_ENV_VARIABLE, describeBackend, hash, loadBackend } from '../src/index.js'

const indexUrl = new URL('../src/index.js', import.meta.url).href
/** Preloaded into a child process: makes the native binding fail to load, as on a machine without a build. */
const hideNative = fileURLToPath(new URL('../../test/fixtures/hide-native.cjs', import.meta.url))

/** Loads the package in a fresh process and reports which backend it chose. */
function loadInChild (env: Record<string, string | undefined>, preload: string[] = []): { status: number | null, stdout: string, stderr: string } {
  const script = `const m = await import(${JSON.stringify(indexUrl)}); console.log(m.activeBackend.name + '|' + m.describeBackend())`
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env }
  if (env[BACKEND_ENV_VARIABLE] === undefined) delete childEnv[BACKEND_ENV_VARIABLE]
  const result = spawnSync(process.execPath, [...preload.flatMap((p) => ['--require', p]), '--input-type=module', '-e', script], { env: childEnv, encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr }
}

/** Where @napi-rs/blake-hash 1.3.4 has a prebuilt binary among our targets (not armv7). */
const nativeExpected = process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch)

test('the backends expected on this platform load, native first', async () => {
  assert.deepEqual(await availableBackends(), nativeExpected ? ['native', 'wasm'] : ['wasm'])
})

test('loadBackend gives each available backend, reporting its name', async () => {
  for (const name of await availableBackends()) assert.equal((await loadBackend(name))?.name, name)
})

test('the module functions compute with the active backend', () => {
  const data = new Uint8Array(4096).fill(3)
  assert.deepEqual(hash(data, 64), activeBackend.hash(data, 64))
  assert.match(describeBackend(), new RegExp(`^${activeBackend.name} \\(`))
})

test('without RESILIEN_BLAKE3 the native backend is chosen where its binary loads', () => {
  const r = loadInChild({ [BACKEND_ENV_VARIABLE]: undefined })
  assert.equal(r.status, 0, r.stderr)
  const expected = nativeExpected
    ? /^native\|native \(@napi-rs\/blake-hash \d+\.\d+\.\d+; streaming and XOF: hash-wasm \d+\.\d+\.\d+\)$/
    : /^wasm\|wasm \(hash-wasm \d+\.\d+\.\d+\)$/
  assert.match(r.stdout, expected)
})

test('RESILIEN_BLAKE3=wasm forces the WASM backend', () => {
  const r = loadInChild({ [BACKEND_ENV_VARIABLE]: 'wasm' })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^wasm\|wasm \(hash-wasm \d+\.\d+\.\d+\)$/)
})

test('without the native binary, loading falls back to WASM', () => {
  const r = loadInChild({ [BACKEND_ENV_VARIABLE]: undefined }, [hideNative])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^wasm\|/)
})

test('RESILIEN_BLAKE3=native where the native binary is missing fails at load with a clear error', () => {
  const r = loadInChild({ [BACKEND_ENV_VARIABLE]: 'native' }, [hideNative])
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /RESILIEN_BLAKE3=native, but the native BLAKE3 backend does not load here/)
})

test('RESILIEN_BLAKE3 with an unknown value fails at load', () => {
  const r = loadInChild({ [BACKEND_ENV_VARIABLE]: 'fast' })
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /InvalidInputError.*RESILIEN_BLAKE3=fast: expected one of native, wasm/)
})
