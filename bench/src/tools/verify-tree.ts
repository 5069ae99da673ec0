import { closeSync, openSync, readSync, readdirSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'

const READ_BUFFER = 1024 * 1024

function fileDigest (path: string, buf: Buffer): string {
  const h = createHash('sha1')
  const fd = openSync(path, 'r')
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.byteLength, null)) > 0;) h.update(buf.subarray(0, n))
  } finally {
    closeSync(fd)
  }
  return h.digest('hex')
}

function listFiles (root: string): string[] {
  const out: string[] = []
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), rel + e.name + '/')
      else out.push(rel + e.name)
    }
  }
  walk(root, '')
  return out.sort()
}

/**
 * Compares two trees by their sets of file paths and the SHA-1 of each file (enough to catch a
 * wrong restore; not an adversarial check). Returns the differences, at most `limit`.
 */
export function compareTrees (expected: string, actual: string, limit = 20): { files: number, differences: string[] } {
  const a = listFiles(expected)
  const b = new Set(listFiles(actual))
  const differences: string[] = []
  const buf = Buffer.allocUnsafe(READ_BUFFER)
  for (const rel of a) {
    if (differences.length >= limit) break
    if (!b.delete(rel)) differences.push(`missing ${rel}`)
    else if (fileDigest(join(expected, rel), buf) !== fileDigest(join(actual, rel), buf)) differences.push(`differs ${rel}`)
  }
  for (const rel of b) {
    if (differences.length >= limit) break
    differences.push(`unexpected ${rel}`)
  }
  return { files: a.length, differences }
}

/**
 * Checks a restore of `source` into `target` (which holds it under its absolute path, as
 * `resilien restore --target` and `restic restore --target` write it): logs the result, adds a
 * warning when it differs, and returns the differences.
 */
export function verifyRestore (source: string, target: string, log: (line: string) => void, warnings: string[]): string[] {
  const check = compareTrees(source, join(target, source))
  if (check.differences.length > 0) warnings.push(`resilien's restore differs from the source: ${check.differences.slice(0, 5).join('; ')}`)
  else log(`  restore verified: ${check.files} files identical`)
  return check.differences
}
