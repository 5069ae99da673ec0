import { join } from 'node:path'
import type { ConfigTable, StringRule } from './config-reader.js'
import { normalizeAbsolute } from './config-reader.js'
import { DATABASE_KINDS, dumpCommand } from './db-dump.js'
import type { DatabaseConnection } from './db-dump.js'
import { CACHEDIR_TAG, checkExcludePattern, literalPattern, parseFolderMarker } from '@resilien/repository'
import type { FolderMarker } from '@resilien/repository'
import { isPlainFileName } from '@resilien/types'
import type { CapturePlan, DumpStep, SourceKind } from './job-spec.js'
import { shellQuote } from './shell-quote.js'

export const SOURCE_KINDS: readonly SourceKind[] = ['paths', 'command', 'nextcloud', 'hedgedoc']

/** Custom app folders of a Nextcloud (relative to its root) captured when they exist. */
export const NEXTCLOUD_DEFAULT_APPS_DIRS: readonly string[] = ['custom_apps']

const FILE_NAME: StringRule = {
  test: isPlainFileName,
  describe: 'a file name (no "/", at most 255 bytes)'
}
const COMMAND: StringRule = { test: (v) => v.trim() !== '', describe: 'a shell command' }
const SHELL_PREFIX: StringRule = { test: (v) => v.trim() !== '', describe: 'a command such as "sudo -u www-data php /var/www/nextcloud/occ"' }
/** Database and user names that need no quoting in any client (weirder ones: use source.database.command). */
const DB_NAME: StringRule = { test: (v) => /^[A-Za-z0-9_][A-Za-z0-9_$.-]{0,62}$/.test(v), describe: 'a name of 1-63 letters, digits, "_", "$", "." or "-"' }
const DB_HOST: StringRule = {
  test: (v) => /^[A-Za-z0-9._:-]{1,253}$/.test(v) || (v.startsWith('/') && !v.includes('\0')),
  describe: 'a host name, an IP address or the absolute path of a socket folder'
}
const APPS_DIR: StringRule = {
  test: (v) => v !== '' && !v.includes('\0') && !v.split('/').includes('..'),
  describe: 'a folder (absolute, or relative to root without "..")'
}

function exclude (t: ConfigTable): string[] {
  const patterns = t.stringList('exclude') ?? []
  patterns.forEach((p, i) => {
    try {
      checkExcludePattern(p)
    } catch (err) {
      t.fail(`${t.key('exclude')}[${i}]`, `is not a valid pattern: ${(err as Error).message}`)
    }
  })
  return patterns
}

/**
 * How the walk goes, backup's options: `oneFileSystem = true` (mount points below the paths are
 * kept empty), `excludeCaches = true`, `excludeIfPresent = [".nobackup"]` (a folder holding such a
 * file keeps only it) and `excludeLargerThan = "2GiB"`.
 */
function walkOptions (t: ConfigTable): Pick<CapturePlan, 'oneFileSystem' | 'excludeMarkers' | 'excludeLargerThan'> {
  const markers: FolderMarker[] = (t.stringList('excludeIfPresent') ?? []).map((spec, i) => {
    try {
      return parseFolderMarker(spec)
    } catch (err) {
      return t.fail(`${t.key('excludeIfPresent')}[${i}]`, (err as Error).message)
    }
  })
  if (t.boolean('excludeCaches') === true) markers.push(CACHEDIR_TAG)
  const largerThan = t.size('excludeLargerThan')
  return {
    ...(t.boolean('oneFileSystem') === true ? { oneFileSystem: true } : {}),
    ...(markers.length === 0 ? {} : { excludeMarkers: markers }),
    ...(largerThan === undefined ? {} : { excludeLargerThan: largerThan })
  }
}

function isWithin (path: string, folder: string): boolean {
  return path === folder || folder === '/' || path.startsWith(folder + '/')
}

/** Drops duplicates and paths inside another path of the list (they would be read twice). */
function withoutNested (paths: readonly string[]): string[] {
  const unique = [...new Set(paths)]
  return unique.filter((p) => !unique.some((q) => q !== p && isWithin(p, q)))
}

/** The optional paths that no required path holds already. */
function optionalOutside (required: readonly string[], optional: readonly string[]): string[] {
  return withoutNested(optional).filter((p) => !required.some((q) => isWithin(p, q)))
}

/** The connection of source.database, or its `command` when one is given. */
function databaseDump (t: ConfigTable, source: SourceKind): { dump: DumpStep, sqlitePath?: string } {
  const kind = t.oneOf('kind', DATABASE_KINDS) ?? t.missing('kind', `one of ${DATABASE_KINDS.join(', ')}`)
  const filename = t.string('filename', FILE_NAME) ?? `${source}-db.sql`
  const command = t.string('command', COMMAND)
  if (command !== undefined) {
    t.finish({ problem: `has no effect when ${t.key('command')} is given: the command says how to connect` })
    return { dump: { filename, command } }
  }
  let db: DatabaseConnection
  if (kind === 'sqlite') {
    db = { kind, path: t.requiredAbsolutePath('path') }
  } else {
    const name = t.requiredString('name', DB_NAME)
    const host = t.string('host', DB_HOST)
    const socket = kind === 'mysql' ? t.absolutePath('socket') : undefined
    const port = t.integer('port', 1, 65535)
    const user = t.string('user', DB_NAME)
    const passwordFile = t.absolutePath('passwordFile')
    db = {
      kind,
      name,
      ...(host === undefined ? {} : { host }),
      ...(socket === undefined ? {} : { socket }),
      ...(port === undefined ? {} : { port }),
      ...(user === undefined ? {} : { user }),
      ...(passwordFile === undefined ? {} : { passwordFile })
    }
  }
  t.finish({ where: `for a ${kind} database` })
  const { command: dump, credentials } = dumpCommand(db)
  return {
    dump: { filename, command: dump, ...(credentials === undefined ? {} : { credentials }) },
    ...(db.kind === 'sqlite' ? { sqlitePath: db.path } : {})
  }
}

/**
 * The live SQLite file and its companions are left out of the captured folders: they change
 * while being read, and the dump already holds a consistent copy.
 */
function sqliteExcludes (path: string | undefined): string[] {
  if (path === undefined) return []
  return ['', '-wal', '-shm', '-journal'].map((suffix) => literalPattern(path + suffix))
}

function pathsPlan (t: ConfigTable): CapturePlan {
  const paths = t.absolutePaths('paths', { nonEmpty: true }) ?? t.missing('paths', 'a list of absolute paths')
  return { before: [], dumps: [], paths: withoutNested(paths), optionalPaths: [], exclude: exclude(t), ...walkOptions(t), after: [] }
}

function commandPlan (t: ConfigTable): CapturePlan {
  const command = t.requiredString('command', COMMAND)
  const filename = t.requiredString('filename', FILE_NAME)
  return { before: [], dumps: [{ filename, command }], paths: [], optionalPaths: [], exclude: [], after: [] }
}

/**
 * Nextcloud's documented backup: maintenance mode on (no writes while the database and the files
 * are read, so both are of one moment), the database, config/, the data folder, themes/ and
 * custom apps; maintenance mode off again in every case (CapturePlan.after).
 */
function nextcloudPlan (t: ConfigTable): CapturePlan {
  const root = t.requiredAbsolutePath('root')
  const occ = t.string('occ', SHELL_PREFIX) ?? `php ${shellQuote(join(root, 'occ'))}`
  const dataDir = t.absolutePath('dataDir') ?? join(root, 'data')
  const apps = (t.stringList('appsDirs', APPS_DIR) ?? NEXTCLOUD_DEFAULT_APPS_DIRS).map((d) => normalizeAbsolute(d.startsWith('/') ? d : join(root, d)))
  const extraPaths = t.absolutePaths('extraPaths') ?? []
  const patterns = exclude(t)
  const { dump, sqlitePath } = databaseDump(t.requiredTable('database', 'a [job.source.database] table'), 'nextcloud')
  const paths = withoutNested([join(root, 'config'), dataDir, ...extraPaths])
  return {
    before: [`${occ} maintenance:mode --on`],
    dumps: [dump],
    paths,
    optionalPaths: optionalOutside(paths, [join(root, 'themes'), ...apps]),
    exclude: [...patterns, ...sqliteExcludes(sqlitePath)],
    ...walkOptions(t),
    after: [`${occ} maintenance:mode --off`]
  }
}

/**
 * HedgeDoc 1.x: the database, the uploads folder and the configuration (config.json, and .env for
 * installs configured through the environment). Notes live in the database only.
 */
function hedgedocPlan (t: ConfigTable): CapturePlan {
  const root = t.absolutePath('root')
  const config = t.absolutePaths('config')
  const uploads = t.absolutePath('uploads') ?? (root === undefined ? t.missing('root', 'the HedgeDoc folder, or uploads (and config)') : join(root, 'public', 'uploads'))
  const extraPaths = t.absolutePaths('extraPaths') ?? []
  const patterns = exclude(t)
  const { dump, sqlitePath } = databaseDump(t.requiredTable('database', 'a [job.source.database] table'), 'hedgedoc')
  const paths = withoutNested([uploads, ...(config ?? []), ...extraPaths])
  const optional = config === undefined && root !== undefined ? [join(root, 'config.json'), join(root, '.env')] : []
  return {
    before: [],
    dumps: [dump],
    paths,
    optionalPaths: optionalOutside(paths, optional),
    exclude: [...patterns, ...sqliteExcludes(sqlitePath)],
    ...walkOptions(t),
    after: []
  }
}

/** Reads [job.source] into its kind and its capture plan. */
export function readSource (t: ConfigTable): { kind: SourceKind, plan: CapturePlan } {
  const kind = t.oneOf('kind', SOURCE_KINDS) ?? t.missing('kind', `one of ${SOURCE_KINDS.join(', ')}`)
  const plan = kind === 'paths'
    ? pathsPlan(t)
    : kind === 'command' ? commandPlan(t) : kind === 'nextcloud' ? nextcloudPlan(t) : hedgedocPlan(t)
  t.finish({ where: `for a ${kind} source` })
  return { kind, plan }
}
