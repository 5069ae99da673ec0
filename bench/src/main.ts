import '@resilien/polyfill'
import { writeFileSync } from 'node:fs'
import { describeBackend } from '@resilien/hashing'
import { activeErasure } from '@resilien/erasure'
import { activeCompression } from '@resilien/compression'
import { ALL_SCENARIOS, USAGE, parseOptions, sizeOf } from './cli-options.js'
import type { BenchOptions, ScenarioName } from './cli-options.js'
import { describeFastPaths } from './fast-paths.js'
import { machineRows, renderHtml } from './html-report/html.js'
import type { HtmlScenario } from './html-report/html.js'
import { sectionsToText } from './html-report/sections.js'
import { describeMachine } from './machine.js'
import { Progress } from './progress.js'
import type { BenchReport } from './report.js'
import { runScenario } from './run-scenario.js'
import { runDatasetScenario } from './scenarios/dataset.js'
import { runCleanups } from './process/cleanup.js'

async function main (argv: string[]): Promise<number> {
  let o: BenchOptions
  try {
    o = parseOptions(argv)
  } catch (err) {
    console.error(`resilien bench: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`)
    return 2
  }
  if (o.help) {
    console.log(USAGE)
    return 0
  }
  if (o.scenario === 'dataset') {
    if (o.target === undefined) {
      console.error(`resilien bench: dataset needs --target DIR\n${USAGE}`)
      return 2
    }
    runDatasetScenario({ target: o.target, size: sizeOf(o, 'dataset'), seed: o.seed, filesScale: o.filesScale, days: o.days, log: (l) => console.log(l) })
    return 0
  }

  const activePaths = { blake3: describeBackend(), erasure: activeErasure.name, compression: activeCompression.name }
  const machine = describeMachine(activePaths, await describeFastPaths())
  const startedAt = new Date().toISOString()
  const progress = new Progress(process.stderr, { quiet: o.json })
  const names = o.scenario === 'all' ? ALL_SCENARIOS : [o.scenario]
  const outputs: Partial<Record<ScenarioName, unknown>> = {}
  const html: HtmlScenario[] = []
  const texts: string[] = []
  for (const name of names) {
    if (name === 'all' || name === 'dataset') continue
    progress.scenario(name)
    const output = await runScenario(name, o, machine, progress)
    outputs[name] = output.results
    html.push({ name, sections: output.sections })
    texts.push(sectionsToText(output.sections))
  }
  progress.done()
  const report: BenchReport<unknown> = {
    scenario: o.scenario,
    quick: o.quick,
    startedAt,
    machine,
    results: o.scenario === 'all' ? outputs : outputs[o.scenario]
  }
  const json = JSON.stringify(report, null, 2)
  if (o.out !== undefined) writeFileSync(o.out, json + '\n')
  if (o.report !== undefined) {
    writeFileSync(o.report, renderHtml({ title: `resilien bench ${o.scenario}${o.quick ? ' (quick)' : ''}`, startedAt, command: `resilien bench ${argv.join(' ')}`.trim(), machine, scenarios: html }))
  }
  const machineText = ['machine:', ...machineRows(machine).map(([k, v]) => `  ${k}: ${v}`)].join('\n')
  console.log(o.json ? json : [machineText, ...texts].join('\n\n'))
  if (o.report !== undefined) process.stderr.write(`resilien bench: report written to ${o.report}\n`)
  return 0
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  runCleanups()
  console.error(`\nresilien bench: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
})
