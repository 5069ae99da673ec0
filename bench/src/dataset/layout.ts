/** Names and dates shared by the generator's parts: one Nextcloud site of a small collective. */

export const USERS: readonly string[] = ['alice', 'bruno', 'chloe', 'dmitri']

/** Day 0's backup runs at this time (UTC); day N is N days later. */
export const DAY_ZERO_MS = Date.UTC(2025, 2, 3, 2, 0, 0)
export const DAY_MS = 24 * 3600 * 1000
/** Day 0's files were last modified over the three years before it. */
export const HISTORY_MS = 3 * 365 * DAY_MS

/** Top folders of a user's files, and how many sub-folders each gets (scaled by file count). */
export const DOCUMENT_FOLDERS: readonly string[] = ['Documents', 'Notes', 'Projects', 'Finance', 'Shared', 'Talk']

/** Where Nextcloud keeps things below its data directory. */
export const DATA_ROOT = 'nextcloud-data'
export const APPDATA = `${DATA_ROOT}/appdata_oc7xk2q9vw1d`
export const DB_DIR = 'db'

export function dayStamp (day: number): string {
  return new Date(DAY_ZERO_MS + day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')
}

export function sqlDumpPath (day: number): string {
  return `${DB_DIR}/nextcloud-sqlbkp_${dayStamp(day)}.bak`
}
