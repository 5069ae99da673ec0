// A step of the arm64 run: it either does its job or fails with one line saying what and why.
import { spawnSync } from 'node:child_process'

export class StepError extends Error {}

/** The last non-empty line of a command's output: usually the line that says what went wrong. */
function lastLine (text) {
  const lines = String(text ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '')
  return lines[lines.length - 1] ?? ''
}

/** Runs a host command to completion and returns its stdout; a failure becomes a StepError. */
export function command (file, args, options = {}) {
  const result = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options })
  if (result.error !== undefined) throw new StepError(`${file} ${args.join(' ')}: ${result.error.message}`)
  if (result.status !== 0) {
    const why = lastLine(result.stderr) || lastLine(result.stdout) || `exit ${result.status ?? result.signal}`
    throw new StepError(`${file} ${args.join(' ')} failed: ${why}`)
  }
  return result.stdout
}

/** True when `file` runs (e.g. `which`-like checks without a shell). */
export function available (file, args = ['--version']) {
  const result = spawnSync(file, args, { stdio: 'ignore' })
  return result.error === undefined && result.status === 0
}
