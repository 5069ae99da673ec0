import { readFile } from 'node:fs/promises'
import { replaceFileDurably, ResilienError } from '@resilien/types'
import type { LogHead } from './log-entry.js'

/**
 * This site's own log head, kept beside the catalog's LevelDB in a small file written (temp
 * file, fsync, rename) after every append. LevelDB's recovery drops a damaged record of its
 * write-ahead log without an error; entries of other sites come back by sync, but a site that
 * silently lost entries of its own log would append new ones at the same seq: a fork its peers
 * refuse. With this file the loss is seen at open, and appends wait until sync brought the
 * entries back from a peer.
 */
export class OwnHead {
  private constructor (private readonly path: string, private recorded: LogHead | undefined) {}

  static async load (path: string): Promise<OwnHead> {
    let recorded: LogHead | undefined
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LogHead>
      if (Number.isSafeInteger(parsed.seq) && typeof parsed.hash === 'string') recorded = { seq: parsed.seq as number, hash: parsed.hash }
    } catch (err) {
      // No file: a catalog made before this guard, or a new one; the first append writes it.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err
    }
    return new OwnHead(path, recorded)
  }

  /** Undefined when the catalog holds this site's log up to the recorded head; else why not. */
  missing (held: LogHead): string | undefined {
    const recorded = this.recorded
    if (recorded === undefined || held.seq > recorded.seq) return undefined
    if (held.seq === recorded.seq && held.hash === recorded.hash) return undefined
    if (held.seq === recorded.seq) return `this site's log entry ${held.seq} differs from the one it wrote`
    return `this site's log ends at entry ${held.seq} but it wrote up to ${recorded.seq} (the catalog on disk lost entries)`
  }

  /** Throws while entries of this site's own log are missing: appending now would fork the log. */
  assertWhole (held: LogHead): void {
    const why = this.missing(held)
    if (why !== undefined) {
      throw new ResilienError(`${why}: nothing is appended until they are pulled back from another site`, { permanent: false })
    }
  }

  async record (head: LogHead): Promise<void> {
    await replaceFileDurably(this.path, JSON.stringify({ seq: head.seq, hash: head.hash }) + '\n')
    this.recorded = { seq: head.seq, hash: head.hash }
  }
}
