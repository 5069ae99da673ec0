import { InvalidInputError } from '@resilien/types'
import { shellQuote } from './shell-quote.js'

/**
 * The exact dump command of each database kind. Every command writes the dump to its standard
 * output, which the runner streams into the snapshot as one file: no copy on the local disk.
 *
 * - PostgreSQL: `pg_dump --format=plain`. Plain SQL is uncompressed, so the chunker finds the
 *   unchanged rows of yesterday's dump again (the custom format is zlib-compressed: one changed
 *   row changes every byte after it); our packs compress anyway; and it restores with `psql`
 *   alone. `--no-password` fails at once instead of waiting for a prompt nobody answers.
 * - MariaDB / MySQL: `mariadb-dump --single-transaction` (one consistent read view of InnoDB, no
 *   table locks), `--quick` (row by row, not whole tables in memory), `--hex-blob` (binary
 *   columns survive any character set), `--no-tablespaces` (MySQL 8 asks for the PROCESS
 *   privilege otherwise, which an application user does not have), utf8mb4 as Nextcloud uses.
 * - SQLite: `sqlite3 -readonly DB .dump`: SQL text inside one read transaction (a consistent
 *   point in time even while the application writes), and `-readonly` guarantees the backup
 *   never changes the live file, nor creates an empty database when the path is wrong.
 *
 * Passwords never go on a command line (other users see it in `ps`): see DumpCredentials.
 */
export type DatabaseKind = 'postgres' | 'mysql' | 'sqlite'
export const DATABASE_KINDS: readonly DatabaseKind[] = ['postgres', 'mysql', 'sqlite']

export interface PostgresConnection {
  kind: 'postgres'
  /** Database name. */
  name: string
  /** Host name, or the directory of the server's unix socket (e.g. /var/run/postgresql); default: libpq's. */
  host?: string
  port?: number
  user?: string
  /** File holding the password alone; see DumpCredentials. */
  passwordFile?: string
}

export interface MysqlConnection {
  kind: 'mysql'
  name: string
  host?: string
  /** Path of the server's unix socket (e.g. /run/mysqld/mysqld.sock). */
  socket?: string
  port?: number
  user?: string
  passwordFile?: string
}

export interface SqliteConnection {
  kind: 'sqlite'
  /** Absolute path of the database file. */
  path: string
}

export type DatabaseConnection = PostgresConnection | MysqlConnection | SqliteConnection

/**
 * How the runner hands a database password to a dump without a command line: it reads
 * `passwordFile` (the password alone; one trailing newline is dropped), writes
 * `credentialsFileContent(format, password)` into a new file of mode 0600 in a private temporary
 * folder, runs the command with CREDENTIALS_ENV set to that file's path, and deletes the file
 * afterwards, whatever happened.
 */
export interface DumpCredentials {
  passwordFile: string
  /** `pgpass`: a libpq password file (PGPASSFILE); `mysql-options`: a MySQL option file (--defaults-extra-file). */
  format: 'pgpass' | 'mysql-options'
}

/** Environment variable through which a dump command finds its credentials file. */
export const CREDENTIALS_ENV = 'RESILIEN_DB_CREDENTIALS'

export interface DumpCommand {
  /** Shell command; its standard output is the dump. */
  command: string
  credentials?: DumpCredentials
}

const credentialsRef = `"$${CREDENTIALS_ENV}"`

/** The dump command of a database connection. */
export function dumpCommand (db: DatabaseConnection): DumpCommand {
  switch (db.kind) {
    case 'postgres': {
      const args = ['pg_dump', '--no-password', '--format=plain']
      if (db.host !== undefined) args.push(`--host=${db.host}`)
      if (db.port !== undefined) args.push(`--port=${db.port}`)
      if (db.user !== undefined) args.push(`--username=${db.user}`)
      args.push(`--dbname=${db.name}`)
      const command = args.map(shellQuote).join(' ')
      if (db.passwordFile === undefined) return { command }
      return { command: `PGPASSFILE=${credentialsRef} ${command}`, credentials: { passwordFile: db.passwordFile, format: 'pgpass' } }
    }
    case 'mysql': {
      // --defaults-extra-file must come first, or the client ignores it.
      const head = db.passwordFile === undefined ? ['mariadb-dump'] : ['mariadb-dump', `--defaults-extra-file=${credentialsRef}`]
      const args = ['--single-transaction', '--quick', '--hex-blob', '--no-tablespaces', '--default-character-set=utf8mb4']
      if (db.host !== undefined) args.push(`--host=${db.host}`)
      if (db.socket !== undefined) args.push(`--socket=${db.socket}`)
      if (db.port !== undefined) args.push(`--port=${db.port}`)
      if (db.user !== undefined) args.push(`--user=${db.user}`)
      args.push(db.name)
      const command = [...head, ...args.map(shellQuote)].join(' ')
      if (db.passwordFile === undefined) return { command }
      return { command, credentials: { passwordFile: db.passwordFile, format: 'mysql-options' } }
    }
    case 'sqlite':
      return { command: `sqlite3 -readonly ${shellQuote(db.path)} .dump` }
  }
}

/**
 * Content of the credentials file for `password`. A password with a line break cannot be written
 * in either format; a MySQL password holding both kinds of quotes cannot either.
 */
export function credentialsFileContent (format: DumpCredentials['format'], password: string): string {
  if (/[\r\n\0]/.test(password)) throw new InvalidInputError('a database password cannot hold a line break or a NUL character')
  if (format === 'pgpass') {
    // hostname:port:database:username:password, any connection; \ and : are escaped with \.
    return `*:*:*:*:${password.replace(/[\\:]/g, '\\$&')}\n`
  }
  // Option files read escape sequences (\\ is one backslash) and end an unquoted value at #.
  const escaped = password.replaceAll('\\', '\\\\')
  if (!password.includes('"')) return `[client]\npassword="${escaped}"\n`
  if (!password.includes("'")) return `[client]\npassword='${escaped}'\n`
  throw new InvalidInputError('a MySQL password holding both \' and " cannot be written to an option file: change it, or use source.database.command')
}
