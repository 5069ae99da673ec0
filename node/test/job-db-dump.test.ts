import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { credentialsFileContent, CREDENTIALS_ENV, dumpCommand } from '../src/jobs/db-dump.js'
import { shellJoin, shellQuote } from '../src/jobs/shell-quote.js'

const run = promisify(execFile)

async function has (program: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${program}`]).then(() => true, () => false)
}

test('shellQuote keeps every argument intact through a real shell', async () => {
  const args = ['plain', 'with space', "it's", '"double"', '$HOME', '`id`', '$(id)', 'a\\b', 'new\nline', '*', '-n', '', 'tab\there', 'é ü 😀', "'", ';rm -rf /;']
  const { stdout } = await run('sh', ['-c', `printf '%s\\0' ${shellJoin(args)}`])
  assert.deepEqual(stdout.split('\0').slice(0, -1), args)
  assert.equal(shellQuote('/var/www/nextcloud/occ'), '/var/www/nextcloud/occ', 'safe words stay readable')
  assert.equal(shellQuote("it's"), "'it'\\''s'")
})

test('the dump command of each kind, with the connection and no password on the command line', () => {
  assert.deepEqual(dumpCommand({ kind: 'postgres', name: 'nextcloud' }), { command: 'pg_dump --no-password --format=plain --dbname=nextcloud' })
  assert.deepEqual(dumpCommand({ kind: 'postgres', name: 'nc', host: 'db.example.org', port: 5433, user: 'backup', passwordFile: '/etc/pw' }), {
    command: 'PGPASSFILE="$RESILIEN_DB_CREDENTIALS" pg_dump --no-password --format=plain --host=db.example.org --port=5433 --username=backup --dbname=nc',
    credentials: { passwordFile: '/etc/pw', format: 'pgpass' }
  })
  assert.deepEqual(dumpCommand({ kind: 'mysql', name: 'nc', host: '10.0.0.2', port: 3307, user: 'nc', passwordFile: '/etc/pw' }), {
    command: 'mariadb-dump --defaults-extra-file="$RESILIEN_DB_CREDENTIALS" --single-transaction --quick --hex-blob --no-tablespaces --default-character-set=utf8mb4 --host=10.0.0.2 --port=3307 --user=nc nc',
    credentials: { passwordFile: '/etc/pw', format: 'mysql-options' }
  })
  assert.deepEqual(dumpCommand({ kind: 'mysql', name: 'nc', socket: '/run/mysqld/my sock' }), {
    command: "mariadb-dump --single-transaction --quick --hex-blob --no-tablespaces --default-character-set=utf8mb4 '--socket=/run/mysqld/my sock' nc"
  })
  assert.deepEqual(dumpCommand({ kind: 'sqlite', path: "/srv/it's.db" }), { command: "sqlite3 -readonly '/srv/it'\\''s.db' .dump" })
  assert.equal(CREDENTIALS_ENV, 'RESILIEN_DB_CREDENTIALS')
})

test('credentials files escape what their format needs and refuse what it cannot hold', () => {
  assert.equal(credentialsFileContent('pgpass', 'p:a\\ss word'), '*:*:*:*:p\\:a\\\\ss word\n')
  assert.equal(credentialsFileContent('mysql-options', 'p#a\\ss \'x\''), '[client]\npassword="p#a\\\\ss \'x\'"\n')
  assert.equal(credentialsFileContent('mysql-options', 'say "hi"'), '[client]\npassword=\'say "hi"\'\n')
  assert.throws(() => credentialsFileContent('mysql-options', 'both \' and "'), /both ' and "/)
  assert.throws(() => credentialsFileContent('pgpass', 'two\nlines'), /line break/)
})

test('the SQLite dump command dumps a live WAL database and refuses a missing one', async (t) => {
  if (!await has('sqlite3')) return t.skip('sqlite3 is not installed')
  const dir = await mkdtemp(join(tmpdir(), "resilien-sqlite-it's "))
  t.after(async () => rm(dir, { recursive: true, force: true }))
  const db = join(dir, 'notes.db')
  await run('sqlite3', [db, "PRAGMA journal_mode=WAL; CREATE TABLE n(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO n(body) VALUES ('a''b\nc'), ('\\x');"])
  const { command } = dumpCommand({ kind: 'sqlite', path: db })
  const { stdout } = await run('sh', ['-c', command])
  assert.match(stdout, /^PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE n/)
  assert.match(stdout, /COMMIT;\n$/)
  // The dump restores to the same rows.
  const restored = join(dir, 'restored.db')
  await writeFile(join(dir, 'dump.sql'), stdout)
  await run('sh', ['-c', `sqlite3 ${shellQuote(restored)} < ${shellQuote(join(dir, 'dump.sql'))}`])
  const rows = async (file: string): Promise<string> => (await run('sqlite3', ['-json', file, 'SELECT * FROM n ORDER BY id'])).stdout
  assert.equal(await rows(restored), await rows(db))
  const missing = dumpCommand({ kind: 'sqlite', path: join(dir, 'nope.db') }).command
  await assert.rejects(run('sh', ['-c', missing]), 'a wrong path fails instead of dumping an empty database')
  await assert.rejects(readFile(join(dir, 'nope.db')), /ENOENT/)
})
