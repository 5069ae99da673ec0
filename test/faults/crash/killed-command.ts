import type { RunResult, Site } from '../../src/index.js'
import { COMMAND_TIMEOUT_MS } from './cluster-checks.js'
import type { KillSchedule } from './phases.js'
import { killOnSchedule } from './scheduled-kill.js'
import type { ScheduledKill } from './scheduled-kill.js'
import type { ShardPutProbe } from './shard-put-probe.js'

export interface KilledCommand extends ScheduledKill {
  result: RunResult
  startedAt: number
}

/** Runs `resilien ARGS` on `site` in the background and SIGKILLs `site`'s node on `schedule` (see killOnSchedule). */
export async function runAndKill (site: Site, args: readonly string[], schedule: KillSchedule, capMs: number, probe: ShardPutProbe): Promise<KilledCommand> {
  const startedAt = performance.now()
  const running = site.run(args, { timeoutMs: COMMAND_TIMEOUT_MS })
  const kill = await killOnSchedule(site, probe, startedAt, schedule, capMs, running)
  return { ...kill, result: await running, startedAt }
}
