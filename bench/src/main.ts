import '@resilien/polyfill'
import { parseArgs } from 'node:util'
import { writeFileSync } from 'node:fs'
import { describeBackend } from '@resilien/hashing'
import { activeErasure } from '@resilien/erasure'
import { activeCompression } from '@resilien/compression'
import { describeMachine } from './machine.js'
import type { MachineInfo } from './machine.js'
import { formatTable } from './report.js'
import type { BenchReport } from './report.js'
import { runStages } from './scenarios/stages.js'
import { runSingleSite } from './scenarios/single-site.js'
import { formatSingleSite } from './scenarios/single-site-report.js'
import { runCluster } from './scenarios/cluster.js'
import { formatCluster } from './scenarios/cluster-report.js'
import { runDatasetScenario } from './scenarios/dataset.js'
import { runRepair } from './scenarios/repair.js'
import { formatRepair } from './scenarios/repair-report.js'
import { runPrune } from './scenarios/prune.js'
import { formatPrune } from './scenarios/prune-report.js'
import { DEFAULT_DATASET_SIZE, DEFAULT_SEED, QUICK_DATASET_SIZE } from './dataset/index.js'
import { parseSize } from './size-option.js'
import { runCleanups } from './process/cleanup.js'

const USAGE = `usage: npm run bench -- <scenario> [--quick] [--json] [--out FILE] [options]
scenarios:
  stages       per-stage throughput of hash, chunk, seal, compress and erasure code
  single-site  one site through the CLI against restic: first, unchanged and next-day backups,
               restore, and the node's memory at 1x and 4x the data
  cluster      three sites (2+1) through the CLI against restic: first backup, then restore on a
               survivor after kill -9 of the backup's site; CPU of every process, memory per node
  repair       four sites (2+1), one killed and declared lost: time and MB/s until its shards are
               rebuilt, without and with a repair bandwidth cap; CPU and memory per node
  prune        one site: four backups, half of the bytes new each time, then forget --keep-last 1
               --prune; the node's peak RSS at 1x and --scale x the size
  dataset      only write the generated data set (day 0, then --days more days) to --target DIR
options of single-site, cluster, repair, prune and dataset:
  --size SIZE         day 0's size (default 1GiB, repair 512MiB, prune 256MiB; with --quick
                      64MiB, prune 32MiB)
  --files-scale N     N times the small files at the same size (default 1)
  --seed N            data set seed (default ${DEFAULT_SEED})
options of single-site, cluster and repair:
  --corpus DIR        use this tree as day 0 instead of the generator (e.g. ../shared/corpus snapshots)
options of single-site and cluster:
  --no-restic         do not compare with restic
options of single-site and prune:
  --scale N           data multiple of the memory check (default 4; 0 skips it in single-site)
options of single-site:
  --corpus-next DIR   ... and this one as day 1
options of dataset:
  --target DIR        where to write (must not exist or be empty)
  --days N            days of change to apply after day 0 (default 0)`

const MiB = 1024 * 1024
const DEFAULT_SCALE = 4
/** Day 0's size where a scenario's differs from the data set's default: [default, with --quick]. */
const SCENARIO_SIZES: Record<string, readonly [number, number]> = {
  repair: [512 * MiB, QUICK_DATASET_SIZE],
  prune: [256 * MiB, 32 * MiB]
}
const SCENARIOS = ['stages', 'single-site', 'cluster', 'repair', 'prune', 'dataset']

async function main (): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      size: { type: 'string' },
      'files-scale': { type: 'string', default: '1' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      corpus: { type: 'string' },
      'corpus-next': { type: 'string' },
      scale: { type: 'string', default: String(DEFAULT_SCALE) },
      'no-restic': { type: 'boolean', default: false },
      target: { type: 'string' },
      days: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  const scenario = positionals[0] ?? 'stages'
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (!SCENARIOS.includes(scenario)) {
    console.error(`resilien bench: unknown scenario "${scenario}"\n${USAGE}`)
    return 2
  }
  const [defaultSize, quickSize] = SCENARIO_SIZES[scenario] ?? [DEFAULT_DATASET_SIZE, QUICK_DATASET_SIZE]
  const size = values.size === undefined ? (values.quick ? quickSize : defaultSize) : parseSize(values.size)
  const filesScale = Number(values['files-scale'])
  const seed = Number(values.seed)
  if (!(filesScale >= 1) || !Number.isInteger(seed)) {
    console.error(`resilien bench: --files-scale must be >= 1 and --seed an integer\n${USAGE}`)
    return 2
  }
  const progress = (line: string): void => {
    if (!values.json) process.stderr.write(line + '\n')
  }
  if (scenario === 'dataset') {
    if (values.target === undefined) {
      console.error(`resilien bench: dataset needs --target DIR\n${USAGE}`)
      return 2
    }
    runDatasetScenario({ target: values.target, size, seed, filesScale, days: Number(values.days), log: (l) => console.log(l) })
    return 0
  }

  const activePaths = {
    blake3: describeBackend(),
    erasure: activeErasure.name,
    compression: activeCompression.name
  }
  const machine: MachineInfo = describeMachine(activePaths)
  const header = { scenario, quick: values.quick, startedAt: new Date().toISOString(), machine }
  let json: string
  let text: string
  if (scenario === 'single-site') {
    const results = await runSingleSite({
      size,
      seed,
      filesScale,
      ...(values.corpus === undefined ? {} : { corpus: values.corpus }),
      ...(values['corpus-next'] === undefined ? {} : { corpusNext: values['corpus-next'] }),
      scaleFactor: Number(values.scale),
      restic: !values['no-restic'],
      log: progress
    })
    const report: BenchReport<typeof results> = { ...header, results }
    json = JSON.stringify(report, null, 2)
    text = formatSingleSite(results, machine, values.quick)
  } else if (scenario === 'cluster') {
    const results = await runCluster({
      size,
      seed,
      filesScale,
      ...(values.corpus === undefined ? {} : { corpus: values.corpus }),
      restic: !values['no-restic'],
      log: progress
    })
    const report: BenchReport<typeof results> = { ...header, results }
    json = JSON.stringify(report, null, 2)
    text = formatCluster(results, machine, values.quick)
  } else if (scenario === 'repair') {
    const results = await runRepair({
      size,
      seed,
      filesScale,
      ...(values.corpus === undefined ? {} : { corpus: values.corpus }),
      log: progress
    })
    const report: BenchReport<typeof results> = { ...header, results }
    json = JSON.stringify(report, null, 2)
    text = formatRepair(results, machine, values.quick)
  } else if (scenario === 'prune') {
    const results = await runPrune({ size, seed, filesScale, scaleFactor: Number(values.scale), log: progress })
    const report: BenchReport<typeof results> = { ...header, results }
    json = JSON.stringify(report, null, 2)
    text = formatPrune(results, machine, values.quick)
  } else {
    const report: BenchReport = { ...header, results: [] }
    report.results = await runStages({
      size: values.quick ? 32 * MiB : 256 * MiB,
      rounds: values.quick ? 1 : 3,
      onResult: (r) => progress(`  ${r.stage} (${r.variant}): ${r.mbPerSecond.toFixed(0)} MB/s`)
    })
    json = JSON.stringify(report, null, 2)
    text = formatTable(report)
  }
  if (values.out !== undefined) writeFileSync(values.out, json + '\n')
  console.log(values.json ? json : text)
  return 0
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  runCleanups()
  console.error(`resilien bench: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
})
