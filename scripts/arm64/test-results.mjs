// Reads the unit tests' result from node:test's spec output: the closing counts and the names of
// failed tests, and judges them. A test that asserts a speed fails under emulation (5-50x slower)
// with nothing wrong; such tests are named in TIMING_TESTS and reported apart.

/** Tests that only assert how fast something runs on real hardware. */
export const TIMING_TESTS = Object.freeze(['placing on 20 sites takes microseconds'])

const COUNTS = ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo']
const COUNT_LINE = /^\S*\s*(tests|pass|fail|cancelled|skipped|todo) (\d+)$/
/** "✖ name (12.3ms)": a failed test, listed again under "failing tests:" at the end. */
const FAILED_LINE = /^✖ (.*) \([\d.]+m?s\)$/

/** { status, counts, failed, unexpected, ok } of a test run's output and exit status. */
export function testResults (output, status) {
  const counts = {}
  const failed = new Set()
  for (const raw of output.split('\n')) {
    const line = raw.trim()
    const count = COUNT_LINE.exec(line)
    if (count !== null) counts[count[1]] = Number(count[2])
    const failure = FAILED_LINE.exec(line)
    if (failure !== null) failed.add(failure[1])
  }
  const complete = COUNTS.every((name) => counts[name] !== undefined)
  const unexpected = [...failed].filter((name) => !TIMING_TESTS.includes(name))
  const ok = complete && counts.cancelled === 0 && unexpected.length === 0 && (status === 0 || failed.size > 0)
  return { status, counts: complete ? counts : undefined, failed: [...failed], unexpected, ok }
}
