import { applyRetention, resolveSnapshots } from '@resilien/repository'
import { isSelected, selectsSome } from '@resilien/control'
import type { ForgetArgs, ForgetResult, HandlerContext, SnapshotSelection, SnapshotSummary } from '@resilien/control'
import type { Repository, SnapshotEntry } from '@resilien/repository'
import { InvalidInputError } from '@resilien/types'
import type { NodeContext } from '../node-context.js'
import { pruneOpen } from './prune.js'
import { repositorySurvives, snapshotSummary } from './snapshot-summary.js'

/** Snapshot-forgotten facts appended per catalog call (the catalog takes at most 1000 a batch). */
const FORGET_BATCH = 500

/**
 * `forget`: applies a retention policy to the repository's snapshots and records the others as
 * forgotten (tombstones every site folds in). Their data stays until a prune removes what no kept
 * snapshot references.
 */
/** What a retention policy is made of (the keep-* options of `forget`). */
export type KeepPolicy = Pick<ForgetArgs, 'keepLast' | 'keepHourly' | 'keepDaily' | 'keepWeekly' | 'keepMonthly' | 'keepYearly' | 'keepWithin' | 'keepTags'>

/**
 * Summaries of `snapshots` with `degraded` as `snapshots` shows it (snapshot-summary.ts); the
 * repository's stripes are only gone through when a record says it was committed degraded.
 */
async function summarizer (ctx: NodeContext, repo: Repository, snapshots: readonly SnapshotEntry[]): Promise<(s: SnapshotEntry) => SnapshotSummary> {
  const survives = !snapshots.some((s) => s.record.degraded) || await repositorySurvives(ctx, repo)
  return (s) => snapshotSummary(s, survives)
}

/** Appends a snapshot-forgotten fact per snapshot, FORGET_BATCH per catalog call. */
async function recordForgotten (ctx: NodeContext, repo: Repository, snapshots: ReadonlyArray<{ id: string }>): Promise<void> {
  for (let i = 0; i < snapshots.length; i += FORGET_BATCH) {
    await ctx.catalog.append(snapshots.slice(i, i + FORGET_BATCH).map((s) => ({ type: 'snapshot-forgotten' as const, repo: repo.id, snapshot: s.id })))
  }
}

function policyOf (args: ForgetArgs): KeepPolicy {
  const { keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin, keepTags } = args
  return { keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin, keepTags }
}

/**
 * Applies a retention policy to an open repository: decides which snapshots go and, unless it is
 * a dry run, records them as forgotten. Used by `forget` and by jobs after each good backup.
 */
export async function forgetIn (ctx: NodeContext, repo: Repository, policy: KeepPolicy, dryRun: boolean, selection: SnapshotSelection = {}): Promise<Omit<ForgetResult, 'prune'>> {
  // Snapshots outside the selection are neither kept nor forgotten: the policy does not see them.
  const snapshots = (await repo.listSnapshots()).filter((s) => isSelected(s.record, selection))
  const decision = applyRetention(snapshots.map((s) => ({ id: s.id, time: new Date(s.record.time), host: s.record.host, paths: s.record.paths, tags: s.record.tags, entry: s })), {
    ...(policy.keepLast === undefined ? {} : { last: policy.keepLast }),
    ...(policy.keepHourly === undefined ? {} : { hourly: policy.keepHourly }),
    ...(policy.keepDaily === undefined ? {} : { daily: policy.keepDaily }),
    ...(policy.keepWeekly === undefined ? {} : { weekly: policy.keepWeekly }),
    ...(policy.keepMonthly === undefined ? {} : { monthly: policy.keepMonthly }),
    ...(policy.keepYearly === undefined ? {} : { yearly: policy.keepYearly }),
    ...(policy.keepWithin === undefined ? {} : { withinMs: policy.keepWithin }),
    ...(policy.keepTags === undefined ? {} : { tags: policy.keepTags })
  })
  // Before anything is recorded: a failure here must not leave a forget half reported.
  const summary = await summarizer(ctx, repo, snapshots)
  if (!dryRun) await recordForgotten(ctx, repo, decision.remove)
  return {
    keep: decision.keep.map((k) => ({ ...summary(k.snapshot.entry), reasons: k.reasons })),
    remove: decision.remove.map((s) => summary(s.entry)),
    dryRun
  }
}

/**
 * Forgets the snapshots named by id, unique prefix or "latest". Every name is resolved before
 * anything is recorded, so one that matches nothing (or more than one) changes nothing.
 */
export async function forgetNamed (ctx: NodeContext, repo: Repository, refs: readonly string[], dryRun: boolean): Promise<Omit<ForgetResult, 'prune'>> {
  const all = await repo.listSnapshots()
  const named = new Map(resolveSnapshots(all, refs, repo.record.name).map((s) => [s.id, s]))
  const remove = [...named.values()]
  const summary = await summarizer(ctx, repo, all)
  if (!dryRun) await recordForgotten(ctx, repo, remove)
  const keep = all.filter((s) => !named.has(s.id))
  return { keep: keep.map((s) => ({ ...summary(s), reasons: ['not named'] })), remove: remove.map(summary), dryRun }
}

export async function forgetHandler (ctx: NodeContext, args: ForgetArgs, hc?: HandlerContext): Promise<ForgetResult> {
  const named = args.snapshots ?? []
  if (named.length > 0 && Object.values(policyOf(args)).some((v) => v !== undefined)) {
    throw new InvalidInputError('give snapshots to forget or --keep-* options, not both')
  }
  const selection = args.select ?? {}
  if (named.length > 0 && selectsSome(selection)) {
    throw new InvalidInputError('--host, --tag and --path select the snapshots a --keep-* policy applies to; snapshots named need none')
  }
  const repo = await ctx.openRepo(args.repo, args.password)
  try {
    const dryRun = args.dryRun === true
    const forgotten = named.length > 0 ? await forgetNamed(ctx, repo, named, dryRun) : await forgetIn(ctx, repo, args, dryRun, selection)
    const pruned = args.prune === true ? await pruneOpen(ctx, repo, { dryRun, ...(hc === undefined ? {} : { signal: hc.signal, hc }) }) : undefined
    return { ...forgotten, ...(pruned === undefined ? {} : { prune: pruned }) }
  } finally {
    await repo.close()
  }
}
