import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { hash } from '@resilien/hashing'
import { toHex } from '@resilien/types'
import type { CatalogFact, RepoRecord, StripeRecord } from '@resilien/types'
import { createEd25519Signer, ed25519PublicKey, openCatalog } from '../src/index.js'
import type { Catalog, PublicKeyResolver, SiteSigner } from '../src/index.js'

const encoder = new TextEncoder()

/** Deterministic lowercase hex of the given length, named by a label (ids in tests). */
export function hexId (label: string, chars = 64): string {
  return toHex(hash(encoder.encode(label), chars / 2))
}

export interface TestSite {
  site: string
  seed: Uint8Array
  publicKey: Uint8Array
  signer: SiteSigner
}

/** A site with a key derived from its label; ids look like libp2p peer ids. */
export function makeSite (label: string): TestSite {
  const seed = hash(encoder.encode(`seed ${label}`))
  const site = `12D3KooW${label}`
  return { site, seed, publicKey: ed25519PublicKey(seed), signer: createEd25519Signer(site, seed) }
}

export function resolverOf (...sites: TestSite[]): PublicKeyResolver {
  const keys = new Map(sites.map((s) => [s.site, s.publicKey]))
  return (site) => keys.get(site)
}

export async function tempDir (t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-catalog-'))
  t.after(async () => await rm(dir, { recursive: true, force: true }))
  return dir
}

/** Opens a catalog in a fresh temp dir (or `path`), closed when the test ends. */
export async function openTestCatalog (t: TestContext, site: TestSite, resolve: PublicKeyResolver, options: { path?: string, now?: () => number } = {}): Promise<Catalog> {
  const path = options.path ?? join(await tempDir(t), 'catalog')
  const catalog = await openCatalog({ path, signer: site.signer, resolvePublicKey: resolve, ...(options.now === undefined ? {} : { now: options.now }) })
  t.after(async () => await catalog.close())
  return catalog
}

/** A clock that advances by one millisecond per reading, from `start`. */
export function steppingClock (start: number): () => number {
  let now = start
  return () => now++
}

export async function collect<T> (items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

export function repoRecord (name: string, createdAt: number, createdBy: string, id = hexId(`repo ${name} ${createdAt} ${createdBy}`)): RepoRecord {
  return { repo: id, name, k: 2, m: 1, chunker: { minSize: 16384, avgSize: 65536, maxSize: 524288 }, packSize: 4 << 20, createdAt, createdBy }
}

export function stripeRecord (repo: string, label: string, sites: string[]): StripeRecord {
  return {
    repo,
    pack: hexId(`pack ${label}`),
    k: 2,
    m: 1,
    packLength: 1000,
    shardLength: 504,
    shards: [0, 1, 2].map((i) => ({ id: hexId(`shard ${label} ${i}`), site: sites[i % sites.length] as string, size: 504 }))
  }
}

export function siteJoined (s: TestSite, name: string, zone = '', addrs = ['/ip4/127.0.0.1/tcp/4001']): CatalogFact {
  return { type: 'site-joined', site: s.site, name, zone, addrs, publicKey: toHex(s.publicKey) }
}

/** Everything the state answers for the given repositories, for comparing two catalogs. */
export async function dumpState (catalog: Catalog, repos: string[]): Promise<unknown> {
  const perRepo = await Promise.all(repos.map(async (repo) => ({
    keys: await catalog.keys(repo),
    stripes: await collect(catalog.stripes(repo)),
    deleted: await collect(catalog.deletedPacks(repo)),
    indexObjects: await collect(catalog.indexObjects(repo)),
    snapshots: await collect(catalog.snapshots(repo))
  })))
  return { sites: await collect(catalog.sites()), repos: await collect(catalog.repos()), heads: [...await catalog.heads()].sort(), perRepo }
}
