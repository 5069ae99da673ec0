import cliProgress from 'cli-progress'
import { formatBytes } from '@resilien/control'
import type { ProgressEvent } from '@resilien/control'

/** Where progress goes: a bar on a terminal, a plain line now and then otherwise, nothing with --json. */
export interface ProgressSink {
  update (event: ProgressEvent): void
  stop (): void
}

/** Plain progress lines off a terminal: one every this many milliseconds. */
const PLAIN_PROGRESS_INTERVAL_MS = 10_000

function formatRate (bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`
}

export function createProgress (options: { json: boolean, quiet?: boolean }): ProgressSink {
  if (options.json || options.quiet === true) return { update: () => {}, stop: () => {} }
  const started = Date.now()
  if (process.stderr.isTTY !== true) {
    let last = started
    return {
      update: (e) => {
        const now = Date.now()
        if (now - last < PLAIN_PROGRESS_INTERVAL_MS) return
        last = now
        const rate = e.bytes / Math.max(0.001, (now - started) / 1000)
        process.stderr.write(`${e.phase}: ${e.files} files, ${formatBytes(e.bytes)}${e.totalBytes === undefined ? '' : ` of ${formatBytes(e.totalBytes)}`}, ${formatRate(rate)}\n`)
      },
      stop: () => {}
    }
  }
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: '{phase} [{bar}] {percentage}% | {done} of {total_h} | {files} files | {rate} | ETA {eta_formatted}',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    fps: 5
  }, cliProgress.Presets.shades_classic)
  let started_ = false
  return {
    update: (e) => {
      const total = Math.max(e.totalBytes ?? e.bytes, e.bytes, 1)
      const rate = formatRate(e.bytes / Math.max(0.001, (Date.now() - started) / 1000))
      const payload = { phase: e.phase, done: formatBytes(e.bytes), total_h: formatBytes(total), files: e.files, rate }
      if (!started_) {
        bar.start(total, e.bytes, payload)
        started_ = true
      } else {
        bar.setTotal(total)
        bar.update(e.bytes, payload)
      }
    },
    stop: () => {
      if (started_) bar.stop()
    }
  }
}

/** Prints a value as JSON on stdout. */
export function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

/** "1 file", "2 files": a count and its noun (a plain s plural). */
export function counted (n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
