import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvalidInputError } from '@resilien/types'
import { CACHEDIR_TAG } from '@resilien/repository'
import { JobConfigError, JOBS_FILE, loadJobs, parseJobs } from '../src/jobs/job-config.js'
import { DEFAULT_JOB_TIMEOUT_MS, DEFAULT_RETRY_ATTEMPTS, DEFAULT_RETRY_BACKOFF_MS, DEFAULT_RETRY_MAX_MS } from '../src/jobs/job-spec.js'
import type { JobSpec } from '../src/jobs/job-spec.js'

const FULL = `
[defaults]
passwordFile = "/etc/resilien/repo.pass"
timeout = "6h"
timezone = "Europe/Berlin"
host = "cloud.example.org"
retry = { attempts = 2, backoff = "1m" }

[defaults.retention]
keepDaily = 7
keepWeekly = 4

[[job]]
name = "nextcloud"
repo = "cloud"
schedule = "30 2 * * *"
tags = ["nextcloud", "nightly"]
retry = { max = "2h" }

[job.prune]
schedule = "0 4 * * sun"
repackThreshold = 25

[job.hooks]
before = "echo start"
after = ["echo done", "echo really"]
onFailure = "echo failed"

[job.source]
kind = "nextcloud"
root = "/var/www/nextcloud/"
occ = "sudo -u www-data php /var/www/nextcloud/occ"
dataDir = "/srv/nextcloud-data"
appsDirs = ["custom_apps", "/opt/nc-apps"]
extraPaths = ["/etc/nginx/sites-available/cloud", "/srv/nextcloud-data/admin"]
exclude = ["appdata_*/preview"]

[job.source.database]
kind = "postgres"
name = "nextcloud"
host = "/var/run/postgresql"
port = 5433
user = "nc"
passwordFile = "/etc/resilien/nc-db.pass"

[[job]]
name = "pad"
repo = "cloud"
schedule = "*/30 * * * * *"
timezone = "UTC"
timeout = "10m"
host = "pad-host"
retention = { keepLast = 3, keepWithin = "2d", keepTags = ["keep"] }
source = { kind = "hedgedoc", root = "/opt/hedgedoc", database = { kind = "sqlite", path = "/opt/hedgedoc/db.[1].sqlite" } }

[[job]]
name = "etc_files"
repo = "system"
schedule = "@daily"
passwordFile = "/root/system.pass"
retention = false
source = { kind = "paths", paths = ["/etc/", "/etc/nginx", "/root/.ssh", "/etc"], exclude = ["*.dpkg-old"] }

[[job]]
name = "ldap"
repo = "system"
schedule = "0 */6 * * *"
[job.source]
kind = "command"
command = "slapcat -n 1 | gzip --rsyncable"
filename = "ldap.ldif.gz"

[[job]]
name = "wiki"
repo = "cloud"
schedule = "0 3 * * *"
[job.source]
kind = "hedgedoc"
uploads = "/srv/hedgedoc/uploads"
config = ["/etc/hedgedoc/config.json", "/etc/hedgedoc/.env"]
database = { kind = "mysql", name = "hedgedoc", socket = "/run/mysqld/mysqld.sock", user = "hd", passwordFile = "/etc/resilien/hd.pass", filename = "pad.sql" }
`

test('a full jobs.toml parses into jobs with every default resolved and every source turned into its plan', () => {
  const jobs = parseJobs(FULL)
  const defaultsOf = { passwordFile: '/etc/resilien/repo.pass', host: 'cloud.example.org', hooks: { before: [], after: [], onFailure: [] } }
  const expected: JobSpec[] = [
    {
      name: 'nextcloud',
      repo: 'cloud',
      schedule: { cron: '30 2 * * *', timezone: 'Europe/Berlin' },
      passwordFile: '/etc/resilien/repo.pass',
      tags: ['nextcloud', 'nightly'],
      host: 'cloud.example.org',
      timeoutMs: 6 * 3_600_000,
      retry: { attempts: 2, backoffMs: 60_000, maxMs: 2 * 3_600_000 },
      retention: { keepDaily: 7, keepWeekly: 4 },
      prune: { schedule: { cron: '0 4 * * sun', timezone: 'Europe/Berlin' }, repackThreshold: 0.25 },
      hooks: { before: ['echo start'], after: ['echo done', 'echo really'], onFailure: ['echo failed'] },
      source: 'nextcloud',
      plan: {
        before: ['sudo -u www-data php /var/www/nextcloud/occ maintenance:mode --on'],
        dumps: [{
          filename: 'nextcloud-db.sql',
          command: 'PGPASSFILE="$RESILIEN_DB_CREDENTIALS" pg_dump --no-password --format=plain --host=/var/run/postgresql --port=5433 --username=nc --dbname=nextcloud',
          credentials: { passwordFile: '/etc/resilien/nc-db.pass', format: 'pgpass' }
        }],
        // The admin folder lies inside the data folder: read once.
        paths: ['/var/www/nextcloud/config', '/srv/nextcloud-data', '/etc/nginx/sites-available/cloud'],
        optionalPaths: ['/var/www/nextcloud/themes', '/var/www/nextcloud/custom_apps', '/opt/nc-apps'],
        exclude: ['appdata_*/preview'],
        after: ['sudo -u www-data php /var/www/nextcloud/occ maintenance:mode --off']
      }
    },
    {
      ...defaultsOf,
      name: 'pad',
      repo: 'cloud',
      schedule: { cron: '*/30 * * * * *', timezone: 'UTC' },
      tags: [],
      host: 'pad-host',
      timeoutMs: 600_000,
      retry: { attempts: 2, backoffMs: 60_000, maxMs: DEFAULT_RETRY_MAX_MS },
      retention: { keepLast: 3, keepWithin: 2 * 86_400_000, keepTags: ['keep'] },
      source: 'hedgedoc',
      plan: {
        before: [],
        dumps: [{ filename: 'hedgedoc-db.sql', command: "sqlite3 -readonly '/opt/hedgedoc/db.[1].sqlite' .dump" }],
        paths: ['/opt/hedgedoc/public/uploads'],
        optionalPaths: ['/opt/hedgedoc/config.json', '/opt/hedgedoc/.env'],
        exclude: ['/opt/hedgedoc/db.\\[1\\].sqlite', '/opt/hedgedoc/db.\\[1\\].sqlite-wal', '/opt/hedgedoc/db.\\[1\\].sqlite-shm', '/opt/hedgedoc/db.\\[1\\].sqlite-journal'],
        after: []
      }
    },
    {
      ...defaultsOf,
      name: 'etc_files',
      repo: 'system',
      schedule: { cron: '@daily', timezone: 'Europe/Berlin' },
      passwordFile: '/root/system.pass',
      tags: [],
      timeoutMs: 6 * 3_600_000,
      retry: { attempts: 2, backoffMs: 60_000, maxMs: DEFAULT_RETRY_MAX_MS },
      source: 'paths',
      plan: { before: [], dumps: [], paths: ['/etc', '/root/.ssh'], optionalPaths: [], exclude: ['*.dpkg-old'], after: [] }
    },
    {
      ...defaultsOf,
      name: 'ldap',
      repo: 'system',
      schedule: { cron: '0 */6 * * *', timezone: 'Europe/Berlin' },
      tags: [],
      timeoutMs: 6 * 3_600_000,
      retry: { attempts: 2, backoffMs: 60_000, maxMs: DEFAULT_RETRY_MAX_MS },
      retention: { keepDaily: 7, keepWeekly: 4 },
      source: 'command',
      plan: { before: [], dumps: [{ filename: 'ldap.ldif.gz', command: 'slapcat -n 1 | gzip --rsyncable' }], paths: [], optionalPaths: [], exclude: [], after: [] }
    },
    {
      ...defaultsOf,
      name: 'wiki',
      repo: 'cloud',
      schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' },
      tags: [],
      timeoutMs: 6 * 3_600_000,
      retry: { attempts: 2, backoffMs: 60_000, maxMs: DEFAULT_RETRY_MAX_MS },
      retention: { keepDaily: 7, keepWeekly: 4 },
      source: 'hedgedoc',
      plan: {
        before: [],
        dumps: [{
          filename: 'pad.sql',
          command: 'mariadb-dump --defaults-extra-file="$RESILIEN_DB_CREDENTIALS" --single-transaction --quick --hex-blob --no-tablespaces --default-character-set=utf8mb4 --socket=/run/mysqld/mysqld.sock --user=hd hedgedoc',
          credentials: { passwordFile: '/etc/resilien/hd.pass', format: 'mysql-options' }
        }],
        paths: ['/srv/hedgedoc/uploads', '/etc/hedgedoc/config.json', '/etc/hedgedoc/.env'],
        optionalPaths: [],
        exclude: [],
        after: []
      }
    }
  ]
  assert.deepEqual(jobs, expected)
})

test('a job that sets nothing optional gets the documented defaults', () => {
  const [job] = parseJobs('[[job]]\nname = "a"\nrepo = "r"\nschedule = "0 3 * * *"\npasswordFile = "/p"\nsource = { kind = "paths", paths = ["/srv"] }\n')
  assert.deepEqual(job, {
    name: 'a',
    repo: 'r',
    schedule: { cron: '0 3 * * *' },
    passwordFile: '/p',
    tags: [],
    timeoutMs: DEFAULT_JOB_TIMEOUT_MS,
    retry: { attempts: DEFAULT_RETRY_ATTEMPTS, backoffMs: DEFAULT_RETRY_BACKOFF_MS, maxMs: DEFAULT_RETRY_MAX_MS },
    hooks: { before: [], after: [], onFailure: [] },
    source: 'paths',
    plan: { before: [], dumps: [], paths: ['/srv'], optionalPaths: [], exclude: [], after: [] }
  })
})

test('oneFileSystem = true is carried into the plan of a paths, Nextcloud or HedgeDoc source', () => {
  const sources = [
    'kind = "paths"\npaths = ["/srv"]',
    'kind = "nextcloud"\nroot = "/nc"\ndatabase = { kind = "sqlite", path = "/nc/data/owncloud.db" }',
    'kind = "hedgedoc"\nroot = "/hd"\ndatabase = { kind = "sqlite", path = "/hd/db.sqlite" }'
  ]
  for (const source of sources) {
    const [on] = parseJobs(`[[job]]\nname = "a"\nrepo = "r"\nschedule = "@daily"\npasswordFile = "/p"\n[job.source]\n${source}\noneFileSystem = true\n`)
    assert.equal(on?.plan.oneFileSystem, true, source)
    const [off] = parseJobs(`[[job]]\nname = "a"\nrepo = "r"\nschedule = "@daily"\npasswordFile = "/p"\n[job.source]\n${source}\noneFileSystem = false\n`)
    assert.equal(off?.plan.oneFileSystem, undefined, source)
  }
})

test('excludeCaches, excludeIfPresent and excludeLargerThan are carried into the plan', () => {
  const [job] = parseJobs('[[job]]\nname = "a"\nrepo = "r"\nschedule = "@daily"\npasswordFile = "/p"\n[job.source]\nkind = "paths"\npaths = ["/srv"]\n' +
    'excludeIfPresent = [".nobackup", "TAG:head"]\nexcludeCaches = true\nexcludeLargerThan = "2GiB"\n')
  assert.deepEqual(job?.plan.excludeMarkers, [{ name: '.nobackup' }, { name: 'TAG', header: 'head' }, CACHEDIR_TAG])
  assert.equal(job?.plan.excludeLargerThan, 2 * 1024 ** 3)
})

test('a Nextcloud with nothing but root and a database gets php ROOT/occ, ROOT/data and custom_apps', () => {
  const [job] = parseJobs(`[[job]]
name = "nc"
repo = "r"
schedule = "@daily"
passwordFile = "/p"
[job.source]
kind = "nextcloud"
root = "/var/www/my cloud"
database = { kind = "mysql", name = "nextcloud" }
`)
  assert.deepEqual(job?.plan, {
    before: ["php '/var/www/my cloud/occ' maintenance:mode --on"],
    dumps: [{ filename: 'nextcloud-db.sql', command: 'mariadb-dump --single-transaction --quick --hex-blob --no-tablespaces --default-character-set=utf8mb4 nextcloud' }],
    paths: ['/var/www/my cloud/config', '/var/www/my cloud/data'],
    optionalPaths: ['/var/www/my cloud/themes', '/var/www/my cloud/custom_apps'],
    exclude: [],
    after: ["php '/var/www/my cloud/occ' maintenance:mode --off"]
  })
})

test('jobs of one file do not share mutable defaults', () => {
  const jobs = parseJobs(`[defaults]
passwordFile = "/p"
retention = { keepTags = ["a"] }
[[job]]
name = "a"
repo = "r"
schedule = "@daily"
source = { kind = "paths", paths = ["/a"] }
[[job]]
name = "b"
repo = "r"
schedule = "@daily"
source = { kind = "paths", paths = ["/b"] }
`)
  jobs[0]?.retention?.keepTags?.push('changed')
  jobs[0]!.retry.attempts = 99
  assert.deepEqual(jobs[1]?.retention, { keepTags: ['a'] })
  assert.equal(jobs[1]?.retry.attempts, DEFAULT_RETRY_ATTEMPTS)
})

test('the example of the README parses', async () => {
  const readme = await readFile(new URL('../../src/jobs/README.md', import.meta.url), 'utf8')
  const example = /## Example\s+```toml\n([\s\S]*?)```/.exec(readme)?.[1]
  assert.ok(example !== undefined, 'the README has a toml example')
  const jobs = parseJobs(example)
  assert.deepEqual(jobs.map((j) => [j.name, j.source]), [['nextcloud', 'nextcloud'], ['hedgedoc', 'hedgedoc'], ['etc', 'paths'], ['ldap', 'command'], ['wiki-sqlite', 'hedgedoc']])
})

test('an empty file, or one with only defaults, has no jobs; a data dir without jobs.toml neither', async (t) => {
  assert.deepEqual(parseJobs(''), [])
  assert.deepEqual(parseJobs('# nothing yet\n[defaults]\ntimeout = "1h"\n'), [])
  const dir = await mkdtemp(join(tmpdir(), 'resilien-jobs-'))
  t.after(async () => rm(dir, { recursive: true, force: true }))
  assert.deepEqual(await loadJobs(dir), [])
  await writeFile(join(dir, JOBS_FILE), '[[job]]\nname = "x"\nrepo = "r"\nschedule = "@hourly"\npasswordFile = "/p"\nsource = { kind = "paths", paths = ["/x"] }\n')
  assert.deepEqual((await loadJobs(dir)).map((j) => j.name), ['x'])
})

test('bad TOML gives the line and column, and the line itself', () => {
  const err = catchError(() => parseJobs('[defaults]\ntimeout = "2h"\n\n[[job]]\nname = nextcloud\n'))
  assert.ok(err instanceof JobConfigError && err instanceof InvalidInputError)
  assert.equal(err.message, 'jobs.toml:5:8: invalid value (in: name = nextcloud)')
  assert.equal(err.line, 5)
  assert.match(catchError(() => parseJobs('a = 1\na = 2\n')).message, /^jobs\.toml:2:1: .*redefine/)
  assert.match(catchError(() => parseJobs('__proto__ = 1\n')).message, /^jobs\.toml:1:/)
})

const JOB = (lines: string, source = 'kind = "paths"\npaths = ["/srv"]'): string =>
  `[defaults]\npasswordFile = "/p"\n[[job]]\nname = "web"\nrepo = "r"\nschedule = "0 3 * * *"\n${lines}\n[job.source]\n${source}\n`
const DB = (db: string): string => JOB('', `kind = "hedgedoc"\nroot = "/opt/h"\n[job.source.database]\n${db}`)

/** [file, the key the error must name, what the line must say]: one case per key and kind of mistake. */
const BAD: Array<[string, string, RegExp]> = [
  ['jobs = []', 'jobs', /^jobs\.toml: jobs is not a known key \(did you mean job\?\)$/],
  ['[job]\nname = "a"', 'job', /must be a list of tables.*\[\[job\]\]/],
  ['job = [1]', 'job', /job #1: job must be a table, not the number 1/],
  ['[defaults]\ntimeout = "2x"', 'defaults.timeout', /^jobs\.toml: defaults\.timeout must be a duration such as "45s", "30m", "2h" or "7d", not "2x"$/],
  ['[defaults]\nretry = { attempts = 1.5 }', 'defaults.retry.attempts', /whole number from 0 to 100, not 1\.5/],
  ['[defaults]\nretry = { backoff = "2h" }', 'defaults.retry.max', /at least the backoff \(7200 s\), not 3600 s/],
  ['[defaults]\npasswordfile = "/p"', 'defaults.passwordfile', /not a known key \(did you mean defaults\.passwordFile\?\)/],
  ['[defaults]\nretention = { keepDaily = 0 }', 'defaults.retention.keepLast', /must keep something/],
  ['[defaults]\ntimezone = "Berlin"', 'defaults.timezone', /IANA time zone/],
  ['[[job]]\nname = "Web"', 'name', /^jobs\.toml: job #1: name must be 1-64 of a-z, 0-9, "-" and "_", starting with a letter or digit, not "Web"$/],
  ['[[job]]\nrepo = "r"', 'name', /job #1: name is missing/],
  [JOB('') + '[[job]]\nname = "web"', 'name', /job #2: name "web" is taken by job #1 already/],
  [JOB('').replace('repo = "r"\n', ''), 'repo', /job "web": repo is missing: give a repository name/],
  [JOB('').replace('repo = "r"', 'repo = "my repo"'), 'repo', /repo must be a repository name/],
  [JOB('').replace('schedule = "0 3 * * *"', 'scheduel = "0 3 * * *"'), 'schedule', /schedule is missing: give a cron expression such as "30 2 \* \* \*" \(is scheduel a typo\?\)/],
  [JOB('').replace('0 3 * * *', '0 3 * *'), 'schedule', /schedule is not valid: "0 3 \* \*" has 4 fields/],
  [JOB('').replace('0 3 * * *', '0 25 * * *'), 'schedule', /schedule is not valid: .*hour/i],
  [JOB('').replace('0 3 * * *', '0 0 30 2 *'), 'schedule', /never matches a date/],
  [JOB('').replace('passwordFile = "/p"', ''), 'passwordFile', /passwordFile is missing: give the absolute path of a file holding the repository passphrase/],
  [JOB('passwordFile = "repo.pass"'), 'passwordFile', /passwordFile must be an absolute path/],
  [JOB('timezone = "Mars/Olympus"'), 'timezone', /timezone must be an IANA time zone/],
  [JOB('tags = "a"'), 'tags', /tags must be a list, each a tag .*, not the string "a"/],
  [JOB('tags = ["a,b"]'), 'tags[0]', /tags\[0\] must be a tag/],
  [JOB('host = "-x"'), 'host', /host must be a host name/],
  [JOB('timeout = 30'), 'timeout', /timeout must be a duration .*\(in quotes\), not the number 30/],
  [JOB('timeout = "0s"'), 'timeout', /timeout must be at least 1 ms/],
  [JOB('retry = { attempts = -1 }'), 'retry.attempts', /from 0 to 100, not -1/],
  [JOB('retry = { backoff = "10m", max = "5m" }'), 'retry.max', /retry\.max must be at least the backoff/],
  [JOB('retry = { tries = 3 }'), 'retry.tries', /not a known key/],
  [JOB('retention = { keepLast = 0 }'), 'retention.keepLast', /must keep something/],
  [JOB('retention = { keepDaily = "7" }'), 'retention.keepDaily', /whole number/],
  [JOB('retention = { keepWithin = "a week" }'), 'retention.keepWithin', /duration/],
  [JOB('retention = { keepTags = [""] }'), 'retention.keepTags[0]', /tag/],
  [JOB('retention = { keepDayly = 7 }'), 'retention.keepDayly', /did you mean retention\.keepDaily\?/],
  [JOB('retention = true'), 'retention', /retention must be a table, not the boolean true/],
  [JOB('prune = { repackThreshold = 20 }'), 'prune.schedule', /prune\.schedule is missing/],
  [JOB('prune = { schedule = "nope" }'), 'prune.schedule', /prune\.schedule is not valid/],
  [JOB('prune = { schedule = "@weekly", repackThreshold = 120 }'), 'prune.repackThreshold', /from 0 to 100, not 120/],
  [JOB('hooks = { before = [1] }'), 'hooks.before[0]', /must be a string, not the number 1/],
  [JOB('hooks = { after = "" }'), 'hooks.after', /must not be empty/],
  [JOB('hooks = { onfailure = "x" }'), 'hooks.onfailure', /did you mean hooks\.onFailure\?/],
  [JOB('enabled = false'), 'enabled', /enabled is not a known key/],
  [JOB('').replace(/\[job\.source\][\s\S]*/, ''), 'source', /source is missing: give a \[job\.source\] table/],
  [JOB('', 'kind = "path"'), 'source.kind', /source\.kind must be one of paths, command, nextcloud, hedgedoc, not "path"/],
  [JOB('', 'paths = ["/srv"]'), 'source.kind', /source\.kind is missing/],
  [JOB('', 'kind = "paths"\npath = ["/srv"]'), 'source.paths', /source\.paths is missing: give a list of absolute paths \(is source\.path a typo\?\)/],
  [JOB('', 'kind = "paths"\npaths = []'), 'source.paths', /source\.paths must not be empty/],
  [JOB('', 'kind = "paths"\npaths = ["srv"]'), 'source.paths[0]', /must be an absolute path \(starting with \/\), not "srv"/],
  [JOB('', 'kind = "paths"\npaths = ["/srv"]\nexclude = ["[abc"]'), 'source.exclude[0]', /not a valid pattern: "\[abc" has a \[ without its \]/],
  [JOB('', 'kind = "paths"\npaths = ["/srv"]\nexclude = ["/"]'), 'source.exclude[0]', /would exclude everything/],
  [JOB('', 'kind = "paths"\npaths = ["/srv"]\nexcludeIfPresent = [".nobackup", "a/b"]'), 'source.excludeIfPresent[1]', /needs a file name/],
  [JOB('', 'kind = "paths"\npaths = ["/srv"]\nexcludeLargerThan = "2XB"'), 'source.excludeLargerThan', /must be a size such as/],
  [JOB('', 'kind = "paths"\npaths = ["/srv"]\nexcludeLargerThan = 2048'), 'source.excludeLargerThan', /\(in quotes\), not the number 2048/],
  [JOB('', 'kind = "paths"\npaths = ["/srv"]\noneFileSystem = "yes"'), 'source.oneFileSystem', /must be true or false, not/],
  [JOB('', 'kind = "command"\ncommand = "x"\nfilename = "x.sql"\noneFileSystem = true'), 'source.oneFileSystem', /not a known key for a command source/],
  [JOB('', 'kind = "paths"\npaths = ["/srv"]\nroot = "/srv"'), 'source.root', /source\.root is not a known key for a paths source/],
  [JOB('', 'kind = "command"\nfilename = "x.sql"'), 'source.command', /source\.command is missing/],
  [JOB('', 'kind = "command"\ncommand = "x"'), 'source.filename', /source\.filename is missing/],
  [JOB('', 'kind = "command"\ncommand = "x"\nfilename = "a/b"'), 'source.filename', /must be a file name \(no "\/"/],
  [JOB('', 'kind = "command"\ncommand = "x"\nfilename = ".."'), 'source.filename', /must be a file name/],
  [JOB('', 'kind = "nextcloud"\ndatabase = { kind = "sqlite", path = "/x" }'), 'source.root', /source\.root is missing/],
  [JOB('', 'kind = "nextcloud"\nroot = "/nc"'), 'source.database', /source\.database is missing/],
  [JOB('', 'kind = "nextcloud"\nroot = "/nc"\nocc = ""\ndatabase = { kind = "sqlite", path = "/x" }'), 'source.occ', /source\.occ must be a command/],
  [JOB('', 'kind = "nextcloud"\nroot = "/nc"\ndataDir = "data"\ndatabase = { kind = "sqlite", path = "/x" }'), 'source.dataDir', /absolute path/],
  [JOB('', 'kind = "nextcloud"\nroot = "/nc"\nappsDirs = ["../apps"]\ndatabase = { kind = "sqlite", path = "/x" }'), 'source.appsDirs[0]', /without "\.\."/],
  [JOB('', 'kind = "nextcloud"\nroot = "/nc"\nextraPaths = ["x"]\ndatabase = { kind = "sqlite", path = "/x" }'), 'source.extraPaths[0]', /absolute path/],
  [JOB('', 'kind = "hedgedoc"\ndatabase = { kind = "sqlite", path = "/x" }'), 'source.root', /source\.root is missing: give the HedgeDoc folder, or uploads/],
  [JOB('', 'kind = "hedgedoc"\nuploads = "/u"\nconfig = "/c.json"\ndatabase = { kind = "sqlite", path = "/x" }'), 'source.config', /source\.config must be a list/],
  [JOB('', 'kind = "hedgedoc"\nroot = "/h"\nocc = "x"\ndatabase = { kind = "sqlite", path = "/x" }'), 'source.occ', /source\.occ is not a known key for a hedgedoc source/],
  [DB('kind = "oracle"'), 'source.database.kind', /^jobs\.toml: job "web": source\.database\.kind must be one of postgres, mysql, sqlite, not "oracle"$/],
  [DB('name = "h"'), 'source.database.kind', /source\.database\.kind is missing/],
  [DB('kind = "postgres"'), 'source.database.name', /source\.database\.name is missing/],
  [DB('kind = "postgres"\nname = "my db"'), 'source.database.name', /source\.database\.name must be a name of 1-63/],
  [DB('kind = "postgres"\nname = "h"\nhost = "a b"'), 'source.database.host', /host name, an IP address or the absolute path of a socket folder/],
  [DB('kind = "postgres"\nname = "h"\nport = 70000'), 'source.database.port', /from 1 to 65535, not 70000/],
  [DB('kind = "postgres"\nname = "h"\nuser = "x;rm"'), 'source.database.user', /source\.database\.user must be a name/],
  [DB('kind = "postgres"\nname = "h"\npasswordFile = "pw"'), 'source.database.passwordFile', /absolute path/],
  [DB('kind = "postgres"\nname = "h"\nsocket = "/run/pg"'), 'source.database.socket', /not a known key for a postgres database/],
  [DB('kind = "mysql"\nname = "h"\nsocket = "run/x"'), 'source.database.socket', /absolute path/],
  [DB('kind = "sqlite"'), 'source.database.path', /source\.database\.path is missing/],
  [DB('kind = "sqlite"\npath = "/x"\nname = "h"'), 'source.database.name', /not a known key for a sqlite database/],
  [DB('kind = "postgres"\ncommand = "pg_dump h"\nuser = "u"'), 'source.database.user', /has no effect when source\.database\.command is given/],
  [DB('kind = "postgres"\ncommand = " "'), 'source.database.command', /must be a shell command/],
  [DB('kind = "postgres"\nname = "h"\nfilename = "a/b.sql"'), 'source.database.filename', /must be a file name/]
]

test('every bad key gives its own line naming the key', () => {
  for (const [file, key, line] of BAD) {
    const err = catchError(() => parseJobs(file))
    assert.ok(err instanceof JobConfigError, `${key}: ${String(err)}`)
    assert.equal(err.key, key, `the error names ${key}: ${err.message}`)
    assert.match(err.message, line)
    assert.equal(err.message.includes('\n'), false, 'one line')
  }
})

test('errors inside a job name the job, by name once it has a valid one', () => {
  const err = catchError(() => parseJobs(JOB('timeout = "x"')))
  assert.ok(err instanceof JobConfigError)
  assert.equal(err.job, '"web"')
  assert.match(err.message, /^jobs\.toml: job "web": timeout /)
  assert.match(catchError(() => parseJobs(JOB('timeout = "x"'), '/var/lib/resilien/jobs.toml')).message, /^\/var\/lib\/resilien\/jobs\.toml: job "web"/)
})

function catchError (fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected an error')
}
