import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'

/** This install's version: the one npm knows, from the CLI package's package.json. */
export function resilienVersion (): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

/** `resilien version` (restic's command; `--version` prints the number alone). */
export function versionCommand (): Command {
  return new Command('version')
    .description('print the version of resilien and of the Node.js that runs it')
    .action((_opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const info = { version: resilienVersion(), node: process.version, platform: process.platform, arch: process.arch }
      if (g.json === true) printJson(info)
      else console.log(`resilien ${info.version} (Node.js ${info.node}, ${info.platform}/${info.arch})`)
    })
}
