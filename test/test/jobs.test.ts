import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { newSite, RESILIEN_BIN, resilienEnv, tempDir, TEST_ENV, waitFor } from '../src/index.js'
import { startPostgres } from '../src/postgres.js'
import { hedgedocContent, loadHedgedoc } from '../src/hedgedoc-db.js'
import type { Site } from '../src/index.js'
import type { JobsResult } from '@resilien/control'

const PASSPHRASE = 'correct horse battery staple'

async function jobsOf (site: Site): Promise<JobsResult> {
  const r = await site.run(['jobs', '--json'])
  return JSON.parse(r.stdout) as JobsResult
}

async function snapshotCount (site: Site): Promise<number> {
  const r = await site.run(['snapshots', 'main', '--json'])
  assert.equal(r.code, 0, r.stderr)
  return (JSON.parse(r.stdout) as unknown[]).length
}

/** Writes jobs.toml and restarts the node, which reads it at start. */
async function withJobs (site: Site, toml: string): Promise<void> {
  await writeFile(join(site.dataDir, 'jobs.toml'), toml)
  await site.stop()
  await site.start()
}

interface Nextcloud {
  root: string
  calls: string
  dump: string
  toml: (dumpScript: string) => string
}

/** A Nextcloud folder, an `occ` stand-in that records its calls, and a dump script that records its run. */
async function nextcloud (work: string): Promise<Nextcloud> {
  const root = join(work, 'nextcloud')
  await mkdir(join(root, 'config'), { recursive: true })
  await mkdir(join(root, 'data', 'alice', 'files'), { recursive: true })
  await mkdir(join(root, 'data', 'alice', 'cache'), { recursive: true })
  await mkdir(join(root, 'custom_apps', 'notes'), { recursive: true })
  await writeFile(join(root, 'config', 'config.php'), "<?php $CONFIG = ['instanceid' => 'oc1'];\n")
  await writeFile(join(root, 'data', 'alice', 'files', 'report.odt'), 'quarterly report\n'.repeat(1000))
  await writeFile(join(root, 'data', 'alice', 'cache', 'thumb.tmp'), 'cache')
  await writeFile(join(root, 'custom_apps', 'notes', 'appinfo.xml'), '<info/>\n')
  const calls = join(work, 'calls.log')
  const occ = join(work, 'occ')
  await writeFile(occ, `#!/bin/sh\necho "occ $*" >> ${calls}\n`)
  await chmod(occ, 0o755)
  const dump = join(work, 'dump.sh')
  const password = join(work, 'passphrase')
  await writeFile(password, PASSPHRASE + '\n', { mode: 0o600 })
  return {
    root,
    calls,
    dump,
    toml: (dumpScript) => `
[defaults]
passwordFile = "${password}"

[[job]]
name = "nextcloud"
repo = "main"
schedule = "0 3 * * *"
timeout = "2m"
retry = { attempts = 0 }

[job.source]
kind = "nextcloud"
root = "${root}"
occ = "${occ}"
exclude = ["cache"]

[job.source.database]
kind = "postgres"
command = "sh ${dumpScript}"
`
  }
}

async function calls (nc: Nextcloud): Promise<string[]> {
  return (await readFile(nc.calls, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '')
}

test('a nextcloud job: maintenance mode on, the dump and the files in one snapshot, maintenance mode off', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const nc = await nextcloud(work)
  await writeFile(nc.dump, `echo dump >> ${nc.calls}\necho 'CREATE TABLE oc_filecache (fileid bigint);'\n`)
  await withJobs(site, nc.toml(nc.dump))
  const run = await site.run(['jobs', 'run', 'nextcloud'])
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout, /job nextcloud: snapshot [0-9a-f]{8} saved/)
  assert.deepEqual(await calls(nc), ['occ maintenance:mode --on', 'dump', 'occ maintenance:mode --off'])
  const target = join(work, 'restore')
  assert.equal((await site.run(['restore', 'main', 'latest', '--target', target])).code, 0)
  assert.equal(await readFile(join(target, 'nextcloud-db.sql'), 'utf8'), 'CREATE TABLE oc_filecache (fileid bigint);\n')
  assert.equal(await readFile(join(target, nc.root, 'data', 'alice', 'files', 'report.odt'), 'utf8'), 'quarterly report\n'.repeat(1000))
  assert.equal(await readFile(join(target, nc.root, 'custom_apps', 'notes', 'appinfo.xml'), 'utf8'), '<info/>\n')
  await assert.rejects(readFile(join(target, nc.root, 'data', 'alice', 'cache', 'thumb.tmp')), 'excluded')
  const [job] = (await jobsOf(site)).jobs
  assert.equal(job?.lastResult, 'ok')
  assert.equal(job?.source, 'nextcloud')
  assert.ok((job?.lastAddedBytes ?? 0) > 0)
  const list = await site.run(['jobs'])
  assert.match(list.stdout, /nextcloud\s+main\s+nextcloud\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+ok in/)
})

test('a nextcloud job whose dump fails commits nothing and still turns maintenance mode off', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const nc = await nextcloud(work)
  await writeFile(nc.dump, `echo dump >> ${nc.calls}\necho 'partial'\necho 'pg_dump: error: connection refused' >&2\nexit 3\n`)
  await withJobs(site, nc.toml(nc.dump))
  const run = await site.run(['jobs', 'run', 'nextcloud'])
  assert.equal(run.code, 1)
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr)
  assert.match(run.stderr, /exit code 3.*connection refused/)
  assert.deepEqual(await calls(nc), ['occ maintenance:mode --on', 'dump', 'occ maintenance:mode --off'])
  assert.equal(await snapshotCount(site), 0)
  const [job] = (await jobsOf(site)).jobs
  assert.equal(job?.lastResult, 'failed')
  assert.equal(job?.consecutiveFailures, 1)
})

test('a node killed during a nextcloud job turns maintenance mode off when it starts again', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const nc = await nextcloud(work)
  await writeFile(nc.dump, `echo dump >> ${nc.calls}\nexec sleep 20\n`)
  await withJobs(site, nc.toml(nc.dump))
  const running = site.run(['jobs', 'run', 'nextcloud'])
  await waitFor('the dump to start', async () => calls(nc), (c) => c.includes('dump'), 30_000)
  await site.stop('SIGKILL')
  assert.notEqual((await running).code, 0)
  assert.deepEqual(await calls(nc), ['occ maintenance:mode --on', 'dump'], 'killed in maintenance mode')
  await site.start()
  await waitFor('maintenance mode off', async () => calls(nc), (c) => c.at(-1) === 'occ maintenance:mode --off', 30_000)
  const [job] = (await jobsOf(site)).jobs
  assert.equal(job?.lastResult, 'failed')
  assert.match(job?.lastMessage ?? '', /interrupted/)
  assert.equal(await snapshotCount(site), 0)
})

test('a paths job runs on its schedule and its retention keeps the last snapshots', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const src = join(work, 'src')
  await mkdir(src)
  await writeFile(join(src, 'a.txt'), 'a')
  const password = join(work, 'passphrase')
  await writeFile(password, PASSPHRASE, { mode: 0o600 })
  await withJobs(site, `
[[job]]
name = "files"
repo = "main"
schedule = "*/2 * * * * *"
passwordFile = "${password}"
retention = { keepLast = 2 }

[job.source]
kind = "paths"
paths = ["${src}"]
`)
  const done = await waitFor('three scheduled runs', async () => jobsOf(site), (j) => {
    const job = j.jobs[0]
    return job?.lastResult === 'ok' && (job.lastMessage?.includes('forgotten') ?? false)
  }, 60_000)
  assert.equal(done.jobs[0]?.consecutiveFailures, 0)
  assert.ok((done.jobs[0]?.nextRunAt ?? 0) > Date.now() - 5_000)
  assert.equal(await snapshotCount(site), 2, 'keepLast = 2 after every run')
  assert.match(site.log, /resilien: job files: ok in [\d.]+ s, snapshot [0-9a-f]{8}/)
})

test('a jobs.toml with a mistake: the node still serves, and jobs says which key is wrong', async (t) => {
  const site = await newSite(t)
  await withJobs(site, `
[[job]]
name = "files"
repo = "main"
schedule = "0 3 * * *"
passwordFile = "/etc/resilien/pass"
[job.source]
kind = "paths"
paths = ["relative/path"]
`)
  const r = await site.run(['jobs'])
  assert.equal(r.code, 1)
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  assert.match(r.stderr, /jobs\.toml: job "files": source\.paths/)
  assert.equal((await site.run(['status'])).code, 0)
  const missing = await site.run(['jobs', 'run', 'nope'])
  assert.equal(missing.code, 1)
})

test('a hedgedoc job dumps a real PostgreSQL (password from a file), and the restored dump loads with the same rows and notes', async (t) => {
  const pg = await startPostgres(t, { passwordAuth: true })
  const dbPassword = "pa:ss\\wo'rd"
  await pg.createRole('hedgedoc', { password: dbPassword })
  await pg.createDatabase('hedgedoc', { owner: 'hedgedoc' })
  await loadHedgedoc(pg, 'hedgedoc')
  await pg.exec('hedgedoc', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO hedgedoc; GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO hedgedoc;')
  const original = await hedgedocContent(pg, 'hedgedoc')
  const site = await newSite(t)
  const work = await tempDir(t)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const root = join(work, 'hedgedoc')
  await mkdir(join(root, 'public', 'uploads'), { recursive: true })
  await writeFile(join(root, 'config.json'), '{"production":{"domain":"pad.example.org"}}\n')
  await writeFile(join(root, 'public', 'uploads', 'upload_1.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]))
  const password = join(work, 'passphrase')
  await writeFile(password, PASSPHRASE, { mode: 0o600 })
  const dbPasswordFile = join(work, 'db.pass')
  await writeFile(dbPasswordFile, dbPassword + '\n', { mode: 0o600 })
  await withJobs(site, `
[[job]]
name = "hedgedoc"
repo = "main"
schedule = "0 4 * * *"
passwordFile = "${password}"
[job.source]
kind = "hedgedoc"
root = "${root}"
[job.source.database]
kind = "postgres"
name = "hedgedoc"
host = "${pg.socketDir}"
port = ${pg.port}
user = "hedgedoc"
passwordFile = "${dbPasswordFile}"
`)
  const run = await site.run(['jobs', 'run', 'hedgedoc'])
  assert.equal(run.code, 0, run.stderr)
  const target = join(work, 'restore')
  assert.equal((await site.run(['restore', 'main', 'latest', '--target', target])).code, 0)
  assert.equal(await readFile(join(target, root, 'config.json'), 'utf8'), '{"production":{"domain":"pad.example.org"}}\n')
  assert.deepEqual([...await readFile(join(target, root, 'public', 'uploads', 'upload_1.png'))], [0x89, 0x50, 0x4e, 0x47, 1, 2, 3])
  await pg.createDatabase('restored')
  await pg.execFile('restored', join(target, 'hedgedoc-db.sql'))
  assert.deepEqual(await hedgedocContent(pg, 'restored'), original)
  // The password never reached a command line or the snapshot.
  assert.equal((await readFile(join(target, 'hedgedoc-db.sql'), 'utf8')).includes(dbPassword), false)

  // The disaster-recovery way: the dump straight out of the snapshot into psql, through a pipe.
  await pg.createDatabase('piped')
  const psql = `"${join(pg.binDir, 'psql')}" -X -q -v ON_ERROR_STOP=1 -d piped`
  const piped = spawnSync('bash', ['-c', `set -o pipefail; "${RESILIEN_BIN}" dump main latest /hedgedoc-db.sql --data "${site.dataDir}" | ${psql}`],
    { env: resilienEnv(TEST_ENV, pg.env), encoding: 'utf8' })
  assert.equal(piped.status, 0, piped.stderr)
  assert.deepEqual(await hedgedocContent(pg, 'piped'), original)
})
