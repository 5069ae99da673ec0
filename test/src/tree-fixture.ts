import { execFileSync } from 'node:child_process'
import { chmod, mkdir, open, symlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

/** A name that is not valid UTF-8 (Latin-1 "café"): backup must keep its bytes. */
export const NON_UTF8_NAME = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74])
/** A text marker that must never appear in a storage site's files. */
export const PLAINTEXT_MARKER = 'RESILIEN-PLAINTEXT-MARKER-7f3a9c'

/**
 * Builds a tree with every kind of file the backup must handle: text, random data, an empty
 * file, a sparse file, symlinks (relative, absolute, dangling), an executable, odd
 * permissions, a non-UTF-8 name, a FIFO, nested and empty folders, and set mtimes.
 */
export async function buildFixtureTree (root: string): Promise<void> {
  await mkdir(join(root, 'docs', 'deep', 'deeper'), { recursive: true })
  await mkdir(join(root, 'empty-dir'), { recursive: true })
  await writeFile(join(root, 'docs', 'readme.txt'), `${PLAINTEXT_MARKER}\n` + 'hello world\n'.repeat(1000))
  await writeFile(join(root, 'docs', 'deep', 'deeper', 'random.bin'), randomBytes(3 * 1024 * 1024 + 17))
  await writeFile(join(root, 'docs', 'deep', 'small.bin'), randomBytes(100))
  await writeFile(join(root, 'empty.txt'), '')
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho hi\n')
  await chmod(join(root, 'run.sh'), 0o755)
  await writeFile(join(root, 'secret.txt'), 'private\n')
  await chmod(join(root, 'secret.txt'), 0o600)
  await writeFile(join(root, Buffer.from(NON_UTF8_NAME).toString('latin1')), 'latin1 name placeholder')
  await writeFile(Buffer.concat([Buffer.from(root + '/'), NON_UTF8_NAME]), 'non-utf8 name\n')
  // Sparse: 8 MiB with data only at the start, the middle and the end.
  const sparse = await open(join(root, 'sparse.img'), 'w')
  await sparse.write(Buffer.from('start'), 0, 5, 0)
  await sparse.write(randomBytes(70000), 0, 70000, 4 * 1024 * 1024)
  await sparse.write(Buffer.from('end'), 0, 3, 8 * 1024 * 1024 - 3)
  await sparse.close()
  await symlink('docs/readme.txt', join(root, 'link-relative'))
  await symlink('/etc/hostname', join(root, 'link-absolute'))
  await symlink('does/not/exist', join(root, 'link-dangling'))
  execFileSync('mkfifo', [join(root, 'pipe')])
  const past = new Date('2021-06-01T12:34:56.789Z')
  await utimes(join(root, 'docs', 'readme.txt'), past, past)
  await utimes(join(root, 'docs', 'deep'), past, past)
  await chmod(join(root, 'docs', 'deep'), 0o750)
  // Special bits: a sticky shared folder (like /tmp) and a set-user-id, set-group-id program.
  await mkdir(join(root, 'shared'))
  await chmod(join(root, 'shared'), 0o1777)
  await writeFile(join(root, 'setid.sh'), '#!/bin/sh\n')
  await chmod(join(root, 'setid.sh'), 0o6755)
}
