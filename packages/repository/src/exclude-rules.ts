import { openSync, readSync, closeSync } from 'node:fs'
import { InvalidInputError } from '@resilien/types'
import { compileExclude } from './exclude.js'
import type { ExcludeMatcher } from './exclude.js'
import { joinPath } from './dir-listing.js'

/**
 * A file whose presence keeps the rest of its folder out of a backup (restic's
 * --exclude-if-present NAME[:HEADER]); with a header, only when the file starts with it.
 */
export interface FolderMarker {
  name: string
  header?: string
}

/** The Cache Directory Tagging Specification (bford.info/cachedir): restic's --exclude-caches. */
export const CACHEDIR_TAG: FolderMarker = Object.freeze({ name: 'CACHEDIR.TAG', header: 'Signature: 8a477f597d28d172789f06886806bc55' })

/** Everything a backup leaves out; plain data, so that it travels to a seal worker as it is. */
export interface ExcludeRules {
  /** Path patterns, restic's rules (compileExclude). */
  patterns: string[]
  markers?: FolderMarker[]
  /** Files larger than this many bytes are left out (restic's --exclude-larger-than). */
  largerThan?: number
}

/** ExcludeRules compiled: asked by the walk, the worker's listings and the progress scan alike. */
export interface Exclusion {
  /** True when the path matches a pattern (a folder: with everything in it). */
  readonly path: ExcludeMatcher
  /** True when a file of this size is left out. */
  tooLarge: (size: number) => boolean
  /** True when there are markers to look for (else `entries` returns what it is given). */
  readonly marks: boolean
  /**
   * The entries of folder `dir` that a backup walks: all of them, or only the marker when the
   * folder holds one (the marker itself stays, so a restore shows why the folder is empty, as
   * restic does). A header is read with blocking calls, only for an entry named like a marker.
   */
  entries: <T extends { name: Uint8Array }>(dir: Uint8Array, entries: T[]) => T[]
}

/** Parses `NAME` or `NAME:HEADER`; a name is one path component. */
export function parseFolderMarker (spec: string): FolderMarker {
  const colon = spec.indexOf(':')
  const name = colon === -1 ? spec : spec.slice(0, colon)
  if (name === '' || name === '.' || name === '..' || name.includes('/')) {
    throw new InvalidInputError(`--exclude-if-present needs a file name (optionally NAME:HEADER), not "${spec}"`)
  }
  return colon === -1 ? { name } : { name, header: spec.slice(colon + 1) }
}

/** True when the file at `path` starts with `header`; false when it does not or cannot be read. */
function startsWith (path: Buffer, header: Buffer): boolean {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const head = Buffer.alloc(header.byteLength)
    const n = readSync(fd, head, 0, head.byteLength, 0)
    return n === header.byteLength && head.equals(header)
  } catch {
    return false
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

export function compileExclusion (rules: ExcludeRules): Exclusion {
  const path = compileExclude(rules.patterns)
  const largerThan = rules.largerThan
  const markers = (rules.markers ?? []).map((m) => ({ name: Buffer.from(m.name), header: m.header === undefined ? undefined : Buffer.from(m.header) }))
  return {
    path,
    tooLarge: (size) => largerThan !== undefined && size > largerThan,
    marks: markers.length > 0,
    entries: (dir, entries) => {
      if (markers.length === 0) return entries
      for (const entry of entries) {
        const name = Buffer.from(entry.name.buffer, entry.name.byteOffset, entry.name.byteLength)
        const marker = markers.find((m) => m.name.equals(name))
        if (marker !== undefined && (marker.header === undefined || startsWith(joinPath(dir, name), marker.header))) return [entry]
      }
      return entries
    }
  }
}

/** The last rules compiled and their Exclusion: a backup asks with the same rules for every folder. */
let last: { key: string, exclusion: Exclusion } | undefined

/** compileExclusion, remembered for the last rules. */
export function exclusionOf (rules: ExcludeRules): Exclusion {
  const key = JSON.stringify(rules)
  if (last?.key !== key) last = { key, exclusion: compileExclusion(rules) }
  return last.exclusion
}
