import { spawn } from 'node:child_process'
import { access, chown, constants, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import type { TestContext } from './site-process.js'

/**
 * A throw-away PostgreSQL server for tests: its own cluster in a temp dir, listening on a unix
 * socket in that dir only (never TCP), trusted local connections, no fsync. `startPostgres(t)`
 * stops it and removes everything in `t.after`, also when the test fails.
 *
 * PostgreSQL refuses to run as root. Under root the server binaries run as the `postgres` user
 * (or `nobody` when there is none), through spawn's uid/gid (libuv also drops root's supplementary
 * groups), and the temp dir is given to that user; the clients (psql, pg_dump) keep running as
 * the test's own user, which root is allowed to do over the socket.
 */
export interface PostgresServer {
  /** Folder of the server's binaries; its psql and pg_dump have the server's version. */
  readonly binDir: string
  /** The unix socket's folder: the `host` of a connection. */
  readonly socketDir: string
  readonly port: number
  /** Superuser of the cluster (trusted over the socket, no password). */
  readonly user: string
  /** libpq variables that point a client at this server: PGHOST, PGPORT, PGUSER. */
  readonly env: Record<string, string>
  /** Runs a client program of the server's version (psql, pg_dump, ...) with `env` set; rejects with its stderr on failure. */
  client: (program: string, args: readonly string[], options?: ClientOptions) => Promise<{ stdout: string, stderr: string }>
  /** Runs SQL in `database` (psql, stopping at the first error); returns psql's output. */
  exec: (database: string, sql: string) => Promise<string>
  /** Runs an SQL file (psql -f, stopping at the first error). */
  execFile: (database: string, file: string) => Promise<void>
  /** The rows of a query as objects (column name -> JSON value), in the query's order. */
  query: <T = Record<string, unknown>>(database: string, select: string) => Promise<T[]>
  createDatabase: (name: string, options?: { owner?: string }) => Promise<void>
  /** A login role. With `passwordAuth` it must give this password (scram-sha-256); otherwise any connection is trusted. */
  createRole: (name: string, options?: { password?: string }) => Promise<void>
  /** Stops the server at once (idempotent); the temp dir goes at the test's end. */
  stop: () => Promise<void>
}

export interface ClientOptions {
  env?: Record<string, string>
  /** Written to the program's standard input. */
  input?: string
}

/** A client or server program that does not answer within this long fails the test instead of hanging it. */
const PROGRAM_TIMEOUT_MS = 60_000
/** Output kept of one client program (dumps of test databases are far smaller). */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024
/** Programs a folder must hold to count as a PostgreSQL installation. */
const REQUIRED_PROGRAMS = ['initdb', 'pg_ctl', 'postgres', 'psql', 'pg_dump']
/** Unix socket paths are limited to 107 bytes; `.s.PGSQL.NNNNN` takes 15 of them. */
const MAX_SOCKET_DIR_LENGTH = 90
/**
 * Server settings for tests: durability off (a crashed test cluster is thrown away anyway) and
 * small memory, so several test files can each run a server on a small machine.
 */
const TEST_SETTINGS = ['fsync=off', 'full_page_writes=off', 'synchronous_commit=off', 'max_connections=20', 'shared_buffers=16MB']

interface RunOptions extends ClientOptions {
  uid?: number
  gid?: number
}

async function runProgram (file: string, args: readonly string[], options: RunOptions = {}): Promise<{ stdout: string, stderr: string }> {
  const child = spawn(file, args, {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: PROGRAM_TIMEOUT_MS,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid })
  })
  const out: Buffer[] = []
  const err: Buffer[] = []
  let size = 0
  child.stdout.on('data', (d: Buffer) => {
    size += d.length
    if (size > MAX_OUTPUT_BYTES) child.kill('SIGKILL')
    else out.push(d)
  })
  child.stderr.on('data', (d: Buffer) => err.push(d))
  // A program that exits without reading all of its input must not crash the test with EPIPE.
  child.stdin.on('error', () => {})
  child.stdin.end(options.input ?? '')
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (c) => resolve(c))
  })
  const stdout = Buffer.concat(out).toString('utf8')
  const stderr = Buffer.concat(err).toString('utf8')
  if (code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${code ?? 'killed'}): ${stderr.trim() || stdout.trim()}`)
  return { stdout, stderr }
}

async function isExecutable (path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false)
}

async function hasAll (dir: string): Promise<boolean> {
  for (const p of REQUIRED_PROGRAMS) if (!await isExecutable(join(dir, p))) return false
  return true
}

/**
 * The folder of a PostgreSQL installation: RESILIEN_TEST_PG_BIN, else where `initdb` on PATH
 * really lives (Debian links it from /usr/lib/postgresql/N/bin), else the newest
 * /usr/lib/postgresql/N/bin or /usr/pgsql-N/bin. undefined: PostgreSQL is not installed.
 */
export async function findPostgres (env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const candidates: string[] = []
  if (env.RESILIEN_TEST_PG_BIN !== undefined && env.RESILIEN_TEST_PG_BIN !== '') candidates.push(env.RESILIEN_TEST_PG_BIN)
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    const initdb = join(dir, 'initdb')
    if (await isExecutable(initdb)) candidates.push(dirname(await realpath(initdb)))
  }
  const versioned = async (parent: string, prefix: string, suffix: string): Promise<string[]> => {
    const names = await readdir(parent).catch(() => [] as string[])
    return names.filter((n) => n.startsWith(prefix) && /^\d+(\.\d+)?$/.test(n.slice(prefix.length)))
      .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)))
      .map((n) => join(parent, n, suffix))
  }
  candidates.push(...await versioned('/usr/lib/postgresql', '', 'bin'), ...await versioned('/usr', 'pgsql-', 'bin'))
  for (const dir of candidates) if (await hasAll(dir)) return dir
  return undefined
}

/** uid and gid of a user from /etc/passwd, or undefined. */
async function lookupUser (name: string): Promise<{ uid: number, gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '')
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':')
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) }
  }
  return undefined
}

/** As root: the user the server runs as. Otherwise the test's own user (undefined). */
async function serverUser (): Promise<{ uid: number, gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const user = await lookupUser('postgres') ?? await lookupUser('nobody')
  if (user === undefined) throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as')
  return user
}

/** A SQL identifier in double quotes. */
export function quoteIdent (name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** A SQL string literal (standard_conforming_strings is on: only ' needs doubling). */
export function quoteLiteral (value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/**
 * Starts a throw-away server (a second or two). Throws when PostgreSQL is not installed (the
 * tests need it: `.ci/run` installs it from apt).
 */
export interface StartPostgresOptions {
  binDir?: string
  /**
   * Roles other than the superuser must give their password (scram-sha-256), as a real server
   * asks: to test that a dump gets its password (PGPASSFILE) without a prompt.
   */
  passwordAuth?: boolean
}

export async function startPostgres (t: TestContext, options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binDir = options.binDir ?? await findPostgres()
  if (binDir === undefined) throw new Error('PostgreSQL is not installed (no initdb, pg_ctl, postgres, psql and pg_dump found; set RESILIEN_TEST_PG_BIN, or apt-get install postgresql)')
  const owner = await serverUser()
  const root = await mkdtemp(join(tmpdir(), 'resilien-pg-'))
  const data = join(root, 'data')
  let running = false
  const asServer: RunOptions = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }
  const stop = async (): Promise<void> => {
    if (!running) return
    running = false
    try {
      await runProgram(join(binDir, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w', '-s'], asServer)
    } catch {
      // pg_ctl could not stop it: kill the postmaster itself, whose pid is the file's first line.
      const pid = Number((await readFile(join(data, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0])
      if (Number.isSafeInteger(pid) && pid > 0) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {}
      }
    }
  }
  // Registered before anything can fail, so a half-started server is cleaned up too.
  t.after(async () => {
    await stop()
    await rm(root, { recursive: true, force: true })
  })
  if (root.length > MAX_SOCKET_DIR_LENGTH) throw new Error(`temp dir ${root} is too long for a unix socket path; set TMPDIR to a shorter folder`)
  if (owner !== undefined) await chown(root, owner.uid, owner.gid)

  const user = 'postgres'
  await runProgram(join(binDir, 'initdb'), ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], asServer)
  if (options.passwordAuth === true) {
    // First match wins: the harness's superuser stays trusted, everyone else needs a password.
    const hba = join(data, 'pg_hba.conf')
    await writeFile(hba, `local all ${user} trust\nlocal all all scram-sha-256\n`, { mode: 0o600 })
    if (owner !== undefined) await chown(hba, owner.uid, owner.gid)
  }
  // The socket lives in the private temp dir, so the port only names the socket file and cannot
  // clash with another server; a random one still keeps `ps` and logs of parallel tests apart.
  const port = 20_000 + Math.floor(Math.random() * 40_000)
  const serverOptions = [`-k '${root}'`, "-c listen_addresses=''", `-p ${port}`, ...TEST_SETTINGS.map((s) => `-c ${s}`)].join(' ')
  try {
    running = true
    await runProgram(join(binDir, 'pg_ctl'), ['start', '-D', data, '-l', join(root, 'server.log'), '-w', '-t', '60', '-s', '-o', serverOptions], asServer)
  } catch (err) {
    const log = await readFile(join(root, 'server.log'), 'utf8').catch(() => '')
    throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log}`)
  }

  const env = { PGHOST: root, PGPORT: String(port), PGUSER: user }
  const client: PostgresServer['client'] = async (program, args, opts = {}) =>
    runProgram(join(binDir, program), args, { ...opts, env: { ...env, ...opts.env } })
  const psql = ['-X', '-q', '-v', 'ON_ERROR_STOP=1']
  const server: PostgresServer = {
    binDir,
    socketDir: root,
    port,
    user,
    env,
    client,
    exec: async (database, sql) => (await client('psql', [...psql, '-d', database, '-f', '-'], { input: sql })).stdout,
    execFile: async (database, file) => { await client('psql', [...psql, '-d', database, '-f', file]) },
    query: async <T>(database: string, select: string): Promise<T[]> => {
      const { stdout } = await client('psql', [...psql, '-A', '-t', '-d', database, '-f', '-'],
        { input: `SELECT coalesce(json_agg(q), '[]'::json) FROM (${select}) q;\n` })
      return JSON.parse(stdout) as T[]
    },
    createDatabase: async (name, opts = {}) => {
      await server.exec('postgres', `CREATE DATABASE ${quoteIdent(name)}${opts.owner === undefined ? '' : ` OWNER ${quoteIdent(opts.owner)}`};\n`)
    },
    createRole: async (name, opts = {}) => {
      await server.exec('postgres', `CREATE ROLE ${quoteIdent(name)} LOGIN${opts.password === undefined ? '' : ` PASSWORD ${quoteLiteral(opts.password)}`};\n`)
    },
    stop
  }
  return server
}
