import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import type { GlobalOptions } from '../context.js'
import { ExitCode, ExitWith } from '../errors.js'

/** The bench's program in the repository (built by `npx tsc -b bench`): this command only forwards to it. */
const BENCH_MAIN = fileURLToPath(new URL('../../../../bench/dist/src/main.js', import.meta.url))

/** `resilien bench [scenario] [options]`: runs the bench with the same arguments, in a process of its own. */
export function benchCommand (): Command {
  return new Command('bench')
    .description('benchmarks: stages, network, a 3-site cluster beside restic and borg, scale (resilien bench --help)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]', 'the scenario and its options, as the bench takes them')
    .action(async (_args: string[], _opts: object, cmd: Command) => {
      if (!existsSync(BENCH_MAIN)) {
        throw new ExitWith(ExitCode.failure, `the bench is not built here (${BENCH_MAIN} is missing): run npx tsc -b bench in the repository`)
      }
      // --json is a global option: the program took it, the bench needs it.
      const json = cmd.optsWithGlobals<GlobalOptions>().json === true ? ['--json'] : []
      const child = spawn(process.execPath, [BENCH_MAIN, ...cmd.args, ...json], { stdio: 'inherit' })
      // The bench stops its sites and removes its temp folders on SIGINT and SIGTERM: Ctrl-C
      // reaches it anyway (same process group), a SIGTERM to this process is passed on; this
      // process waits for it either way.
      const ignore = (): void => {}
      const forward = (): void => { child.kill('SIGTERM') }
      process.on('SIGINT', ignore)
      process.on('SIGTERM', forward)
      try {
        const code = await new Promise<number>((resolve, reject) => {
          child.once('error', reject)
          child.once('exit', (c, signal) => resolve(c ?? (signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.failure)))
        })
        if (code !== 0) throw new ExitWith(code)
      } finally {
        process.off('SIGINT', ignore)
        process.off('SIGTERM', forward)
      }
    })
}
