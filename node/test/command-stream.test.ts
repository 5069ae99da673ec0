import { test } from 'node:test'
import assert from 'node:assert/strict'
import '@resilien/polyfill'
import { commandStream } from '../src/command-stream.js'

/** Reads the stream to its end (or its error), then what `done` says. */
async function outcome (source: ReturnType<typeof commandStream>): Promise<{ bytes: number, error: string | undefined }> {
  let bytes = 0
  try {
    for await (const chunk of source.data) bytes += chunk.byteLength
    await source.done
    return { bytes, error: undefined }
  } catch (err) {
    return { bytes, error: (err as Error).message }
  }
}

test("a command's output is the stream, and its failure is its exit code with the last line it wrote", async () => {
  assert.deepEqual(await outcome(commandStream('printf hello', 'x', { signal: new AbortController().signal })), { bytes: 5, error: undefined })
  const failed = await outcome(commandStream('echo partial; echo "no such table" >&2; exit 3', 'x', { signal: new AbortController().signal }))
  assert.equal(failed.error, 'command "echo partial; echo "no such table" >&2; exit 3" failed (exit code 3); nothing was committed: no such table')
})

test('a command stopped because the backup was interrupted reports the interruption, not a failure of the command', async () => {
  const controller = new AbortController()
  const source = commandStream('echo started; sleep 30', 'x', { signal: controller.signal })
  let error: string | undefined
  try {
    // Stopped once it is surely running: its first output has come.
    for await (const chunk of source.data) if (chunk.byteLength > 0) controller.abort(new Error('the node is shutting down: the operation was abandoned, nothing was committed'))
    await source.done
  } catch (err) {
    error = (err as Error).message
  }
  assert.equal(error, 'the node is shutting down: the operation was abandoned, nothing was committed')
})
