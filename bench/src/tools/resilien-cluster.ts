import { join } from 'node:path'
import { ResilienSite } from './resilien-site.js'
import type { ClusterStatus } from './resilien-site.js'
import { pollUntil } from '../process/poll.js'
import type { WaitOptions } from '../process/poll.js'

/** A site's name and its data dir in the cluster's root: site1, site2, ... */
export interface NamedSite {
  name: string
  site: ResilienSite
}

/**
 * A cluster of `count` sites on this machine, each a real node process, made as users make one:
 * `init` and `start` the first, then for each other `invite` on the first, `join` and `start`.
 * Returns when every site sees every other one up.
 */
export async function startCluster (root: string, count: number, env: Record<string, string>, o: WaitOptions): Promise<NamedSite[]> {
  const sites: NamedSite[] = []
  try {
    for (let i = 1; i <= count; i++) {
      const name = `site${i}`
      const site = new ResilienSite(join(root, name), env)
      sites.push({ name, site })
      const first = sites[0] as NamedSite
      if (i === 1) await site.init(name)
      else await site.join(await first.site.invite(), name)
      await site.start()
    }
    for (const { name, site } of sites) {
      await pollUntil<ClusterStatus>(`${name} to see ${count} sites up`, async () => site.status(),
        (s) => s.sites.length === count && s.sites.every((x) => x.up), o)
    }
    return sites
  } catch (err) {
    // The caller gets no sites to stop: stop them here, and say what they printed.
    const logs = sites.map(({ name, site }) => `--- ${name} node log ---\n${site.log.trimEnd()}`).join('\n')
    for (const { site } of sites) await site.stop(true)
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`)
  }
}

/** The last `lines` lines a site's node printed. */
export function logTail (site: ResilienSite, lines: number): string[] {
  return site.log.trimEnd().split('\n').slice(-lines)
}

/** A count of nothing that failed ("0 stripes failed"): a progress line, not trouble. */
const NOTHING_FAILED = /\b0 [a-z ]*failed\b/gi

/** Lines of a node's output that look like trouble (warnings, errors, failures), each once. */
export function nodeComplaints (site: ResilienSite): string[] {
  return [...new Set(site.log.split('\n').filter((l) => /warning|error|fail/i.test(l.replace(NOTHING_FAILED, ''))).map((l) => l.replace(/^\(node:\d+\) /, '')))]
}

/** Waits until each of `sites` lists `snapshot`: its catalog has reached them. */
export async function waitForSnapshot (sites: readonly NamedSite[], snapshot: string, o: WaitOptions): Promise<void> {
  for (const s of sites) {
    await pollUntil(`snapshot ${snapshot} on ${s.name}`, async () => s.site.snapshots(), (ids) => ids.includes(snapshot), o)
  }
}

/** `err` with the last `lines` lines of each node's output: the first thing to read when a cluster fails. */
export function withNodeLogs (err: unknown, sites: readonly NamedSite[], lines: number): Error {
  const logs = sites.map((s) => `--- ${s.name} node log (last ${lines} lines) ---\n${logTail(s.site, lines).join('\n')}`)
  return new Error([err instanceof Error ? err.message : String(err), ...logs].join('\n'))
}
