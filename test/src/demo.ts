import '@resilien/polyfill'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { buildFixtureTree } from './tree-fixture.js'
import { compareTrees } from './compare-trees.js'
import { CLUSTER_TEST_ENV, statusOf, waitAllUp, waitFor } from './cluster.js'
import { Site } from './site-process.js'

/**
 * `npm run demo`: the promise in one run. Three sites on loopback (site1 makes the cluster, the
 * others join with invites), a repository, a backup of a sample tree on site1, site1 killed
 * with SIGKILL, a restore on a survivor compared byte for byte, then everything removed.
 */
const DEMO_ENV: Record<string, string> = { ...CLUSTER_TEST_ENV, RESILIEN_KDF: 'strong', RESILIEN_PASSWORD: 'demo passphrase, change me' }

function step (text: string): void {
  console.log(`\n== ${text}`)
}

async function must (site: Site, args: string[]): Promise<string> {
  const r = await site.run(args)
  if (r.code !== 0) throw new Error(`resilien ${args.join(' ')} on ${site.name} failed: ${r.stderr.trim()}`)
  return r.stdout
}

async function main (): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'resilien-demo-'))
  const sites: Site[] = []
  try {
    step('three sites on 127.0.0.1')
    const site1 = new Site(join(root, 'site1'), 'site1', DEMO_ENV)
    await must(site1, ['init', '--name', 'site1', '--listen', '/ip4/127.0.0.1/tcp/0'])
    await site1.start()
    sites.push(site1)
    for (const name of ['site2', 'site3']) {
      const token = (await must(site1, ['invite'])).trim()
      const site = new Site(join(root, name), name, DEMO_ENV)
      await must(site, ['join', token, '--name', name, '--listen', '/ip4/127.0.0.1/tcp/0'])
      await site.start()
      sites.push(site)
    }
    for (const site of sites) await waitAllUp(site, 3)
    console.log(await must(site1, ['status']))

    step('a repository (k=2, m=1) and a backup of a sample tree on site1')
    const source = join(root, 'sample')
    await buildFixtureTree(source)
    await mkdir(join(source, 'nextcloud', 'data'), { recursive: true })
    await writeFile(join(source, 'nextcloud', 'data', 'photo.jpg'), randomBytes(8 * 1024 * 1024))
    await writeFile(join(source, 'nextcloud', 'db.sql'), 'INSERT INTO oc_filecache VALUES (1, \'files/photo.jpg\');\n'.repeat(50_000))
    console.log(await must(site1, ['repo', 'create', 'demo']))
    console.log(await must(site1, ['backup', 'demo', source]))
    console.log(await must(site1, ['snapshots', 'demo']))

    step('site1, which made the backup, is killed (SIGKILL)')
    await site1.stop('SIGKILL')
    const site2 = sites[1] as Site
    await waitFor('site2 to see site1 down', async () => statusOf(site2), (s) => s.sites.some((x) => x.name === 'site1' && !x.up))
    console.log(await must(site2, ['status']))

    step('restore on site2 from the survivors, compared byte for byte with the source')
    const target = join(root, 'restored')
    console.log(await must(site2, ['restore', 'demo', 'latest', '--target', target]))
    const differences = await compareTrees(source, join(target, source))
    if (differences.length > 0) throw new Error(`the restore differs: ${JSON.stringify(differences.slice(0, 5))}`)
    console.log('restored tree is identical to the source (contents, modes, mtimes, links, sparse file)')
    step('demo passed')
  } finally {
    for (const site of sites) await site.stop('SIGKILL')
    await rm(root, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
})
