import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BackendChoice, InvalidInputError, ResilienError } from '../src/index.js'

type Name = 'fast' | 'slow'
interface Backend { readonly name: Name }

/** A choice whose 'fast' backend loads only when `fastLoads`; counts the loader's calls per name. */
function choice (fastLoads: boolean): { backends: BackendChoice<Name, Backend>, calls: Map<Name, number> } {
  const calls = new Map<Name, number>()
  const backends = new BackendChoice<Name, Backend>('test', ['fast', 'slow'], async (name) => {
    calls.set(name, (calls.get(name) ?? 0) + 1)
    if (name === 'fast' && !fastLoads) throw new Error('no binding for this CPU')
    return { backend: { name }, description: `${name} (library 1.0)` }
  })
  return { backends, calls }
}

test('each backend is loaded once, and a failure is kept as its reason instead of thrown', async () => {
  const { backends, calls } = choice(false)
  const first = await backends.result('fast')
  const again = await backends.result('fast')
  assert.equal(first.backend, undefined)
  assert.match(String((first.error as Error).message), /no binding for this CPU/)
  assert.equal(again, first)
  assert.equal(await backends.load('fast'), undefined)
  assert.equal(calls.get('fast'), 1)
})

test('a loader that throws before it returns a promise is kept as a failure too', async () => {
  const backends = new BackendChoice<Name, Backend>('test', ['fast', 'slow'], (name) => {
    if (name === 'fast') throw new Error('binding missing')
    return Promise.resolve({ backend: { name }, description: name })
  })
  assert.match(String(((await backends.result('fast')).error as Error).message), /binding missing/)
  assert.deepEqual(await backends.available(), ['slow'])
})

test('available lists the backends that load, in order of preference; describe names their library', async () => {
  assert.deepEqual(await choice(true).backends.available(), ['fast', 'slow'])
  const { backends } = choice(false)
  assert.deepEqual(await backends.available(), ['slow'])
  const slow = await backends.load('slow') as Backend
  assert.equal(backends.describe(slow), 'slow (library 1.0)')
  // A backend this choice did not load is named by its name alone.
  assert.equal(backends.describe({ name: 'fast' }), 'fast')
})

test('an unknown name is bad input', async () => {
  const { backends } = choice(true)
  await assert.rejects(backends.load('quick' as Name), (err: unknown) => err instanceof InvalidInputError && /unknown test backend quick/.test(err.message))
})

test('choose takes the first backend that loads when the variable is unset or empty', async () => {
  assert.deepEqual(await choice(true).backends.choose('CHOICE', {}), { backend: { name: 'fast' }, forced: false })
  assert.deepEqual(await choice(false).backends.choose('CHOICE', { CHOICE: '' }), { backend: { name: 'slow' }, forced: false })
})

test('choose takes the backend the variable names, and fails rather than fall back when it does not load', async () => {
  const { backends } = choice(false)
  assert.deepEqual(await backends.choose('CHOICE', { CHOICE: 'slow' }), { backend: { name: 'slow' }, forced: true })
  await assert.rejects(backends.choose('CHOICE', { CHOICE: 'fast' }),
    (err: unknown) => err instanceof ResilienError && err.message === 'CHOICE=fast, but the fast test backend does not load here: no binding for this CPU')
  await assert.rejects(backends.choose('CHOICE', { CHOICE: 'quick' }),
    (err: unknown) => err instanceof InvalidInputError && err.message === 'CHOICE=quick: expected one of fast, slow')
})

test('choose fails with every reason when no backend loads', async () => {
  const backends = new BackendChoice<Name, Backend>('test', ['fast', 'slow'], async (name) => { throw new Error(`${name} is missing`) })
  await assert.rejects(backends.choose('CHOICE', {}),
    (err: unknown) => err instanceof ResilienError && err.message === 'no test backend loads here (fast: fast is missing; slow: slow is missing)')
})
