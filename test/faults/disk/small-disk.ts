import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { CLUSTER_TEST_ENV, Site } from '../../src/index.js'
import type { TestContext } from '../../src/index.js'

const run = promisify(execFile)

/**
 * A real, small file system (tmpfs of `sizeMiB`) mounted for the test and unmounted after it:
 * writes past its size fail with ENOSPC as on a full SD card. Mounting needs root (CI runs as
 * root); anyone else gets one line saying so.
 */
export async function mountSmallDisk (t: TestContext, sizeMiB: number): Promise<string> {
  if (process.getuid?.() !== 0) throw new Error('the full-disk tests mount a small tmpfs: run them as root')
  const parent = await mkdtemp(join(tmpdir(), 'resilien-small-disk-'))
  const dir = join(parent, 'disk')
  await mkdir(dir)
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir])
  // A lazy unmount detaches the file system even while the site (killed by a later hook) still
  // holds files on it; then the folder can go.
  t.after(async () => {
    await run('umount', ['-l', dir]).catch(() => {})
    await rm(parent, { recursive: true, force: true })
  })
  return dir
}

/** `join` and `start` of a new site whose data dir is `dataDir` (e.g. on a small disk). */
export async function joinSiteAt (t: TestContext, inviter: Site, name: string, dataDir: string, env: Record<string, string> = {}): Promise<Site> {
  const invite = await inviter.run(['invite'])
  if (invite.code !== 0) throw new Error(`invite failed: ${invite.stderr}`)
  const site = new Site(join(dataDir, 'data'), name, { ...CLUSTER_TEST_ENV, ...env })
  const joined = await site.run(['join', invite.stdout.trim(), '--name', name, '--listen', '/ip4/127.0.0.1/tcp/0'])
  if (joined.code !== 0) throw new Error(`join of ${name} failed: ${joined.stderr}`)
  t.after(async () => { await site.stop('SIGKILL') })
  await site.start()
  return site
}
