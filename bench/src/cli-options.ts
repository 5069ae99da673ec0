import { parseArgs } from 'node:util'
import { DEFAULT_DATASET_SIZE, DEFAULT_SEED, QUICK_DATASET_SIZE } from './dataset/index.js'
import { parseSize } from './size-option.js'
import { DEFAULT_SHARD_BYTES, DEFAULT_STREAMS } from './scenarios/network.js'

export const USAGE = `usage: resilien bench [scenario] [--quick] [--json] [--out FILE] [--report FILE.html] [options]
       (or npm run bench -- [scenario] ...; from the repository root after npx tsc -b)
scenarios:
  all          (default) stages, network, cluster with its peers, and scale, in one run and one report
  stages       per-stage MB/s, native and fallback: hash, chunk, seal, compress, erasure code, store write with fsync
  network      shard transfer between two site processes on this machine: put and get, 1 and several streams;
               MB/s, CPU s/GB and peak RSS of each side, bytes on the wire
  cluster      three sites (2+1) through the CLI, with restic and borg on the same data: first backup,
               next-day backup, unchanged re-backup, restore with all sites up, restore with one killed
  scale        the cluster scenario (no peers) at 1x, 2x and 4x the size and at 10x the file count
  single-site  one site through the CLI against restic: first, unchanged and next-day backups,
               restore, and the node's memory at 1x and 4x the data
  repair       four sites (2+1), one killed and declared lost: time and MB/s until its shards are
               rebuilt, without and with a repair bandwidth cap; CPU and memory per node
  prune        one site: four backups, half of the bytes new each time, then forget --keep-last 1
               --prune; the node's peak RSS at 1x and --scale x the size
  dataset      only write the generated data set (day 0, then --days more days) to --target DIR
output:
  --quick             a short run (CI): small data, one round
  --json              print the whole result as JSON (progress lines go to stderr, or not at all)
  --out FILE          also write the JSON to FILE
  --report FILE.html  write the HTML report there (default: next to --out as .html, else
                      ./bench-report.html); --no-report writes none
options of the scenarios with data:
  --size SIZE         day 0's size (cluster, single-site 1GiB; scale's 1x 256MiB; repair 512MiB;
                      prune 256MiB; network: shard bytes per transfer 512MiB; stages 256MiB;
                      with --quick: 64MiB, scale 16MiB, prune 32MiB, stages 32MiB)
  --files-scale N     N times the small files at the same size (default 1)
  --seed N            data set seed (default ${DEFAULT_SEED})
  --corpus DIR        use this tree as day 0 instead of the generator (single-site, cluster, repair)
  --corpus-next DIR   ... and this one as day 1 (single-site, cluster)
  --no-restic         do not compare with restic (single-site, cluster)
  --no-borg           do not compare with borg (cluster)
  --scale N           data multiple of the memory check (single-site, prune; default 4; 0 skips it in single-site)
options of network:
  --streams LIST      concurrent requests of each transfer (default ${DEFAULT_STREAMS.join(',')})
  --shard SIZE        shard size (default ${DEFAULT_SHARD_BYTES / 2 ** 20}MiB)
options of dataset:
  --target DIR        where to write (must not exist or be empty)
  --days N            days of change to apply after day 0 (default 0)`

const MiB = 1024 * 1024
export const DEFAULT_SCALE = 4
export const SCENARIOS = ['all', 'stages', 'network', 'cluster', 'scale', 'single-site', 'repair', 'prune', 'dataset'] as const
export type ScenarioName = typeof SCENARIOS[number]
/** The scenarios `all` runs, in order: the building blocks first, the long runs last. */
export const ALL_SCENARIOS: readonly ScenarioName[] = ['stages', 'network', 'cluster', 'scale']

/** Day 0's size (or the bytes a scenario moves) where it differs from the data set's: [default, with --quick]. */
const SCENARIO_SIZES: Partial<Record<ScenarioName, readonly [number, number]>> = {
  stages: [256 * MiB, 32 * MiB],
  network: [512 * MiB, QUICK_DATASET_SIZE],
  scale: [256 * MiB, 16 * MiB],
  repair: [512 * MiB, QUICK_DATASET_SIZE],
  prune: [256 * MiB, 32 * MiB]
}

export interface BenchOptions {
  scenario: ScenarioName
  quick: boolean
  json: boolean
  out: string | undefined
  /** Where the HTML report goes; undefined: none. */
  report: string | undefined
  /** --size as given (each scenario has its default). */
  size: number | undefined
  filesScale: number
  seed: number
  corpus: string | undefined
  corpusNext: string | undefined
  restic: boolean
  borg: boolean
  scaleFactor: number
  streams: number[]
  shardBytes: number
  target: string | undefined
  days: number
  help: boolean
}

/** The report's path: --report, else --out with .html, else bench-report.html here. */
export function reportPath (report: string | undefined, out: string | undefined, noReport: boolean): string | undefined {
  if (noReport) return undefined
  if (report !== undefined) return report
  if (out !== undefined) return /\.json$/i.test(out) ? out.replace(/\.json$/i, '.html') : `${out}.html`
  return 'bench-report.html'
}

/** Day 0's size of `scenario`: --size, else its default (quick or not). */
export function sizeOf (o: BenchOptions, scenario: ScenarioName): number {
  if (o.size !== undefined) return o.size
  const [full, quick] = SCENARIO_SIZES[scenario] ?? [DEFAULT_DATASET_SIZE, QUICK_DATASET_SIZE]
  return o.quick ? quick : full
}

/** The command line's options; throws a usage error (the message says what is wrong). */
export function parseOptions (argv: string[]): BenchOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      report: { type: 'string' },
      'no-report': { type: 'boolean', default: false },
      size: { type: 'string' },
      'files-scale': { type: 'string', default: '1' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      corpus: { type: 'string' },
      'corpus-next': { type: 'string' },
      scale: { type: 'string', default: String(DEFAULT_SCALE) },
      'no-restic': { type: 'boolean', default: false },
      'no-borg': { type: 'boolean', default: false },
      streams: { type: 'string', default: DEFAULT_STREAMS.join(',') },
      shard: { type: 'string' },
      target: { type: 'string' },
      days: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  const scenario = positionals[0] ?? 'all'
  if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new Error(`unknown scenario "${scenario}"`)
  if (positionals.length > 1) throw new Error(`one scenario at a time (got ${positionals.join(' ')})`)
  const filesScale = Number(values['files-scale'])
  const seed = Number(values.seed)
  if (!(filesScale >= 1) || !Number.isInteger(seed)) throw new Error('--files-scale must be >= 1 and --seed an integer')
  const streams = values.streams.split(',').map(Number)
  if (streams.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--streams is a list of positive integers, e.g. 1,4')
  return {
    scenario: scenario as ScenarioName,
    quick: values.quick,
    json: values.json,
    out: values.out,
    report: reportPath(values.report, values.out, values['no-report']),
    size: values.size === undefined ? undefined : parseSize(values.size),
    filesScale,
    seed,
    corpus: values.corpus,
    corpusNext: values['corpus-next'],
    restic: !values['no-restic'],
    borg: !values['no-borg'],
    scaleFactor: Number(values.scale),
    streams,
    shardBytes: values.shard === undefined ? DEFAULT_SHARD_BYTES : parseSize(values.shard),
    target: values.target,
    days: Number(values.days),
    help: values.help
  }
}
