import { mkdir, readdir, rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { openCatalog, createEd25519Signer } from '@resilien/catalog'
import { InvalidInputError, toHex } from '@resilien/types'
import { siteAddressesProblem } from '@resilien/wire'
import { DEFAULT_CONFIG, saveConfig } from './config.js'
import type { BootstrapPeer, NodeConfig } from './config.js'
import { dataDirLayout } from './data-dir.js'
import { createIdentity, publicKeyOfPeerId } from './identity.js'
import type { SiteIdentity } from './identity.js'

export interface InitSiteOptions {
  dataDir: string
  name: string
  listen: string[]
  /** Addresses the other sites dial (behind NAT, a forwarded port); default: the listen ones. */
  announce?: string[]
  zone?: string
}

/** What other sites are told to dial: the announce addresses when given, else the listen ones. */
export function dialableAddresses (options: Pick<InitSiteOptions, 'listen' | 'announce'>): string[] {
  return options.announce !== undefined && options.announce.length > 0 ? options.announce : options.listen
}

export interface InitSiteResult {
  peerId: string
  cluster: string
  name: string
}

const SITE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Checks what `init` and `join` are given before anything is written. */
export async function checkNewSite (options: InitSiteOptions): Promise<void> {
  const root = dataDirLayout(options.dataDir).root
  const existing = await readdir(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw err
  })
  if (existing.length > 0) throw new InvalidInputError(`${root} is not empty: a site is made in a new or empty folder`)
  if (!SITE_NAME.test(options.name)) throw new InvalidInputError(`site name "${options.name}" is not allowed: use 1-64 letters, digits, '.', '_' or '-'`)
  if (options.listen.length === 0) throw new InvalidInputError('--listen needs a multiaddr such as /ip4/0.0.0.0/tcp/7420')
  for (const use of ['listen', 'announce'] as const) {
    const problem = siteAddressesProblem(options[use] ?? [], use)
    if (problem !== undefined) throw new InvalidInputError(`--${use}: ${problem}`)
  }
}

/**
 * Writes a new site's data dir: 0700, the Ed25519 identity (made before, so `join` can prove
 * it), the config, and a catalog whose first fact is the site announcing itself.
 */
export async function writeSite (options: InitSiteOptions, identity: SiteIdentity, cluster: string, peers: BootstrapPeer[] = []): Promise<void> {
  const layout = dataDirLayout(options.dataDir)
  const config: NodeConfig = { ...DEFAULT_CONFIG, name: options.name, zone: options.zone ?? options.name, listen: options.listen, announce: options.announce ?? [], cluster, peers }
  await saveConfig(layout.root, config)
  const catalog = await openCatalog({
    path: layout.catalog,
    signer: createEd25519Signer(identity.peerId, identity.seed),
    resolvePublicKey: publicKeyOfPeerId
  })
  try {
    await catalog.append([{
      type: 'site-joined',
      site: identity.peerId,
      name: config.name,
      zone: config.zone,
      addrs: dialableAddresses(options),
      publicKey: toHex(identity.publicKey)
    }])
  } finally {
    await catalog.close()
  }
}

/** Makes the data dir and the identity of a site about to be created. */
export async function makeSiteIdentity (dataDir: string): Promise<SiteIdentity> {
  const root = dataDirLayout(dataDir).root
  await mkdir(root, { recursive: true, mode: 0o700 })
  return await createIdentity(root)
}

/** Removes what a failed `init` or `join` wrote, so the folder can be used again. */
export async function removeHalfMadeSite (dataDir: string): Promise<void> {
  const root = dataDirLayout(dataDir).root
  const entries = await readdir(root).catch(() => [] as string[])
  await Promise.all(entries.map(async (e) => rm(`${root}/${e}`, { recursive: true, force: true })))
}

/** Makes a new cluster with this site as its first member. */
export async function initSite (options: InitSiteOptions): Promise<InitSiteResult> {
  await checkNewSite(options)
  const cluster = toHex(randomBytes(16))
  try {
    const identity = await makeSiteIdentity(options.dataDir)
    await writeSite(options, identity, cluster)
    return { peerId: identity.peerId, cluster, name: options.name }
  } catch (err) {
    await removeHalfMadeSite(options.dataDir)
    throw err
  }
}
