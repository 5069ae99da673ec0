import '@resilien/polyfill'
import { parseArgs } from 'node:util'
import { writeFileSync } from 'node:fs'
import { describeBackend } from '@resilien/hashing'
import { activeErasure } from '@resilien/erasure'
import { activeCompression } from '@resilien/compression'
import { describeMachine } from './machine.js'
import { formatTable } from './report.js'
import type { BenchReport } from './report.js'
import { runStages } from './scenarios/stages.js'

const USAGE = `usage: npm run bench -- <scenario> [--quick] [--json] [--out FILE]
scenarios:
  stages    per-stage throughput of hash, chunk, seal, compress and erasure code`

const MiB = 1024 * 1024

async function main (): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  const scenario = positionals[0] ?? 'stages'
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (scenario !== 'stages') {
    console.error(`resilien bench: unknown scenario "${scenario}"\n${USAGE}`)
    return 2
  }
  const activePaths = {
    blake3: describeBackend(),
    erasure: activeErasure.name,
    compression: activeCompression.name
  }
  const report: BenchReport = {
    scenario,
    quick: values.quick,
    startedAt: new Date().toISOString(),
    machine: describeMachine(activePaths),
    results: []
  }
  const progress = values.json ? undefined : (r: { stage: string, variant: string, mbPerSecond: number }): void => {
    process.stderr.write(`  ${r.stage} (${r.variant}): ${r.mbPerSecond.toFixed(0)} MB/s\n`)
  }
  report.results = await runStages({
    size: values.quick ? 32 * MiB : 256 * MiB,
    rounds: values.quick ? 1 : 3,
    ...(progress === undefined ? {} : { onResult: progress })
  })
  const json = JSON.stringify(report, null, 2)
  if (values.out !== undefined) writeFileSync(values.out, json + '\n')
  console.log(values.json ? json : formatTable(report))
  return 0
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  console.error(`resilien bench: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
})
