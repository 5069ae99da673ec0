import { readFile } from 'node:fs/promises'
import { UsageError } from './errors.js'

/**
 * The patterns of exclude files, restic's format: one pattern per line, surrounding spaces
 * trimmed, blank lines and lines starting with # left out. (Unlike restic, $VARIABLES are not
 * expanded: a pattern means what it says.) A file that cannot be read stops the command before
 * it starts.
 */
export async function readExcludeFiles (files: readonly string[]): Promise<string[]> {
  const patterns: string[] = []
  for (const file of files) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      throw new UsageError(`cannot read the exclude file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`)
    }
    for (const line of text.split(/\r?\n/)) {
      const pattern = line.trim()
      if (pattern !== '' && !pattern.startsWith('#')) patterns.push(pattern)
    }
  }
  return patterns
}
