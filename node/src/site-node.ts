import { openCatalog, createEd25519Signer } from '@resilien/catalog'
import type { Catalog } from '@resilien/catalog'
import { createDiskShardStore } from '@resilien/store'
import type { DiskShardStore } from '@resilien/store'
import { startControlServer } from '@resilien/control'
import { KeyCache, SealPool } from '@resilien/repository'
import type { ControlServer } from '@resilien/control'
import { loadConfig } from './config.js'
import { dataDirLayout } from './data-dir.js'
import { identityProtobuf, loadIdentity, publicKeyOfPeerId } from './identity.js'
import { Cluster } from './cluster/cluster.js'
import { Membership } from './cluster/membership.js'
import { RepoLocks } from './repo-locks.js'
import { IndexPool, repoOpener } from './node-context.js'
import type { NodeContext } from './node-context.js'
import { controlHandlers, describeError } from './handlers/index.js'
import { JobsService } from './job-runner/jobs-service.js'
import { refuseIfRunning } from './running-node.js'

export interface SiteNode {
  readonly context: NodeContext
  /** Aborts running requests (no half snapshot is ever committed), then closes everything. Idempotent. */
  stop (): Promise<void>
}

export interface StartSiteOptions {
  dataDir: string
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
}

/**
 * Starts a site node on its data dir: the shard store (the node owns it: LevelDB allows one
 * process), the catalog, and the control API on DIR/control.sock.
 */
export async function startSiteNode (options: StartSiteOptions): Promise<SiteNode> {
  const log = options.log ?? ((line: string) => console.log(line))
  const layout = dataDirLayout(options.dataDir)
  const config = await loadConfig(layout.root, options.env)
  const identity = await loadIdentity(layout.root)
  await refuseIfRunning(layout.root, layout.socket)
  const cleanups: Array<() => Promise<void>> = []
  const closeAll = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {})
    cleanups.length = 0
  }
  try {
    const store: DiskShardStore = await createDiskShardStore({ path: layout.store, reserveBytes: config.storeReserve })
    cleanups.push(async () => store.close())
    // The catalog takes logs of members only; membership is read from the catalog, so the
    // resolver is bound once both exist (until then only this site's own key resolves).
    let membership: Membership | undefined
    const catalog: Catalog = await openCatalog({
      path: layout.catalog,
      signer: createEd25519Signer(identity.peerId, identity.seed),
      resolvePublicKey: (site) => site === identity.peerId || membership?.has(site) === true || membership?.loggedUntilLost(site) === true ? publicKeyOfPeerId(site) : undefined
    })
    cleanups.push(async () => catalog.close())
    const ownLog = await catalog.ownLogProblem()
    if (ownLog !== undefined) log(`resilien: catalog: ${ownLog}; backups wait until the other sites sent them back`)
    membership = new Membership(identity.peerId, catalog, config.peers)
    await membership.refresh()
    const pool = new IndexPool()
    const keyCache = new KeyCache(config.keyCacheTtl)
    cleanups.push(async () => keyCache.clear())
    cleanups.push(async () => pool.close())
    const sealPool = new SealPool(config.sealWorkers)
    cleanups.push(async () => sealPool.close())
    const cluster = await Cluster.start({ dataDir: layout.root, config, identity, identityKey: identityProtobuf(identity), store, catalog, membership, log })
    cleanups.push(async () => cluster.stop())
    const base = { catalog, sites: cluster.sites, placement: cluster.placement, layout }
    const context: NodeContext = {
      ...base,
      config,
      identity,
      store,
      sealPool,
      cluster,
      membership,
      locks: new RepoLocks(),
      keyCache,
      openRepo: repoOpener(base, pool, keyCache, async () => cluster.replication.ready(), async () => cluster.replication.syncAll())
    }
    let jobs: JobsService | undefined
    const server: ControlServer = await startControlServer({ socketPath: layout.socket, handlers: controlHandlers(context, () => jobs), describeError })
    // Closed first on stop: running requests are aborted and answered before the stores close.
    cleanups.push(async () => server.close())
    // Started once the node serves: a missed run may start at once, and the CLI can watch it.
    // Stopped before the server: a run under way is aborted (nothing is committed) and its
    // maintenance mode turned off.
    jobs = await JobsService.start(context, log)
    const started = jobs
    cleanups.push(async () => started.stop())
    log(`resilien: site ${config.name} (${identity.peerId}) is up; control socket ${layout.socket}; listening on ${cluster.addresses().join(' ')}`)
    let stopping: Promise<void> | undefined
    return {
      context,
      stop: async () => {
        stopping ??= closeAll().then(() => log(`resilien: site ${config.name} stopped`))
        return stopping
      }
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}
