#!/usr/bin/env node
// npm run test:arm64 [-- --node 22] [--tests FILTER]... [--no-tests] [--no-bench]
// Runs the project as linux-arm64 under qemu-user on this x86-64 machine: fetches the emulator,
// the arm64 Node and its C runtime, makes an arm64 copy of the project, then checks which fast
// paths load, runs the unit tests and `bench stages --quick`, and closes with a summary.
// Emulated timings mean nothing; correctness and the choice of paths do.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { runEmulated } from './emulate.mjs'
import { judge, judgeBenchPaths } from './expectations.mjs'
import { LOGS, PROBE_MARKER } from './layout.mjs'
import { StepError } from './step.mjs'
import { formatSummary } from './summary.mjs'
import { testResults } from './test-results.mjs'
import { ensureNode, ensureQemu, ensureSysroot, verifyToolchain } from './toolchain.mjs'
import { prepareTree } from './tree.mjs'

/**
 * The packages' tests and the node's and bench's unit tests; test/ starts clusters of node
 * processes through the CLI, too slow under emulation (`--tests test/` runs it anyway).
 */
const DEFAULT_TEST_FILTERS = ['packages/', 'node/dist/', 'bench/dist/']
const BENCH_OUT = join(LOGS, 'bench-stages.json')

const { values } = parseArgs({
  options: {
    node: { type: 'string' },
    tests: { type: 'string', multiple: true },
    'no-tests': { type: 'boolean', default: false },
    'no-bench': { type: 'boolean', default: false }
  }
})

const steps = []

/** Runs one step, timed; a setup failure ends the run with one line. */
async function step (name, work) {
  const started = process.hrtime.bigint()
  console.log(`test:arm64: ${name}...`)
  try {
    return await work()
  } catch (error) {
    const message = error instanceof StepError ? error.message : (error?.stack ?? String(error))
    console.error(`test:arm64: ${name} failed: ${message}`)
    process.exit(1)
  } finally {
    steps.push({ name, seconds: Number(process.hrtime.bigint() - started) / 1e9 })
  }
}

const qemu = await step('qemu', () => ensureQemu())
const { node, version } = await step('arm64 node', () => ensureNode(values.node))
const sysroot = await step('arm64 sysroot', () => ensureSysroot())
const toolchain = { qemu, node, sysroot }
const emulated = await step('check toolchain', () => verifyToolchain(toolchain))
const { actions } = await step('arm64 copy', () => prepareTree())

const run = { toolchain: `${qemu}, Node ${emulated}, sysroot ${sysroot}`, actions, steps }

run.paths = await step('fast paths', async () => {
  const { output, status } = await runEmulated(toolchain, ['scripts/arm64/probe-paths.mjs'], 'probe.log')
  const line = output.split('\n').find((l) => l.startsWith(PROBE_MARKER))
  if (line === undefined) throw new StepError(`the probe printed no report (exit ${status}); see ${join(LOGS, 'probe.log')}`)
  return judge(JSON.parse(line.slice(PROBE_MARKER.length)))
})

if (!values['no-tests']) {
  const filters = values.tests ?? DEFAULT_TEST_FILTERS
  run.tests = await step('unit tests', async () => {
    const { output, status } = await runEmulated(toolchain, ['scripts/run-tests.mjs', ...filters], 'tests.log')
    return { filters, ...testResults(output, status) }
  })
}

if (!values['no-bench']) {
  run.bench = await step('bench stages', async () => {
    rmSync(BENCH_OUT, { force: true })
    const { status } = await runEmulated(toolchain, ['bench/dist/src/main.js', 'stages', '--quick', '--out', BENCH_OUT], 'bench.log')
    if (status !== 0) return { status, stages: 0, mismatches: [`bench exited ${status}`] }
    const report = JSON.parse(readFileSync(BENCH_OUT, 'utf8'))
    const { activePaths } = report.machine
    const mismatches = judgeBenchPaths(activePaths, version)
    if (report.machine.arch !== 'arm64') mismatches.push(`the bench ran as ${report.machine.arch}`)
    // results: a list of stages, or { results, unavailable } in the newer report.
    const stages = Array.isArray(report.results) ? report.results : (report.results?.results ?? [])
    return { status, activePaths, stages: stages.length, mismatches }
  })
}

run.passed = run.paths.every((p) => p.ok) &&
  (run.tests === undefined || run.tests.ok) &&
  (run.bench === undefined || (run.bench.status === 0 && run.bench.mismatches.length === 0))
const summary = formatSummary(run)
writeFileSync(join(LOGS, 'summary.txt'), summary + '\n')
console.log(`\n${summary}\n(logs: ${LOGS})`)
process.exitCode = run.passed ? 0 : 1
