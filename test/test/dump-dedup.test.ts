import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { BackupResult } from '@resilien/types'
import { newSite } from '../src/index.js'
import { startPostgres } from '../src/postgres.js'

/**
 * The nightly database dump is the part of a Nextcloud site that changes every day, a few rows
 * here and there over the whole file. Text is cut finer (16 KiB chunks on average, @resilien/chunking
 * text tier), so the next night's dump costs the chunks around the changed rows, not most of the dump.
 */
test('the next pg_dump of a database with a few rows changed adds a small share of it, and dumps back byte for byte', async (t) => {
  const pg = await startPostgres(t)
  await pg.createDatabase('nextcloud')
  await pg.exec('nextcloud', `
CREATE TABLE oc_filecache (fileid serial PRIMARY KEY, path text NOT NULL, etag text NOT NULL, size bigint NOT NULL, mtime bigint NOT NULL);
INSERT INTO oc_filecache (path, etag, size, mtime)
  SELECT 'files/Photos/' || md5(i::text) || '.jpg', md5('etag' || i), (i * 7919) % 10000000, 1709251200 + i FROM generate_series(1, 40000) AS i;`)
  const site = await newSite(t)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const dumpCommand = `"${join(pg.binDir, 'pg_dump')}" --no-password --format=plain -h "${pg.socketDir}" -p ${pg.port} -U "${pg.user}" nextcloud`
  const backup = async (): Promise<BackupResult> => {
    const r = await site.run(['backup', 'main', '--stdin-from-command', dumpCommand, '--stdin-filename', 'nextcloud.sql', '--json'])
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout) as BackupResult
  }
  const first = await backup()
  const dumpBytes = first.stats.totalBytes
  assert.ok(dumpBytes > 4_000_000, `a dump of ${dumpBytes} bytes`)

  // Forty rows spread over the table change, as a day's uploads and edits touch oc_filecache.
  await pg.exec('nextcloud', "UPDATE oc_filecache SET etag = md5(etag || 'next day'), mtime = mtime + 86400 WHERE fileid % 1000 = 7;")
  const next = await backup()
  const share = next.stats.newBytes / dumpBytes
  t.diagnostic(`next dump: ${next.stats.newBytes} new bytes of ${dumpBytes} (${(share * 100).toFixed(1)} %)`)
  // Forty changes at 64 KiB chunks resend about 3 MB (some 70 %); at 16 KiB, under 1 MB.
  assert.ok(share < 0.35, `${(share * 100).toFixed(1)} % of the dump was new`)

  const { stdout: now } = await pg.client('pg_dump', ['--no-password', '--format=plain', 'nextcloud'])
  const restored = await site.run(['dump', 'main', 'latest', '/nextcloud.sql'])
  assert.equal(restored.code, 0, restored.stderr)
  // pg_dump 15.14 and later write a random key on its \restrict and \unrestrict lines: every dump has its own.
  const withoutKeys = (dump: string): string => dump.replace(/^\\(un)?restrict \S+$/gm, '\\$1restrict KEY')
  assert.equal(withoutKeys(restored.stdout), withoutKeys(now), 'the snapshot holds the dump as it is now')
})
