import { join } from 'node:path'
import { Site, siteTempDir } from './site-process.js'
import type { TestContext } from './site-process.js'
import type { StatusResult } from '@resilien/control'

/** Timers of a test cluster: sync and redial within a second or two instead of 10 s and 1 min. */
export const CLUSTER_TEST_ENV: Record<string, string> = {
  RESILIEN_SYNC_INTERVAL: '1s',
  RESILIEN_REDIAL_MAX: '2s'
}

/** `resilien status --json`: the control API's shape. */
export type StatusJson = StatusResult

export async function statusOf (site: Site): Promise<StatusJson> {
  const r = await site.run(['status', '--json'])
  if (r.code !== 0) throw new Error(`status on ${site.name} failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as StatusJson
}

/** Polls `check` until it holds or `timeoutMs` passes (then throws with what was last seen). */
export async function waitFor<T> (what: string, probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  while (Date.now() < deadline) {
    last = await probe()
    if (check(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`)
}

/** Waits until `site` knows `count` sites and sees every one of them up. */
export async function waitAllUp (site: Site, count: number, timeoutMs = 30_000): Promise<StatusJson> {
  return waitFor(`${site.name} to see ${count} sites up`, async () => statusOf(site),
    (s) => s.sites.length === count && s.sites.every((x) => x.up), timeoutMs)
}

/** `resilien invite` on `inviter`, then `join` and `start` of a new site; it is killed after the test. */
export async function joinSite (t: TestContext, inviter: Site, name: string, env: Record<string, string | undefined> = {}, options: { zone?: string } = {}): Promise<Site> {
  const invite = await inviter.run(['invite'])
  if (invite.code !== 0) throw new Error(`invite failed: ${invite.stderr}`)
  let made: Site | undefined
  const root = await siteTempDir(t, () => made)
  const site = new Site(join(root, 'data'), name, { ...CLUSTER_TEST_ENV, ...env })
  made = site
  const join_ = await site.run(['join', invite.stdout.trim(), '--name', name, '--listen', '/ip4/127.0.0.1/tcp/0', ...(options.zone === undefined ? [] : ['--zone', options.zone])])
  if (join_.code !== 0) throw new Error(`join of ${name} failed: ${join_.stderr}`)
  t.after(async () => { await site.stop('SIGKILL') })
  await site.start()
  return site
}

/** A cluster of `count` started sites (site1 made it, the others joined through invites), all seeing each other. */
export async function newCluster (t: TestContext, count: number, env: Record<string, string | undefined> = {}): Promise<Site[]> {
  let made: Site | undefined
  const root = await siteTempDir(t, () => made)
  const first = new Site(join(root, 'data'), 'site1', { ...CLUSTER_TEST_ENV, ...env })
  made = first
  const init = await first.run(['init', '--name', 'site1', '--listen', '/ip4/127.0.0.1/tcp/0'])
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`)
  t.after(async () => { await first.stop('SIGKILL') })
  await first.start()
  const sites = [first]
  for (let i = 2; i <= count; i++) sites.push(await joinSite(t, first, `site${i}`, env))
  for (const site of sites) await waitAllUp(site, count)
  return sites
}
