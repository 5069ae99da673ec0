import { readFile } from 'node:fs/promises'
import { openSync, closeSync } from 'node:fs'
import { ReadStream, WriteStream } from 'node:tty'
import { UsageError } from './errors.js'

/**
 * The repository passphrase, from (in order) --password-file, RESILIEN_PASSWORD (or `envName`),
 * or a prompt on the terminal with echo off. No terminal and no passphrase is a usage error,
 * never a hang.
 */
export async function readPassword (options: { passwordFile?: string }, prompt = 'repository passphrase: ', envName = 'RESILIEN_PASSWORD'): Promise<string> {
  if (options.passwordFile !== undefined) {
    let text: string
    try {
      text = await readFile(options.passwordFile, 'utf8')
    } catch (err) {
      throw new UsageError(`cannot read the password file ${options.passwordFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    // Like restic: the first line, without its line break.
    const line = text.split(/\r?\n/)[0] ?? ''
    if (line === '') throw new UsageError(`the password file ${options.passwordFile} is empty`)
    return line
  }
  const env = process.env[envName]
  if (env !== undefined && env !== '') return env
  return promptOnTerminal(prompt, 'a passphrase is needed: set RESILIEN_PASSWORD, pass --password-file FILE, or run on a terminal')
}

/**
 * A new passphrase: --new-password-file, RESILIEN_NEW_PASSWORD, or typed twice on the terminal
 * (a typo in a passphrase no one can see would lock its owner out).
 */
export async function readNewPassword (options: { newPasswordFile?: string }): Promise<string> {
  if (options.newPasswordFile !== undefined || (process.env.RESILIEN_NEW_PASSWORD ?? '') !== '') {
    return await readPassword({ ...(options.newPasswordFile === undefined ? {} : { passwordFile: options.newPasswordFile }) }, 'new passphrase: ', 'RESILIEN_NEW_PASSWORD')
  }
  const missing = 'a new passphrase is needed: set RESILIEN_NEW_PASSWORD, pass --new-password-file FILE, or run on a terminal'
  const first = await promptOnTerminal('new passphrase: ', missing)
  if (first === '') throw new UsageError('the new passphrase is empty')
  if (await promptOnTerminal('new passphrase again: ', missing) !== first) throw new UsageError('the two passphrases differ: nothing was changed')
  return first
}

/** Reads a line from the terminal with echo off; `missing` is the usage error without one. */
async function promptOnTerminal (prompt: string, missing: string): Promise<string> {
  let fd: number
  try {
    fd = openSync('/dev/tty', 'r+')
  } catch {
    throw new UsageError(missing)
  }
  const input = new ReadStream(fd)
  const output = new WriteStream(fd)
  output.write(prompt)
  input.setRawMode(true)
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = ''
      input.on('data', (buf: Buffer) => {
        for (const ch of buf.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return resolve(value)
          if (ch === '\u0003') return reject(new UsageError('interrupted'))
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
          else value += ch
        }
      })
    })
  } finally {
    output.write('\n')
    input.setRawMode(false)
    input.destroy()
    closeSync(fd)
  }
}
