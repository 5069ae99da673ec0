import { Command } from 'commander'
import { dataDir, loadNode } from '../context.js'
import type { GlobalOptions } from '../context.js'

export function startCommand (): Command {
  return new Command('start')
    .description('run the site node in the foreground (SIGTERM or Ctrl-C stops it cleanly)')
    .action(async (_opts: unknown, cmd: Command) => {
      const node = await (await loadNode()).startSiteNode({ dataDir: dataDir(cmd.optsWithGlobals<GlobalOptions>()) })
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGTERM', stop)
          process.off('SIGINT', stop)
          node.stop().then(resolve, resolve)
        }
        process.on('SIGTERM', stop)
        process.on('SIGINT', stop)
      })
    })
}
