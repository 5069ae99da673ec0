import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const moduleUrl = new URL('../src/transient-memory.js', import.meta.url).href

/** Runs `body` in a fresh Node (its own module instance) and returns what it prints. */
function run (flags: string[], body: string): string {
  const script = `
    const calls = []
    const real = globalThis.gc
    if (real !== undefined) globalThis.gc = (o) => { calls.push(o?.type ?? 'full'); real(o) }
    const { noteDroppedBytes, collectDroppedBytes, collectAll } = await import(${JSON.stringify(moduleUrl)})
    ${body}
    console.log(JSON.stringify(calls))`
  return execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) }).trim()
}

test('with --expose-gc, a young-generation collection runs once 16 MiB of large buffers were dropped, not before', () => {
  const MiB = 1024 * 1024
  assert.equal(run(['--expose-gc'], `noteDroppedBytes(10 * ${MiB}); console.log(JSON.stringify(calls)); noteDroppedBytes(7 * ${MiB})`), '[]\n["minor"]')
})

test('without the flag nothing is collected and nothing fails', () => {
  assert.equal(run([], 'noteDroppedBytes(64 * 1024 * 1024); collectDroppedBytes()'), '[]')
})

test('collectDroppedBytes collects the young generation at once and starts the count again', () => {
  const MiB = 1024 * 1024
  // 10 MiB noted, a collection now, then 10 more: under the 16 MiB step since that collection.
  assert.equal(run(['--expose-gc'], `noteDroppedBytes(10 * ${MiB}); collectDroppedBytes(); noteDroppedBytes(10 * ${MiB})`), '["minor"]')
})

test('collectAll runs a full collection, which returns the memory of dropped buffers that had been promoted', () => {
  // Promoted by two young collections, then dropped: only a full collection frees them.
  const body = `
    let held = []
    for (let i = 0; i < 8; i++) held.push(Buffer.allocUnsafeSlow(4 * 1024 * 1024))
    globalThis.gc({ type: 'minor' }); globalThis.gc({ type: 'minor' })
    held = null
    const MiB = () => process.memoryUsage().arrayBuffers / 1024 / 1024
    const before = MiB()
    collectAll()
    // V8 frees the buffers' memory on a background thread, soon after the collection.
    for (let i = 0; i < 100 && MiB() >= 8; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    console.log(before >= 32, MiB() < 8)`
  assert.equal(run(['--expose-gc'], body), 'true true\n["minor","minor","full"]')
  assert.equal(run([], 'collectAll()'), '[]', 'without the flag it does nothing')
})

test('in a worker thread the step is 4 MiB: its heap is small and its young collections cheap', () => {
  const MiB = 1024 * 1024
  const inWorker = `
    const { Worker } = await import('node:worker_threads')
    const code = ${JSON.stringify(`
      const { parentPort } = await import('node:worker_threads')
      const calls = []
      const real = globalThis.gc
      globalThis.gc = (o) => { calls.push(o.type); real(o) }
      const { noteDroppedBytes } = await import(${JSON.stringify(moduleUrl)})
      noteDroppedBytes(3 * ${MiB}); const before = calls.length
      noteDroppedBytes(2 * ${MiB})
      parentPort.postMessage([before, calls.length, calls[0]])`)}
    const reply = await new Promise((resolve, reject) => {
      // The worker's eval runs as a module, like this script (--input-type=module is inherited).
      const w = new Worker(code, { eval: true })
      w.once('message', (m) => { resolve(m); void w.terminate() })
      w.once('error', reject)
    })
    console.log(JSON.stringify(reply))`
  assert.equal(run(['--expose-gc'], inWorker), '[0,1,"minor"]\n[]')
})

test('releaseBuffers detaches each large buffer once, and leaves small, shared and undetachable ones', async () => {
  const { releaseBuffers } = await import(moduleUrl)
  const large = new Uint8Array(256 * 1024).fill(7)
  const view = large.subarray(10, 20)
  const small = new Uint8Array(1024).fill(7)
  const shared = new Uint8Array(new SharedArrayBuffer(128 * 1024))
  // A WebAssembly memory's buffer cannot be detached: it is left alone, without an error.
  const { WebAssembly } = globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }
  const wasm = new Uint8Array(new WebAssembly.Memory({ initial: 2 }).buffer)
  releaseBuffers([large, view, small, shared, wasm])
  assert.equal(large.byteLength, 0, 'the large buffer is detached')
  assert.equal(view.byteLength, 0, 'and so is every view of it')
  assert.equal(small.byteLength, 1024)
  assert.equal(small[0], 7)
  assert.equal(shared.byteLength, 128 * 1024)
  assert.equal(wasm.byteLength, 128 * 1024)
})
