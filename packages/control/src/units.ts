import { InvalidInputError } from '@resilien/types'

/**
 * KB, MB, GB, TB are powers of 1000 and KiB, MiB, GiB, TiB of 1024. A single letter (K, M, G, T)
 * is a power of 1024, as restic reads it (`--exclude-larger-than 2G`, `--read-data-subset 500M`)
 * and as du, rsync and most tools do.
 */
const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40
}
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }

/** "256MiB", "1.5GB", "4096" -> bytes. */
export function parseSize (text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  const unit = SIZE_UNITS[(m?.[2] ?? '').toLowerCase()]
  if (m === null || unit === undefined) throw new InvalidInputError(`${what}: "${text}" is not a size (e.g. 512MiB, 2GB, 4096)`)
  return Math.round(Number(m[1]) * unit)
}

/** "5s", "1h", "250ms", "2d" -> milliseconds. */
export function parseDuration (text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(text)
  const unit = DURATION_UNITS[(m?.[2] ?? '').toLowerCase()]
  if (m === null || unit === undefined) throw new InvalidInputError(`${what}: "${text}" is not a duration (e.g. 5s, 10m, 1h, 2d)`)
  return Math.round(Number(m[1]) * unit)
}

export function formatBytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i] as string}`
}
