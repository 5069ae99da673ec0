import '@resilien/polyfill'
import { parseArgs } from 'node:util'
import { PROTOCOLS } from './fuzz-case.js'
import type { Protocol } from './fuzz-case.js'
import { FuzzFailure } from './failure.js'
import { DEFAULT_ANSWER_TIMEOUT_MS, DEFAULT_RSS_HEADROOM_MIB, runFuzz } from './fuzzer.js'
import { runCrashSuite } from './crash/index.js'
import { Scope } from './crash/scope.js'
import { integerOption, seedOption } from './cli-options.js'

/**
 * `npm run test:faults -- [--suite fuzz|crash|all] [--seed S] [--count N] [--from CASE]
 * [--protocol shard|catalog|join|all] [--points N]`: the long runs outside the default suite:
 * protocol fuzzing (10,000 cases per protocol unless told) and kill -9 at seeded points during
 * backup, prune and repair (20 per operation unless told).
 */

const DEFAULT_COUNT = 10_000
/** Kill points per operation of the crash suite. */
const DEFAULT_CRASH_POINTS = 20
/** Thorough checks (status, a normal put/get) this often: each costs a process start. */
const DEFAULT_CHECK_EVERY = 1000

function usage (message: string): never {
  console.error(`${message}\nusage: npm run test:faults -- [--suite fuzz|crash|all] [--points N] [--seed S] [--count N] [--from CASE] [--protocol ${PROTOCOLS.join('|')}|all] [--check-every N] [--rss-headroom MiB] [--keep-going] [--verbose] [--node-log FILE]`)
  process.exit(2)
}

async function main (): Promise<void> {
  let values
  try {
    ({ values } = parseArgs({
      options: {
        suite: { type: 'string' },
        points: { type: 'string' },
        seed: { type: 'string' },
        count: { type: 'string' },
        from: { type: 'string' },
        protocol: { type: 'string' },
        'check-every': { type: 'string' },
        'rss-headroom': { type: 'string' },
        'keep-going': { type: 'boolean' },
        verbose: { type: 'boolean' },
        'node-log': { type: 'string' }
      }
    }))
  } catch (err) {
    usage((err as Error).message)
  }
  // A const keeps the parsed options' type inside the closures below.
  const given = values
  const suite = given.suite ?? 'all'
  if (!['fuzz', 'crash', 'all'].includes(suite)) usage(`unknown suite ${suite}`)
  const protocol = values.protocol ?? 'all'
  if (protocol !== 'all' && !(PROTOCOLS as readonly string[]).includes(protocol)) usage(`unknown protocol ${protocol}`)
  const seed = seedOption(values.seed, usage)
  const context = new Scope()
  process.once('SIGINT', () => { void context.close().then(() => process.exit(130)) })
  try {
    if (suite !== 'crash') await fuzz()
    if (suite !== 'fuzz') {
      const crash = await runCrashSuite({ operation: 'all', seed, points: integerOption(given.points, 'points', DEFAULT_CRASH_POINTS, 1, usage), context })
      console.log(crash.summary)
      if (crash.failures.length > 0) process.exitCode = 1
    }
  } catch (err) {
    console.error(err instanceof FuzzFailure ? `\nFAILED (seed ${seed}): ${err.message}` : err)
    process.exitCode = 1
  } finally {
    await context.close()
  }

  async function fuzz (): Promise<void> {
    const report = await runFuzz(context, {
      seed,
      count: integerOption(given.count, 'count', DEFAULT_COUNT, 0, usage),
      from: integerOption(given.from, 'from', 0, 0, usage),
      protocols: protocol === 'all' ? PROTOCOLS : [protocol as Protocol],
      checkEvery: integerOption(given['check-every'], 'check-every', DEFAULT_CHECK_EVERY, 1, usage),
      rssHeadroomMiB: integerOption(given['rss-headroom'], 'rss-headroom', DEFAULT_RSS_HEADROOM_MIB, 1, usage),
      answerTimeoutMs: DEFAULT_ANSWER_TIMEOUT_MS,
      keepGoing: given['keep-going'] === true,
      verbose: given.verbose === true,
      ...(given['node-log'] === undefined ? {} : { nodeLogFile: given['node-log'] }),
      log: (line) => { console.log(line) }
    })
    console.log(`\nsummary (seed ${report.seed}):`)
    for (const summary of report.summaries) console.log(summary.toString())
    for (const stall of report.stalls) console.log(`stalled ${stall.protocol}: ${stall.label}: ${stall.outcome}`)
    console.log(`node RSS: ${report.rss}`)
    if (report.failures.length > 0) {
      console.log(`\n${report.failures.length} failures:`)
      for (const failure of report.failures) console.log(failure.message)
      process.exitCode = 1
    }
  }
}

await main()
