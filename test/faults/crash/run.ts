import '@resilien/polyfill'
import { parseArgs } from 'node:util'
import { OPERATIONS } from './crash-points.js'
import type { Operation } from './crash-points.js'
import { DEFAULT_RESTORE_EVERY, runCrashSuite } from './crash-suite.js'
import { Scope } from './scope.js'
import { integerOption, seedOption } from '../cli-options.js'

/**
 * `node test/dist/faults/crash/run.js [--operation backup|prune|repair|all] [--seed S] [--points N]
 * [--only I] [--tree short|full] [--restore-every N] [--keep-going]`: kill -9 at N seeded points
 * of each operation (20 unless told), outside the default suite. Exit 1 when a promise broke.
 */

const DEFAULT_POINTS = 20

function usage (message: string): never {
  console.error(`${message}\nusage: node test/dist/faults/crash/run.js [--operation ${OPERATIONS.join('|')}|all] [--seed S] [--points N] [--only I] [--tree short|full] [--restore-every N] [--keep-going]`)
  process.exit(2)
}

async function main (): Promise<void> {
  let values
  try {
    ({ values } = parseArgs({
      options: {
        operation: { type: 'string' },
        seed: { type: 'string' },
        points: { type: 'string' },
        only: { type: 'string' },
        tree: { type: 'string' },
        'restore-every': { type: 'string' },
        'keep-going': { type: 'boolean' }
      }
    }))
  } catch (err) {
    usage((err as Error).message)
  }
  const operation = values.operation ?? 'all'
  if (operation !== 'all' && !(OPERATIONS as readonly string[]).includes(operation)) usage(`unknown operation ${operation}`)
  const tree = values.tree ?? 'full'
  if (tree !== 'short' && tree !== 'full') usage('--tree must be short or full')
  const seed = seedOption(values.seed, usage)
  const points = integerOption(values.points, 'points', DEFAULT_POINTS, 1, usage)
  const only = values.only === undefined ? undefined : integerOption(values.only, 'only', 0, 0, usage)
  if (only !== undefined && only >= points) usage('--only must be below --points')
  // Cleans up the clusters on Ctrl-C too.
  const context = new Scope()
  process.once('SIGINT', () => { void context.close().then(() => process.exit(130)) })
  try {
    const report = await runCrashSuite({
      operation: operation as Operation | 'all',
      seed,
      points,
      ...(only === undefined ? {} : { only }),
      tree,
      restoreEvery: integerOption(values['restore-every'], 'restore-every', DEFAULT_RESTORE_EVERY, 1, usage),
      keepGoing: values['keep-going'] === true,
      context
    })
    console.log(`\n${report.summary}`)
    if (report.failures.length > 0) process.exitCode = 1
  } finally {
    await context.close()
  }
}

await main()
