import { lstat, readdir, readFile, readlink } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { join } from 'node:path'

export interface Difference {
  path: string
  what: string
}

/**
 * How far a restored mtime may be from its source's. Node sets times only as a double of
 * seconds (238 ns apart at today's dates) and libuv truncates them to the microsecond: measured,
 * at most 1.3 µs off over 50,000 random times. Flooring both to the millisecond, as this did,
 * failed when the two fell on either side of one (once in a full test run).
 */
const MTIME_TOLERANCE_NS = 2000n

/**
 * Compares two trees byte for byte and by metadata (type, permission bits, size, mtime within 2 µs,
 * symlink targets). Folder mtimes are compared too. Returns every difference.
 */
export async function compareTrees (expected: string, actual: string, options: { ignoreRootMeta?: boolean } = {}): Promise<Difference[]> {
  const diffs: Difference[] = []
  const walk = async (rel: Buffer): Promise<void> => {
    const a = Buffer.concat([Buffer.from(expected), rel])
    const b = Buffer.concat([Buffer.from(actual), rel])
    const relName = rel.toString('utf8') || '/'
    // Nanosecond mtimes come only with bigint stats.
    const sa = await lstat(a, { bigint: true })
    const sb = await lstat(b, { bigint: true }).catch(() => undefined)
    if (sb === undefined) {
      diffs.push({ path: relName, what: 'missing' })
      return
    }
    const type = (s: typeof sa): string => s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : s.isFIFO() ? 'fifo' : 'other'
    if (type(sa) !== type(sb)) {
      diffs.push({ path: relName, what: `type ${type(sa)} vs ${type(sb)}` })
      return
    }
    const isRoot = rel.byteLength === 0
    if (!(isRoot && options.ignoreRootMeta === true)) {
      const [ma, mb] = [Number(sa.mode) & 0o7777, Number(sb.mode) & 0o7777]
      if (!sa.isSymbolicLink() && ma !== mb) diffs.push({ path: relName, what: `mode ${ma.toString(8)} vs ${mb.toString(8)}` })
      const apart = sa.mtimeNs > sb.mtimeNs ? sa.mtimeNs - sb.mtimeNs : sb.mtimeNs - sa.mtimeNs
      if (apart > MTIME_TOLERANCE_NS) diffs.push({ path: relName, what: `mtime ${sa.mtime.toISOString()} vs ${sb.mtime.toISOString()} (${apart} ns apart)` })
    }
    if (sa.isFile()) {
      if (sa.size !== sb.size) diffs.push({ path: relName, what: `size ${sa.size} vs ${sb.size}` })
      else {
        const ha = createHash('sha256').update(await readFile(a)).digest('hex')
        const hb = createHash('sha256').update(await readFile(b)).digest('hex')
        if (ha !== hb) diffs.push({ path: relName, what: 'content differs' })
      }
    } else if (sa.isSymbolicLink()) {
      const ta = await readlink(a, { encoding: 'buffer' })
      const tb = await readlink(b, { encoding: 'buffer' })
      if (!ta.equals(tb)) diffs.push({ path: relName, what: `link ${ta.toString()} vs ${tb.toString()}` })
    } else if (sa.isDirectory()) {
      const na = (await readdir(a, { encoding: 'buffer' })).sort(Buffer.compare)
      const nb = (await readdir(b, { encoding: 'buffer' })).sort(Buffer.compare)
      for (const n of nb) if (!na.some((x) => x.equals(n))) diffs.push({ path: join(relName, n.toString()), what: 'unexpected' })
      for (const n of na) await walk(Buffer.concat([rel, Buffer.from('/'), n]))
    }
  }
  await walk(Buffer.alloc(0))
  return diffs
}
