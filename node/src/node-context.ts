import type { Catalog } from '@resilien/catalog'
import type { DiskShardStore } from '@resilien/store'
import { ChunkIndex, openRepository } from '@resilien/repository'
import type { KeyCache } from '@resilien/repository'
import type { Repository, SealPool } from '@resilien/repository'
import { NotFoundError } from '@resilien/types'
import type { AbortOptions, Placement, ShardSites } from '@resilien/types'
import type { NodeConfig } from './config.js'
import type { DataDirLayout } from './data-dir.js'
import type { SiteIdentity } from './identity.js'
import type { Cluster } from './cluster/cluster.js'
import type { Membership } from './cluster/membership.js'
import type { RepoLocks } from './repo-locks.js'

/** Everything a control handler may use. Built once by the site node. */
export interface NodeContext {
  config: NodeConfig
  identity: SiteIdentity
  layout: DataDirLayout
  store: DiskShardStore
  catalog: Catalog
  sites: ShardSites
  placement: Placement
  /** Compresses and seals in worker threads during backups. */
  sealPool: SealPool
  /** This site in its cluster: liveness, replication, invites, redundancy. */
  cluster: Cluster
  membership: Membership
  /** Backups, restores and checks share a repository; prune has it alone. */
  locks: RepoLocks
  /** Keys opened (or created) recently, so that a command does not run the KDF each time. */
  keyCache: KeyCache
  openRepo: (repo: string, password: string, options?: AbortOptions) => Promise<Repository>
}

/**
 * Chunk indexes shared by all requests on one repository (LevelDB allows one handle per
 * folder); each request still opens the repository with its own passphrase.
 */
export class IndexPool {
  private readonly open = new Map<string, Promise<ChunkIndex>>()

  get (repo: string, dir: string): Promise<ChunkIndex> {
    let index = this.open.get(repo)
    if (index === undefined) {
      index = ChunkIndex.open(dir)
      this.open.set(repo, index)
      index.catch(() => this.open.delete(repo))
    }
    return index
  }

  async close (): Promise<void> {
    const all = [...this.open.values()]
    this.open.clear()
    await Promise.allSettled(all.map(async (p) => (await p).close()))
  }
}

/**
 * Opens repositories for handlers. `ready` resolves once the catalog had its first sync (a site
 * that just joined or restarted must see the snapshots the others hold before answering).
 * `resync` runs one sync round with every connected site: a repository unknown here may have been
 * created on another site a moment ago (`repo create` there, then `backup` here), so it is asked
 * for once before "no repository" is the answer.
 */
export function repoOpener (components: Pick<NodeContext, 'catalog' | 'sites' | 'placement' | 'layout'>, pool: IndexPool, keyCache: KeyCache, ready: () => Promise<void>, resync: () => Promise<void> = async () => {}): NodeContext['openRepo'] {
  return async (repo, password, options = {}) => {
    await ready()
    const open = async (): Promise<Repository> => await openRepository(
      { catalog: components.catalog, sites: components.sites, placement: components.placement },
      {
        repo,
        passphrase: password,
        cacheDir: components.layout.cache,
        sharedIndex: async (record, dir) => pool.get(record.repo, dir),
        keyCache,
        ...(options.signal === undefined ? {} : { signal: options.signal })
      }
    )
    try {
      return await open()
    } catch (err) {
      if (!(err instanceof NotFoundError) || err.kind !== 'repository') throw err
      await resync()
      return await open()
    }
  }
}
