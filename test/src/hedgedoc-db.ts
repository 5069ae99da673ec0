import { fileURLToPath } from 'node:url'
import type { PostgresServer } from './postgres.js'
import { quoteIdent, quoteLiteral } from './postgres.js'

/**
 * A HedgeDoc 1.12 database for restore tests: the schema HedgeDoc's own migrations make (a copy
 * of the shared corpus's in test/fixtures), a few users, notes with awkward contents (quotes, backslashes, a line that is
 * only `\.` as ends COPY data, tabs, non-BMP characters, a large note), revisions, authors and
 * sessions. `hedgedocContent()` reads back what a restore must give again.
 */
export const HEDGEDOC_SCHEMA = fileURLToPath(new URL('../../fixtures/hedgedoc-1.12-schema.sql', import.meta.url))

export const HEDGEDOC_TABLES = ['Users', 'Notes', 'Revisions', 'Authors', 'Sessions', 'SequelizeMeta'] as const
export type HedgedocTable = typeof HEDGEDOC_TABLES[number]

export interface HedgedocSeed {
  users?: number
  notesPerUser?: number
}

/** Everything a restore must bring back, comparable with deepEqual. */
export interface HedgedocContent {
  /** Rows per table. */
  counts: Record<HedgedocTable, number>
  /** md5 over every row of each table (rows as text, sorted): any changed value shows. */
  digests: Record<HedgedocTable, string>
  notes: Array<{ id: string, shortid: string, alias: string | null, title: string, content: string, permission: string, deletedAt: string | null }>
  /** Next value of the Authors id sequence: new rows after a restore must not collide. */
  authorsSequence: { last_value: number, is_called: boolean }
}

/** Enough text that the note spans many COPY lines and chunks. */
const LARGE_NOTE_LINES = 2_000

/** Deterministic uuid number `n` of kind `k` (1 users, 2 notes, 3 revisions). */
function uuid (k: number, n: number): string {
  return `${String(k).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`
}

function noteContent (u: number, n: number): string {
  const variants = [
    `# Meeting ${u}.${n}\n\n- [ ] agenda\n- [x] minutes\n\n| a | b |\n|---|---|\n| 1 | 2 |\n`,
    `Quotes ' '' " and \`code\`; backslashes \\ \\\\ \\N \\t;\na line that is only\n\\.\nand\ttabs\r\nand CRLF.\n`,
    `Grüße aus Köln — 日本語 — שלום — emoji 😀🧪 — zero\u200bwidth — NBSP\u00a0here.\n`,
    Array.from({ length: LARGE_NOTE_LINES }, (_, i) => `Line ${i} of note ${u}.${n}: ${'lorem ipsum '.repeat(i % 7)}`).join('\n')
  ]
  return variants[(u + n) % variants.length] as string
}

function seedSql (users: number, notesPerUser: number): string {
  const t = (day: number): string => quoteLiteral(`2025-03-${String(day).padStart(2, '0')} 02:00:00+00`)
  const sql: string[] = ['BEGIN;']
  sql.push(`INSERT INTO "SequelizeMeta" (name) VALUES ${['20150504155329-create-users.js', '20150508114741-create-notes.js', '20150515125813-create-temp.js', '20160112220142-note-add-lastchange.js', '20200321153000-fix-account-deletion.js']
    .map((m) => `(${quoteLiteral(m)})`).join(', ')};`)
  const permissions = ['freely', 'editable', 'limited', 'locked', 'protected', 'private']
  for (let u = 1; u <= users; u++) {
    const profile = JSON.stringify({ id: `user${u}`, username: `User ${u}`, displayName: `Ü'ser ${u}`, provider: 'email' })
    const history = JSON.stringify([{ id: uuid(2, u * 100 + 1), text: 'note', time: 1_740_000_000_000 + u, tags: ['a'] }])
    sql.push(`INSERT INTO "Users" (id, profileid, profile, history, "createdAt", "updatedAt", email, password, "deleteToken") VALUES (${quoteLiteral(uuid(1, u))}, ${quoteLiteral(`user${u}`)}, ${quoteLiteral(profile)}, ${quoteLiteral(history)}, ${t(1)}, ${t(2)}, ${quoteLiteral(`user${u}@example.org`)}, ${quoteLiteral(`$2b$10$${'x'.repeat(53)}`)}, ${quoteLiteral(uuid(9, u))});`)
    for (let n = 1; n <= notesPerUser; n++) {
      const id = uuid(2, u * 100 + n)
      const content = noteContent(u, n)
      const deleted = u === users && n === notesPerUser ? t(3) : 'NULL'
      sql.push(`INSERT INTO "Notes" (id, "ownerId", content, title, "createdAt", "updatedAt", shortid, permission, viewcount, "lastchangeuserId", "lastchangeAt", alias, "savedAt", authorship, "deletedAt") VALUES (${quoteLiteral(id)}, ${quoteLiteral(uuid(1, u))}, ${quoteLiteral(content)}, ${quoteLiteral(`Note ${u}.${n} «${n}»`)}, ${t(1)}, ${t(2 + n)}, ${quoteLiteral(`s${u}x${n}`.padEnd(10, '0'))}, ${quoteLiteral(permissions[(u + n) % permissions.length] as string)}, ${u * n}, ${quoteLiteral(uuid(1, u))}, ${t(2 + n)}, ${n === 1 ? quoteLiteral(`alias-${u}`) : 'NULL'}, ${t(2 + n)}, ${quoteLiteral(JSON.stringify([[uuid(1, u), 0, content.length, 1_740_000_000_000, 1_740_000_000_000]]))}, ${deleted});`)
      sql.push(`INSERT INTO "Revisions" (id, "noteId", patch, "lastContent", content, length, "createdAt", "updatedAt", authorship) VALUES (${quoteLiteral(uuid(3, u * 100 + n))}, ${quoteLiteral(id)}, ${quoteLiteral(`@@ -0,0 +1,${content.length} @@\n+${Array.from(content).slice(0, 40).join('')}\n`)}, ${quoteLiteral(content)}, ${quoteLiteral(content)}, ${content.length}, ${t(2)}, ${t(2)}, NULL);`)
      sql.push(`INSERT INTO "Authors" (color, "noteId", "userId", "createdAt", "updatedAt") VALUES (${quoteLiteral(`#${(u * 40 + n).toString(16).padStart(6, '0')}`)}, ${quoteLiteral(id)}, ${quoteLiteral(uuid(1, u))}, ${t(1)}, ${t(1)});`)
    }
    sql.push(`INSERT INTO "Sessions" (sid, expires, data, "createdAt", "updatedAt") VALUES (${quoteLiteral(`sess-${u}`.padEnd(32, 'x'))}, ${t(28)}, ${quoteLiteral(JSON.stringify({ cookie: { httpOnly: true }, passport: { user: uuid(1, u) } }))}, ${t(1)}, ${t(1)});`)
  }
  sql.push('COMMIT;', '')
  return sql.join('\n')
}

/** Loads the schema and the seeded rows into `database` (which must exist and be empty). */
export async function loadHedgedoc (server: PostgresServer, database: string, seed: HedgedocSeed = {}): Promise<void> {
  await server.execFile(database, HEDGEDOC_SCHEMA)
  await server.exec(database, seedSql(seed.users ?? 3, seed.notesPerUser ?? 4))
}

/** What `database` holds, to compare a restored copy with the original. */
export async function hedgedocContent (server: PostgresServer, database: string): Promise<HedgedocContent> {
  const perTable = (expr: (table: string) => string): string =>
    `SELECT ${HEDGEDOC_TABLES.map((table) => `(${expr(quoteIdent(table))}) AS ${quoteIdent(table)}`).join(', ')}`
  const [counts] = await server.query<Record<HedgedocTable, number>>(database, perTable((table) => `SELECT count(*) FROM public.${table}`))
  const [digests] = await server.query<Record<HedgedocTable, string>>(database,
    perTable((table) => `SELECT md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text COLLATE "C"), '')) FROM public.${table} r`))
  const notes = await server.query<HedgedocContent['notes'][number]>(database,
    'SELECT id, shortid, alias, title, content, permission, "deletedAt" FROM public."Notes" ORDER BY id')
  const [authorsSequence] = await server.query<HedgedocContent['authorsSequence']>(database, 'SELECT last_value, is_called FROM public."Authors_id_seq"')
  if (counts === undefined || digests === undefined || authorsSequence === undefined) throw new Error(`no answer from database ${database}`)
  return { counts, digests, notes, authorsSequence }
}
