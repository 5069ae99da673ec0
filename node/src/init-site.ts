import { mkdir, readdir } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { openCatalog, createEd25519Signer } from '@resilien/catalog'
import { InvalidInputError, toHex } from '@resilien/types'
import { DEFAULT_CONFIG, saveConfig } from './config.js'
import type { NodeConfig } from './config.js'
import { dataDirLayout } from './data-dir.js'
import { createIdentity, publicKeyOfPeerId } from './identity.js'

export interface InitSiteOptions {
  dataDir: string
  name: string
  listen: string[]
  zone?: string
}

export interface InitSiteResult {
  peerId: string
  cluster: string
  name: string
}

/**
 * Makes a new cluster with this site as its first member: a 0700 data dir, the site's Ed25519
 * identity, its config, and a catalog whose first fact is the site joining.
 */
export async function initSite (options: InitSiteOptions): Promise<InitSiteResult> {
  const layout = dataDirLayout(options.dataDir)
  const existing = await readdir(layout.root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw err
  })
  if (existing.length > 0) throw new InvalidInputError(`${layout.root} is not empty: a site is made in a new or empty folder`)
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(options.name)) throw new InvalidInputError(`site name "${options.name}" is not allowed: use 1-64 letters, digits, '.', '_' or '-'`)
  if (options.listen.length === 0 || !options.listen.every((a) => a.startsWith('/'))) throw new InvalidInputError('--listen needs a multiaddr such as /ip4/0.0.0.0/tcp/7420')
  await mkdir(layout.root, { recursive: true, mode: 0o700 })
  const identity = await createIdentity(layout.root)
  const cluster = toHex(randomBytes(16))
  const config: NodeConfig = { ...DEFAULT_CONFIG, name: options.name, zone: options.zone ?? options.name, listen: options.listen, cluster }
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
      addrs: config.listen,
      publicKey: Buffer.from(identity.publicKey).toString('hex')
    }])
  } finally {
    await catalog.close()
  }
  return { peerId: identity.peerId, cluster, name: config.name }
}
