import { Rng, mixAll } from './prng.js'
import { FileFactory, isEditable, versionPath } from './plan.js'
import { DAY_ZERO_MS, DAY_MS, sqlDumpPath } from './layout.js'
import type { DatasetPlan, FileSpec, MutationSummary } from './file-spec.js'

/**
 * One day of change, as shares of the files: a few % of the tree moves, in the ways a Nextcloud
 * site changes overnight. The SQL dump is written again whole, under a new date-stamped name.
 */
export const DAILY_CHURN = {
  /** Documents edited in place (their old bytes go to files_versions). */
  edit: 0.02,
  /** Photos rewritten whole (rotated, retouched). */
  rewrite: 0.002,
  /** New files (phone uploads land in InstantUpload/Camera). */
  add: 0.015,
  /** Files deleted for good (expired versions and trash, stale previews). */
  remove: 0.002,
  /** Files moved to the trash bin (a rename in Nextcloud). */
  trash: 0.002,
  /** Files moved to another folder; plus one whole folder renamed per day. */
  move: 0.004,
  /** The log grows by this share of day 0's size. */
  logGrowth: 0.001
}
/** Big files are kept: deleting one would swing the day's figures. */
const MAX_REMOVED_SIZE = 16 * 1024 * 1024
/** Edited documents change size by a factor drawn in this range. */
const EDIT_GROWTH_MIN = -0.02
const EDIT_GROWTH_MAX = 0.08

function userFilesPrefix (path: string): string | undefined {
  const m = /^([^/]+\/[^/]+\/files\/)/.exec(path)
  return m?.[1]
}

/** Day `plan.day + 1`. Pure: the same plan gives the same next plan. */
export function planNextDay (plan: DatasetPlan): { plan: DatasetPlan, summary: MutationSummary } {
  const day = plan.day + 1
  const { options } = plan
  const rng = new Rng(mixAll(options.seed, 0xda7, day))
  const dayStart = DAY_ZERO_MS + (day - 1) * DAY_MS + 3600 * 1000
  const when = (): number => Math.floor((dayStart + rng.int(DAY_MS - 2 * 3600 * 1000)) / 1000) * 1000
  const files: FileSpec[] = plan.files.map((f) => ({ ...f }))
  const summary: MutationSummary = { day, edited: 0, rewritten: 0, added: 0, deleted: 0, trashed: 0, renamed: 0, versionsKept: 0, logAppendedBytes: 0 }
  const taken = new Set(files.map((f) => f.path))
  const gone = new Set<FileSpec>()
  const userFiles = files.filter((f) => userFilesPrefix(f.path) !== undefined && f.kind !== 'sql')
  const count = (share: number): number => Math.max(1, Math.round(userFiles.length * share))
  const pickUserFile = (accept: (f: FileSpec) => boolean): FileSpec | undefined => {
    for (let tries = 0; tries < 50; tries++) {
      const f = userFiles[rng.int(userFiles.length)] as FileSpec
      if (!gone.has(f) && accept(f)) return f
    }
    return undefined
  }

  for (let n = count(DAILY_CHURN.edit); n > 0; n--) {
    const f = pickUserFile((x) => isEditable(x.kind))
    if (f === undefined) continue
    const vp = versionPath(f.path, f.mtimeMs)
    if (vp !== undefined && !taken.has(vp)) {
      taken.add(vp)
      files.push({ ...f, path: vp })
      summary.versionsKept++
    }
    f.edit++
    f.size = Math.max(64, Math.round(f.size * (1 + EDIT_GROWTH_MIN + rng.float() * (EDIT_GROWTH_MAX - EDIT_GROWTH_MIN))))
    f.mtimeMs = when()
    summary.edited++
  }
  for (let n = count(DAILY_CHURN.rewrite); n > 0; n--) {
    const f = pickUserFile((x) => x.kind === 'jpeg')
    if (f === undefined) continue
    f.seed = rng.u32()
    f.mtimeMs = when()
    summary.rewritten++
  }
  for (let n = count(DAILY_CHURN.remove); n > 0; n--) {
    const f = files[rng.int(files.length)] as FileSpec
    if (f.kind === 'sql' || f.kind === 'log' || f.size > MAX_REMOVED_SIZE || gone.has(f)) continue
    gone.add(f)
    summary.deleted++
  }
  for (let n = count(DAILY_CHURN.trash); n > 0; n--) {
    const f = pickUserFile(() => true)
    if (f === undefined) continue
    const prefix = userFilesPrefix(f.path) as string
    const trashed = `${prefix.slice(0, -'files/'.length)}files_trashbin/files/${f.path.slice(f.path.lastIndexOf('/') + 1)}.d${Math.floor(dayStart / 1000)}`
    if (taken.has(trashed)) continue
    taken.add(trashed)
    f.path = trashed
    summary.trashed++
  }
  for (let n = count(DAILY_CHURN.move); n > 0; n--) {
    const f = pickUserFile(() => true)
    const target = f === undefined ? undefined : pickUserFile((x) => x !== f)
    if (f === undefined || target === undefined) continue
    const moved = `${target.path.slice(0, target.path.lastIndexOf('/'))}/${f.path.slice(f.path.lastIndexOf('/') + 1)}`
    if (taken.has(moved)) continue
    taken.add(moved)
    f.path = moved
    summary.renamed++
  }
  // One folder renamed, with everything below it (same bytes, new paths).
  const folderOwner = pickUserFile((x) => x.path.split('/').length > 5)
  if (folderOwner !== undefined) {
    const folder = folderOwner.path.split('/').slice(0, 5).join('/')
    const renamed = `${folder} ${2023 + day}`
    for (const f of files) {
      if (!f.path.startsWith(folder + '/') || gone.has(f)) continue
      f.path = renamed + f.path.slice(folder.length)
      summary.renamed++
    }
  }

  const factory = new FileFactory(options, taken)
  const added: FileSpec[] = []
  for (let n = count(DAILY_CHURN.add); n > 0; n--) {
    for (const f of factory.draw(rng, when(), day)) added.push(f)
  }
  summary.added = added.length

  for (const f of files) {
    if (f.kind === 'log') {
      const grow = Math.round(options.size * DAILY_CHURN.logGrowth)
      f.size += grow
      f.mtimeMs = dayStart + DAY_MS - 3 * 3600 * 1000
      summary.logAppendedBytes += grow
    } else if (f.kind === 'sql') {
      f.edit = day
      f.path = sqlDumpPath(day)
      f.mtimeMs = dayStart + DAY_MS - 90 * 60 * 1000
    }
  }
  const next = [...files.filter((f) => !gone.has(f)), ...added]
  return { plan: { ...plan, day, files: next }, summary }
}
