import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { activeErasure, ERASURE_BACKEND_ENV, loadErasureBackend } from '../src/index.js'

const entry = new URL('../src/index.js', import.meta.url).href

/** What `activeErasure` becomes in a fresh process with the variable set (undefined: unset). */
function activeIn (value: string | undefined): { status: number | null, stdout: string, stderr: string } {
  const env = { ...process.env }
  delete env[ERASURE_BACKEND_ENV]
  if (value !== undefined) env[ERASURE_BACKEND_ENV] = value
  const script = `const { activeErasure } = await import(${JSON.stringify(entry)}); process.stdout.write(activeErasure.name)`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' })
  return { status: child.status, stdout: child.stdout, stderr: child.stderr }
}

const nativeLoads = loadErasureBackend('native') !== undefined

test('the active backend is native when it loads, else portable', () => {
  if (process.env[ERASURE_BACKEND_ENV] === undefined) assert.equal(activeErasure.name, nativeLoads ? 'native' : 'portable')
  assert.equal(activeIn(undefined).stdout, nativeLoads ? 'native' : 'portable')
})

test('RESILIEN_ERASURE=portable forces the portable backend', () => {
  assert.equal(activeIn('portable').stdout, 'portable')
})

test('RESILIEN_ERASURE=native forces native, and refuses to start where it cannot load', () => {
  const child = activeIn('native')
  if (nativeLoads) assert.equal(child.stdout, 'native')
  else assert.match(child.stderr, /InvalidInputError/)
})

test('an unknown RESILIEN_ERASURE value refuses to start', () => {
  const child = activeIn('gpu')
  assert.notEqual(child.status, 0)
  assert.match(child.stderr, /RESILIEN_ERASURE must be native or portable/)
})

test('loading the portable backend always succeeds', () => {
  assert.equal(loadErasureBackend('portable')?.name, 'portable')
})
