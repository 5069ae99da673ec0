import type { BenchOptions, ScenarioName } from './cli-options.js'
import { sizeOf } from './cli-options.js'
import type { ReportSection } from './html-report/sections.js'
import type { MachineInfo } from './machine.js'
import type { Progress } from './progress.js'
import { runCluster } from './scenarios/cluster.js'
import { clusterSections } from './scenarios/cluster-report.js'
import { runNetwork } from './scenarios/network.js'
import { networkSections } from './scenarios/network-report.js'
import { runPrune } from './scenarios/prune.js'
import { formatPrune } from './scenarios/prune-report.js'
import { runRepair } from './scenarios/repair.js'
import { formatRepair } from './scenarios/repair-report.js'
import { runScale } from './scenarios/scale.js'
import { scaleSections } from './scenarios/scale-report.js'
import { runSingleSite } from './scenarios/single-site.js'
import { formatSingleSite } from './scenarios/single-site-report.js'
import { runStages } from './scenarios/stages.js'
import { stagesSections } from './scenarios/stages-report.js'

/** What a scenario gives: its results (the JSON) and its report (text and HTML). */
export interface ScenarioOutput {
  results: unknown
  sections: ReportSection[]
}

/** Rounds of each stage: the best one counts (see measure.ts). */
const STAGE_ROUNDS = { full: 3, quick: 1 }

/** Runs one scenario (not `all`, not `dataset`) with the progress display. */
export async function runScenario (name: Exclude<ScenarioName, 'all' | 'dataset'>, o: BenchOptions, machine: MachineInfo, progress: Progress): Promise<ScenarioOutput> {
  const log = (line: string): void => progress.log(line)
  const onStep = (step: string): void => progress.step(step)
  const size = sizeOf(o, name)
  const corpus = o.corpus === undefined ? {} : { corpus: o.corpus }
  const corpusNext = o.corpusNext === undefined ? {} : { corpusNext: o.corpusNext }
  switch (name) {
    case 'stages': {
      const results = await runStages({
        size,
        rounds: o.quick ? STAGE_ROUNDS.quick : STAGE_ROUNDS.full,
        onResult: (r) => log(`  ${r.stage} (${r.variant}): ${r.mbPerSecond.toFixed(0)} MB/s`),
        onStep
      })
      return { results, sections: stagesSections(results, machine, o.quick) }
    }
    case 'network': {
      const results = await runNetwork({ totalBytes: size, shardBytes: o.shardBytes, streams: o.streams, log, onStep })
      return { results, sections: networkSections(results, machine, o.quick) }
    }
    case 'cluster': {
      const results = await runCluster({ size, seed: o.seed, filesScale: o.filesScale, ...corpus, ...corpusNext, peers: { restic: o.restic, borg: o.borg }, log, onStep })
      return { results, sections: clusterSections(results, machine, o.quick) }
    }
    case 'scale': {
      const results = await runScale({ size, seed: o.seed, log, onStep })
      return { results, sections: scaleSections(results, machine, o.quick) }
    }
    case 'single-site': {
      const results = await runSingleSite({ size, seed: o.seed, filesScale: o.filesScale, ...corpus, ...corpusNext, scaleFactor: o.scaleFactor, restic: o.restic, log })
      return { results, sections: [{ preformatted: formatSingleSite(results, machine, o.quick) }] }
    }
    case 'repair': {
      const results = await runRepair({ size, seed: o.seed, filesScale: o.filesScale, ...corpus, log })
      return { results, sections: [{ preformatted: formatRepair(results, machine, o.quick) }] }
    }
    case 'prune': {
      const results = await runPrune({ size, seed: o.seed, filesScale: o.filesScale, scaleFactor: o.scaleFactor, log })
      return { results, sections: [{ preformatted: formatPrune(results, machine, o.quick) }] }
    }
  }
}
