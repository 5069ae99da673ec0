import { test } from 'node:test'
import assert from 'node:assert/strict'
import { access, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { startPostgres } from '../src/postgres.js'
import { HEDGEDOC_SCHEMA, hedgedocContent, loadHedgedoc } from '../src/hedgedoc-db.js'

async function exists (path: string): Promise<boolean> {
  return access(path).then(() => true, () => false)
}

test('a HedgeDoc database dumped with pg_dump loads into a fresh database with the same rows', async (t) => {
  assert.ok(await exists(HEDGEDOC_SCHEMA), `no HedgeDoc schema at ${HEDGEDOC_SCHEMA}`)
  const pg = await startPostgres(t)
  await pg.createDatabase('hedgedoc')
  await loadHedgedoc(pg, 'hedgedoc')
  const original = await hedgedocContent(pg, 'hedgedoc')
  assert.deepEqual(original.counts, { Users: 3, Notes: 12, Revisions: 12, Authors: 12, Sessions: 3, SequelizeMeta: 5 })
  assert.ok(original.notes.some((n) => n.content.includes('\n\\.\n')), 'a note holds a line that is only \\.')
  assert.ok(original.notes.some((n) => n.content.includes('😀')))
  assert.ok(original.notes.some((n) => n.content.length > 20_000), 'a large note')
  assert.deepEqual(original.authorsSequence, { last_value: 12, is_called: true })

  const { stdout: dump } = await pg.client('pg_dump', ['--no-password', '--format=plain', '--dbname=hedgedoc'])
  assert.match(dump, /COPY public\."Notes"/)
  await pg.createDatabase('restored')
  await pg.exec('restored', dump)
  assert.deepEqual(await hedgedocContent(pg, 'restored'), original)

  // The comparison can fail: one changed character shows in the digest and the notes.
  await pg.exec('restored', 'UPDATE "Notes" SET content = content || \'!\' WHERE alias = \'alias-1\';')
  const changed = await hedgedocContent(pg, 'restored')
  assert.notEqual(changed.digests.Notes, original.digests.Notes)
  assert.notDeepEqual(changed.notes, original.notes)
})

test('the server listens on its socket only, refuses a wrong password, and is gone after stop', async (t) => {
  const pg = await startPostgres(t, { passwordAuth: true })
  assert.ok((await stat(join(pg.socketDir, `.s.PGSQL.${pg.port}`))).isSocket())
  const [settings] = await pg.query<{ listen: string, fsync: string }>('postgres', "SELECT current_setting('listen_addresses') AS listen, current_setting('fsync') AS fsync")
  assert.deepEqual(settings, { listen: '', fsync: 'off' })
  await pg.createRole('app', { password: "s3cret:'x" })
  const asApp = ['--no-password', '-X', '-A', '-t', '-U', 'app', '-d', 'postgres', '-c', 'SELECT current_user']
  await assert.rejects(pg.client('psql', asApp), /password/)
  const { stdout } = await pg.client('psql', asApp, { env: { PGPASSWORD: "s3cret:'x" } })
  assert.equal(stdout.trim(), 'app')
  await pg.stop()
  await pg.stop()
  assert.equal(await exists(join(pg.socketDir, `.s.PGSQL.${pg.port}`)), false, 'the socket is gone')
  await assert.rejects(pg.query('postgres', 'SELECT 1'))
})
