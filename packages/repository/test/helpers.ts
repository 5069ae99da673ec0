import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { openCatalog, createEd25519Signer } from '@resilien/catalog'
import type { Catalog } from '@resilien/catalog'
import { createMemoryShardStore } from '@resilien/store'
import type { ChunkerParams, Placement, ShardSites, ShardStore, StripeRecord } from '@resilien/types'
import { TEST_KDF_PARAMS } from '@resilien/crypto'
import { createRepository, openRepository } from '../src/index.js'
import type { Repository } from '../src/index.js'
import type { Scan } from '../src/scanner.js'

export interface TestContext { after: (fn: () => Promise<void> | void) => void }

export async function tempDir (t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-repo-'))
  t.after(async () => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Three in-memory "sites" behind ShardSites, so tests can damage one. */
export function memorySites (names: string[]): { sites: ShardSites, stores: Map<string, ShardStore>, placement: Placement } {
  const stores = new Map(names.map((n) => [n, createMemoryShardStore()]))
  const store = (site: string): ShardStore => {
    const s = stores.get(site)
    if (s === undefined) throw new Error(`site ${site} is unreachable`)
    return s
  }
  return {
    stores,
    sites: {
      put: async (site, id, data, o) => store(site).put(id, data, o),
      get: async (site, id, range, o) => store(site).get(id, range, o),
      has: async (site, ids, o) => store(site).has(ids, o)
    },
    placement: {
      place: (k, m) => Array.from({ length: k + m }, (_, i) => names[i % names.length] as string),
      readOrder: (stripe: StripeRecord) => stripe.shards.map((_, i) => i)
    }
  }
}

export const PASSPHRASE = 'test passphrase'

/** A fresh catalog and repository over in-memory sites. */
export async function newRepository (t: TestContext, options: { k?: number, m?: number, packSize?: number, chunker?: ChunkerParams, textChunker?: ChunkerParams | false, sites?: string[], wrapSites?: (sites: ShardSites) => ShardSites, wrapPlacement?: (placement: Placement) => Placement } = {}): Promise<{ repo: Repository, catalog: Catalog, stores: Map<string, ShardStore>, dir: string }> {
  const dir = await tempDir(t)
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12)
  const catalog = await openCatalog({
    path: join(dir, 'catalog'),
    signer: createEd25519Signer('siteA', privateKey),
    resolvePublicKey: (site) => site === 'siteA' ? new Uint8Array(raw) : undefined
  })
  t.after(async () => catalog.close())
  const { sites, stores, placement } = memorySites(options.sites ?? ['s1', 's2', 's3'])
  const components = { catalog, sites: options.wrapSites?.(sites) ?? sites, placement: options.wrapPlacement?.(placement) ?? placement }
  await createRepository(components, { name: 'main', passphrase: PASSPHRASE, site: 'siteA', k: options.k ?? 2, m: options.m ?? 1, ...(options.packSize === undefined ? {} : { packSize: options.packSize }), ...(options.chunker === undefined ? {} : { chunker: options.chunker }), ...(options.textChunker === undefined ? {} : { textChunker: options.textChunker }), kdf: TEST_KDF_PARAMS })
  const repo = await openRepository(components, { repo: 'main', passphrase: PASSPHRASE, cacheDir: join(dir, 'cache') })
  t.after(async () => repo.close())
  return { repo, catalog, stores, dir }
}

/** A scan's totals once it is complete (at most 5 s). */
export async function finished (scan: Scan): Promise<Scan['totals']> {
  for (let i = 0; i < 500 && !scan.totals.complete; i++) await sleep(10)
  return scan.totals
}
