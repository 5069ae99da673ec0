import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvalidInputError, NotFoundError } from '@resilien/types'
import { CREDENTIALS_ENV, credentialsFileContent } from '../jobs/db-dump.js'
import type { DumpCredentials } from '../jobs/db-dump.js'

/** Permission bits that let someone other than the owner read or write a secret file. */
const NOT_OWNER_ONLY = 0o077

/**
 * The first line of a file only its owner may read (a passphrase, a database password). A file
 * others can read is refused, as ssh refuses a private key: a secret there is no secret.
 */
export async function readSecretFile (path: string, what: string): Promise<string> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new NotFoundError('file', path, `${what} ${path} does not exist`) : new InvalidInputError(`cannot read ${what} ${path}: ${err.message}`)
  })
  if ((st.mode & NOT_OWNER_ONLY) !== 0) throw new InvalidInputError(`${what} ${path} can be read by others than its owner: chmod 600 ${path}`)
  const text = await readFile(path, 'utf8')
  const line = text.split('\n')[0]?.replace(/\r$/, '') ?? ''
  if (line === '') throw new InvalidInputError(`${what} ${path} is empty`)
  return line
}

/**
 * Hands a database password to a dump command through a file of its own (libpq's password file
 * or a MySQL option file) in a private temp folder, never on a command line where `ps` shows it.
 * Returns the environment for the command and a cleanup that removes the file whatever happened.
 */
export async function credentialsEnv (credentials: DumpCredentials): Promise<{ env: Record<string, string>, cleanup: () => Promise<void> }> {
  const password = await readSecretFile(credentials.passwordFile, 'database password file')
  const dir = await mkdtemp(join(tmpdir(), 'resilien-db-'))
  const file = join(dir, credentials.format === 'pgpass' ? 'pgpass' : 'my.cnf')
  await writeFile(file, credentialsFileContent(credentials.format, password), { mode: 0o600 })
  return { env: { [CREDENTIALS_ENV]: file }, cleanup: async () => { await rm(dir, { recursive: true, force: true }) } }
}
