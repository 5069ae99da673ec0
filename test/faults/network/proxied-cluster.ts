import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { CLUSTER_TEST_ENV, Site, tempDir, waitAllUp } from '../../src/index.js'
import type { TestContext } from '../../src/index.js'
import { FaultProxy } from './fault-proxy.js'

/** Site i listens and dials from 127.0.0.(BASE + i): the proxies tell the sites apart by source address. */
const SITE_ADDRESS_BASE = 10
/** Site i's proxy listens on 127.0.1.(BASE + i). */
const PROXY_NET = '127.0.1'

export interface ProxiedSite {
  site: Site
  /** The site's own loopback address (its listen and dial-from address). */
  address: string
  /** Every other site reaches this one through this proxy. */
  proxy: FaultProxy
}

async function freePort (host: string): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * A cluster of `count` real sites on loopback in which every connection to a site goes through
 * its FaultProxy: site i listens on 127.0.0.(10+i), dials from there, and announces its proxy's
 * address, so delays, cuts and partitions apply to all traffic between sites.
 */
export async function newProxiedCluster (t: TestContext, count: number, env: Record<string, string> = {}): Promise<ProxiedSite[]> {
  const root = await tempDir(t)
  const sites: ProxiedSite[] = []
  for (let i = 1; i <= count; i++) {
    const address = `127.0.0.${SITE_ADDRESS_BASE + i}`
    const port = await freePort(address)
    const proxy = new FaultProxy(`${PROXY_NET}.${SITE_ADDRESS_BASE + i}`, { host: address, port })
    const proxyPort = await proxy.start()
    t.after(async () => { await proxy.stop() })
    const site = new Site(join(root, `site${i}`), `site${i}`, { ...CLUSTER_TEST_ENV, ...env, RESILIEN_DIAL_FROM: address })
    const addresses = ['--listen', `/ip4/${address}/tcp/${port}`, '--announce', `/ip4/${PROXY_NET}.${SITE_ADDRESS_BASE + i}/tcp/${proxyPort}`]
    const made = i === 1
      ? await site.run(['init', '--name', site.name, ...addresses])
      : await site.run(['join', await invite(sites[0]?.site as Site), '--name', site.name, ...addresses])
    if (made.code !== 0) throw new Error(`${i === 1 ? 'init' : 'join'} of ${site.name} failed: ${made.stderr}`)
    t.after(async () => { await site.stop('SIGKILL') })
    await site.start()
    sites.push({ site, address, proxy })
  }
  for (const { site } of sites) await waitAllUp(site, count)
  return sites
}

async function invite (site: Site): Promise<string> {
  const r = await site.run(['invite'])
  if (r.code !== 0) throw new Error(`invite failed: ${r.stderr}`)
  return r.stdout.trim()
}

/**
 * Splits the cluster in two: every proxy of one side refuses (and cuts) connections from the
 * other side's addresses. `heal` joins it again.
 */
export function partition (sides: [ProxiedSite[], ProxiedSite[]]): { heal: () => void } {
  const [a, b] = sides
  const addressesOf = (side: ProxiedSite[]): Set<string> => new Set(side.map((s) => s.address))
  for (const s of a) s.proxy.set({ blocked: addressesOf(b) })
  for (const s of b) s.proxy.set({ blocked: addressesOf(a) })
  return { heal: () => { for (const s of [...a, ...b]) s.proxy.set({ blocked: new Set() }) } }
}
