import { Rng, mixAll } from './prng.js'
import { wordIndex, wordString } from './vocabulary.js'
import { TextWriter } from './text-writer.js'
import { USERS, DAY_ZERO_MS, DAY_MS, HISTORY_MS, DOCUMENT_FOLDERS } from './layout.js'

/**
 * A pg_dump (`--inserts`) of the busiest Nextcloud tables. Each row is a function of its id and
 * of the last day it changed, so the next day's dump is written from scratch yet is mostly the
 * same bytes: a few clusters of changed rows (a folder's files and their parents), new rows at
 * the end, expired activity rows gone from the start.
 */

export interface SqlDumpSpec {
  seed: number
  /** The dump of this day (0 = the initial one). */
  day: number
  /** Rows of each big table on day 0. */
  filecacheRows: number
  activityRows: number
}

interface TableChurn {
  /** Share of day-0 rows changed per day, in runs of consecutive ids of this mean length. */
  change: number
  changeRun: number
  /** Share of day-0 rows deleted per day, in runs. */
  remove: number
  removeRun: number
  /** Share of day-0 rows inserted per day (new ids, at the end). */
  insert: number
  /** Share of day-0 rows expired per day from the lowest live ids (activity retention). */
  expire: number
}

/** Why these figures: a busy day of a small instance touches well under 1 % of oc_filecache. */
const FILECACHE_CHURN: TableChurn = { change: 0.004, changeRun: 12, remove: 0.001, removeRun: 4, insert: 0.005, expire: 0 }
const ACTIVITY_CHURN: TableChurn = { change: 0, changeRun: 1, remove: 0, removeRun: 1, insert: 0.01, expire: 0.005 }
/** Bytes of the dump given to oc_filecache; the rest is oc_activity. */
export const FILECACHE_SHARE = 0.55
/** Bytes per yielded piece of the dump. */
const PIECE_BYTES = 1024 * 1024
/** Small tables rewritten whole: config and background jobs, a few values change daily. */
const APPCONFIG_ROWS = 300
const JOB_ROWS = 40
const DELETED = 255

const FILECACHE = 1
const ACTIVITY = 2

/** Last day each row changed (DELETED if gone), for the ids 1..maxId of one table on `day`. */
function tableVersions (seed: number, table: number, rows0: number, churn: TableChurn, day: number): { versions: Uint8Array, maxId: number } {
  const perDayInsert = Math.round(rows0 * churn.insert)
  const versions = new Uint8Array(rows0 + perDayInsert * day + 1)
  versions[0] = DELETED
  let maxId = rows0
  let lowestLive = 1
  for (let d = 1; d <= day; d++) {
    const rng = new Rng(mixAll(seed, table, d))
    versions.fill(d, maxId + 1, maxId + 1 + perDayInsert)
    maxId += perDayInsert
    const runs = (share: number, mean: number, value: number): void => {
      for (let n = Math.round(rows0 * share / mean); n > 0; n--) {
        const start = 1 + rng.int(maxId)
        const end = Math.min(maxId, start + rng.run(mean) - 1)
        for (let id = start; id <= end; id++) if (versions[id] !== DELETED) versions[id] = value
      }
    }
    runs(churn.change, churn.changeRun, d)
    runs(churn.remove, churn.removeRun, DELETED)
    for (let n = Math.round(rows0 * churn.expire); n > 0 && lowestLive <= maxId; lowestLive++) {
      if (versions[lowestLive] !== DELETED) {
        versions[lowestLive] = DELETED
        n--
      }
    }
  }
  return { versions, maxId }
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** `n` random hex digits (n even). */
function hex (rng: Rng, n: number): string {
  let s = ''
  for (let i = 0; i < n; i += 2) s += HEX_BYTE[rng.u32() & 0xff] as string
  return s
}

/** Reused per row: a fresh Rng per row costs more than the row. */
const stable = new Rng(0)
const mutable = new Rng(0)

function word (rng: Rng): string {
  return wordString(wordIndex(rng.u32()))
}

const seconds = (ms: number): number => Math.floor(ms / 1000)

export function filecacheRow (seed: number, id: number, version: number): string {
  const s = stable.reseed(mixAll(seed, FILECACHE, id))
  const m = mutable.reseed(mixAll(seed, FILECACHE, id, version))
  const name = `${word(s)}-${word(s)}.${s.pick(['md', 'jpg', 'pdf', 'odt', 'jpg', 'png', 'txt', 'mp4'])}`
  const path = `files/${s.pick(DOCUMENT_FOLDERS)}/${word(s)} ${word(s)}/${name}`
  const mtime = seconds(DAY_ZERO_MS - s.int(HISTORY_MS) + version * DAY_MS)
  return `INSERT INTO public.oc_filecache VALUES (${id}, ${1 + s.int(USERS.length + 1)}, '${path}', '${hex(s, 32)}', ` +
    `${Math.max(1, id - 1 - s.int(50))}, '${name}', ${s.range(1, 24)}, ${s.range(1, 8)}, ${m.int(5_000_000)}, ${mtime}, ${mtime}, ` +
    `0, 0, '${hex(m, 14).slice(0, 13)}', 27, '');\n`
}

export function activityRow (seed: number, id: number, version: number): string {
  const s = stable.reseed(mixAll(seed, ACTIVITY, id, version))
  const user = s.pick(USERS)
  const fileId = s.int(1_000_000)
  const folder = s.pick(DOCUMENT_FOLDERS)
  const file = `/${folder}/${word(s)}-${word(s)}.${s.pick(['md', 'jpg', 'pdf', 'odt'])}`
  const subject = s.pick(['created_self', 'changed_self', 'deleted_self', 'renamed_self', 'shared_user_self', 'changed_by'])
  const time = seconds(DAY_ZERO_MS - HISTORY_MS / 3) + id * 40 + s.int(40)
  return `INSERT INTO public.oc_activity VALUES (${id}, ${time}, 30, 'file_${subject.split('_')[0] ?? ''}', '${user}', '${user}', 'files', ` +
    `'${subject}', '[{"${fileId}":"${file.replaceAll('/', '\\\\/')}"}]', '', '[]', '${file}', ` +
    `'https://cloud.example.org/apps/files/?dir=/${folder}', 'files', ${fileId});\n`
}

function header (day: number): string {
  const stamp = new Date(DAY_ZERO_MS + day * DAY_MS).toISOString()
  return `--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 15.8 (Debian 15.8-0+deb12u1)\n` +
    `-- Dumped by pg_dump version 15.8 (Debian 15.8-0+deb12u1)\n-- Started on ${stamp}\n\n` +
    'SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET client_encoding = \'UTF8\';\nSET standard_conforming_strings = on;\n' +
    'SELECT pg_catalog.set_config(\'search_path\', \'\', false);\nSET check_function_bodies = false;\n\n' +
    'CREATE TABLE public.oc_filecache (\n    fileid bigint NOT NULL,\n    storage bigint DEFAULT 0 NOT NULL,\n    path character varying(4000),\n' +
    '    path_hash character varying(32) DEFAULT \'\'::character varying NOT NULL,\n    parent bigint DEFAULT 0 NOT NULL,\n' +
    '    name character varying(250),\n    mimetype bigint DEFAULT 0 NOT NULL,\n    mimepart bigint DEFAULT 0 NOT NULL,\n' +
    '    size bigint DEFAULT 0 NOT NULL,\n    mtime bigint DEFAULT 0 NOT NULL,\n    storage_mtime bigint DEFAULT 0 NOT NULL,\n' +
    '    encrypted integer DEFAULT 0 NOT NULL,\n    unencrypted_size bigint DEFAULT 0 NOT NULL,\n    etag character varying(40),\n' +
    '    permissions integer DEFAULT 0,\n    checksum character varying(255)\n);\n\n' +
    'CREATE TABLE public.oc_activity (\n    activity_id bigint NOT NULL,\n    "timestamp" integer DEFAULT 0 NOT NULL,\n' +
    '    priority integer DEFAULT 0 NOT NULL,\n    type character varying(255),\n    "user" character varying(64),\n' +
    '    affecteduser character varying(64) NOT NULL,\n    app character varying(32) NOT NULL,\n    subject character varying(255) NOT NULL,\n' +
    '    subjectparams text NOT NULL,\n    message character varying(255),\n    messageparams text,\n    file character varying(4000),\n' +
    '    link character varying(4000),\n    object_type character varying(255),\n    object_id bigint DEFAULT 0 NOT NULL\n);\n\n'
}

/** Small tables: the same rows every day except the timestamps a cron run and logins update. */
function smallTables (seed: number, day: number): string {
  const rng = new Rng(mixAll(seed, 3))
  const now = seconds(DAY_ZERO_MS + day * DAY_MS)
  let out = ''
  for (let i = 0; i < APPCONFIG_ROWS; i++) {
    const value = i === 0 ? String(now) : `${word(rng)}-${rng.int(1000)}`
    out += `INSERT INTO public.oc_appconfig VALUES ('${i === 0 ? 'core' : word(rng)}', '${i === 0 ? 'lastcron' : word(rng)}', '${value}', 0, 0);\n`
  }
  for (const user of USERS) out += `INSERT INTO public.oc_preferences VALUES ('${user}', 'login', 'lastLogin', '${now - rng.int(80000)}');\n`
  for (let i = 1; i <= JOB_ROWS; i++) {
    out += `INSERT INTO public.oc_jobs VALUES (${i}, 'OCA\\\\${word(rng)}\\\\BackgroundJob\\\\${word(rng)}', 'null', ${now - rng.int(3000)}, ${now - rng.int(3000)}, 0, 0, 1);\n`
  }
  return out + '\n'
}

/** The dump's bytes, in pieces of about PIECE_BYTES. */
export function * sqlDumpPieces (spec: SqlDumpSpec): Generator<Uint8Array> {
  yield Buffer.from(header(spec.day) + smallTables(spec.seed, spec.day), 'latin1')
  for (const [table, rows0, churn, row] of [
    [FILECACHE, spec.filecacheRows, FILECACHE_CHURN, filecacheRow],
    [ACTIVITY, spec.activityRows, ACTIVITY_CHURN, activityRow]
  ] as const) {
    const { versions, maxId } = tableVersions(spec.seed, table, rows0, churn, spec.day)
    // Rows are written into a buffer one by one: concatenating them into one string first is
    // three times slower (the string must be flattened).
    let w = new TextWriter(PIECE_BYTES + 4096)
    for (let id = 1; id <= maxId; id++) {
      const v = versions[id] as number
      if (v === DELETED) continue
      w.ascii(row(spec.seed, id, v))
      if (w.pos >= PIECE_BYTES) {
        yield w.take(w.pos)
        w = new TextWriter(PIECE_BYTES + 4096)
      }
    }
    w.byte(0x0a)
    yield w.take(w.pos)
  }
  yield Buffer.from('--\n-- PostgreSQL database dump complete\n--\n\n', 'latin1')
}

/** Day-0 row counts that give a dump of about `bytes`, from the mean length of sample rows. */
export function sqlRowsForBytes (seed: number, bytes: number): { filecacheRows: number, activityRows: number } {
  const SAMPLE = 500
  let fc = 0
  let act = 0
  for (let id = 1; id <= SAMPLE; id++) {
    fc += filecacheRow(seed, id, 0).length
    act += activityRow(seed, id, 0).length
  }
  return {
    filecacheRows: Math.max(1, Math.round(bytes * FILECACHE_SHARE / (fc / SAMPLE))),
    activityRows: Math.max(1, Math.round(bytes * (1 - FILECACHE_SHARE) / (act / SAMPLE)))
  }
}
