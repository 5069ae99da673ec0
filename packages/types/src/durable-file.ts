import { open, rename } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { KeyedLock } from './keyed-lock.js'

/**
 * Replacements under way in this process, one at a time per file: two at once would write the
 * same temporary file through two descriptors (the shorter write over the start of the longer),
 * and the first rename would publish that mix.
 */
const replacing = new KeyedLock()

/**
 * Replaces the file at `path` with `contents` so that a crash or power cut leaves either the old
 * file or the new one, never a mix or an empty file: write a temporary file beside it, fsync it,
 * rename it over the old one, fsync the folder (which makes the rename itself durable). The file
 * gets `mode` (0600 by default: site files are nobody else's business); a temporary file left by
 * an earlier crash is overwritten and gets the mode too. Replacements of one file in this
 * process take effect one after another, in the order of the calls.
 */
export async function replaceFileDurably (path: string, contents: string | Uint8Array, mode = 0o600): Promise<void> {
  await replacing.run(resolve(path), async () => await writeAndRename(path, contents, mode))
}

async function writeAndRename (path: string, contents: string | Uint8Array, mode: number): Promise<void> {
  const temp = `${path}.tmp`
  const file = await open(temp, 'w', mode)
  try {
    // open()'s mode applies only to a file it creates.
    await file.chmod(mode)
    await file.writeFile(contents)
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, path)
  const dir = await open(dirname(path), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}
