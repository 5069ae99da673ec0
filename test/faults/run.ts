import '@resilien/polyfill'
import { randomInt } from 'node:crypto'
import { parseArgs } from 'node:util'
import { PROTOCOLS } from './fuzz-case.js'
import type { Protocol } from './fuzz-case.js'
import { FuzzFailure } from './failure.js'
import { DEFAULT_ANSWER_TIMEOUT_MS, DEFAULT_RSS_HEADROOM_MIB, runFuzz } from './fuzzer.js'

/**
 * `npm run test:faults -- [--seed S] [--count N] [--from CASE] [--protocol shard|catalog|join|all]`:
 * the long protocol fuzzing (10,000 cases per protocol unless told), outside the default suite.
 */

const DEFAULT_COUNT = 10_000
/** Thorough checks (status, a normal put/get) this often: each costs a process start. */
const DEFAULT_CHECK_EVERY = 1000

function usage (message: string): never {
  console.error(`${message}\nusage: npm run test:faults -- [--seed S] [--count N] [--from CASE] [--protocol ${PROTOCOLS.join('|')}|all] [--check-every N] [--rss-headroom MiB] [--keep-going] [--verbose] [--node-log FILE]`)
  process.exit(2)
}

function integerOption (value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < min) usage(`--${name} must be an integer of at least ${min}`)
  return n
}

async function main (): Promise<void> {
  let values
  try {
    ({ values } = parseArgs({
      options: {
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
  const protocol = values.protocol ?? 'all'
  if (protocol !== 'all' && !(PROTOCOLS as readonly string[]).includes(protocol)) usage(`unknown protocol ${protocol}`)
  const seed = integerOption(values.seed, 'seed', randomInt(2 ** 31), 0)
  if (seed >= 2 ** 32) usage('--seed must be below 2^32')
  const afters: Array<() => Promise<void> | void> = []
  const context = { after: (fn: () => Promise<void> | void) => { afters.push(fn) } }
  const cleanUp = async (): Promise<void> => {
    for (const fn of afters.splice(0).reverse()) await Promise.resolve().then(fn).catch(() => {})
  }
  process.once('SIGINT', () => { void cleanUp().then(() => process.exit(130)) })
  try {
    const report = await runFuzz(context, {
      seed,
      count: integerOption(values.count, 'count', DEFAULT_COUNT, 0),
      from: integerOption(values.from, 'from', 0, 0),
      protocols: protocol === 'all' ? PROTOCOLS : [protocol as Protocol],
      checkEvery: integerOption(values['check-every'], 'check-every', DEFAULT_CHECK_EVERY, 1),
      rssHeadroomMiB: integerOption(values['rss-headroom'], 'rss-headroom', DEFAULT_RSS_HEADROOM_MIB, 1),
      answerTimeoutMs: DEFAULT_ANSWER_TIMEOUT_MS,
      keepGoing: values['keep-going'] === true,
      verbose: values.verbose === true,
      ...(values['node-log'] === undefined ? {} : { nodeLogFile: values['node-log'] }),
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
  } catch (err) {
    console.error(err instanceof FuzzFailure ? `\nFAILED (seed ${seed}): ${err.message}` : err)
    process.exitCode = 1
  } finally {
    await cleanUp()
  }
}

await main()
