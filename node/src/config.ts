import { isIP } from 'node:net'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidInputError, replaceFileDurably } from '@resilien/types'
import { parseDuration, parseSize } from '@resilien/control'
import { DEFAULT_KEY_CACHE_TTL_MS, defaultSealWorkers } from '@resilien/repository'
import { siteAddressesProblem } from '@resilien/wire'

/** File name of the node's configuration inside its data dir. */
export const CONFIG_FILE = 'config.json'

/**
 * The node's configuration. Every value can be overridden by an environment variable
 * `RESILIEN_<KEY>` (upper snake case of the key, e.g. RESILIEN_STORE_RESERVE=1GiB), which
 * tests use to shorten timers.
 */
export interface NodeConfig {
  /** Id of the cluster this site belongs to (random, made by `init`). */
  cluster: string
  /** The site's name, unique in the cluster. */
  name: string
  /** Failure domain above the site (a building, a town); defaults to the site's own name. */
  zone: string
  /** libp2p listen multiaddrs. */
  listen: string[]
  /** Addresses other sites dial (e.g. /dns4/home.example.org/tcp/7420); empty: the actual listen addresses. */
  announce: string[]
  /**
   * Source IP address of the connections this site opens ('' : the system's choice). For a
   * host with several addresses whose peers (or firewall rules) expect one of them.
   */
  dialFrom: string
  /** Members to dial before the catalog knows any (written by `join`: the inviter and the members it knew). */
  peers: BootstrapPeer[]
  /** Free space the shard store always leaves on its file system. */
  storeReserve: number
  /** How long a site may be unreachable before its shards are rebuilt elsewhere. */
  repairGrace: number
  /** How often the repair worker looks for stripes to heal. */
  repairInterval: number
  /** Bytes per second repair may send to other sites (0: no limit). */
  repairRate: number
  /** A shard no stripe places here is deleted only once it is older than this. */
  gcGrace: number
  /** How often the shard GC runs. */
  gcInterval: number
  /** Bytes per second the scrub re-hashes (0: no limit). */
  scrubRate: number
  /** Pause between two scrub rounds over the whole store. */
  scrubInterval: number
  /** Worker threads that compress and seal during backups (0: on the main thread). */
  sealWorkers: number
  /** How long opened repository keys stay in memory after their last use (0: never cached). */
  keyCacheTtl: number
  /** How often catalog heads are exchanged with every connected site. */
  syncInterval: number
  /** Longest wait between two dials of a site that is down (the wait doubles from 1 s up to this). */
  redialMax: number
  /** How long an invite token stays valid. */
  inviteTtl: number
}

export interface BootstrapPeer {
  peerId: string
  addrs: string[]
}

export const DEFAULT_CONFIG: Omit<NodeConfig, 'cluster' | 'name' | 'zone' | 'listen'> = {
  announce: [],
  dialFrom: '',
  peers: [],
  syncInterval: 10 * 1000,
  redialMax: 60 * 1000,
  inviteTtl: 24 * 60 * 60 * 1000,
  storeReserve: 256 * 1024 * 1024,
  repairGrace: 60 * 60 * 1000,
  repairInterval: 60 * 1000,
  repairRate: 0,
  gcGrace: 24 * 60 * 60 * 1000,
  gcInterval: 60 * 60 * 1000,
  scrubRate: 4 * 1024 * 1024,
  scrubInterval: 24 * 60 * 60 * 1000,
  sealWorkers: defaultSealWorkers(),
  keyCacheTtl: DEFAULT_KEY_CACHE_TTL_MS
}

type Parser = (text: string, what: string) => unknown
const parseList: Parser = (t) => t.split(',').map((s) => s.trim()).filter((s) => s !== '')
const parseJson: Parser = (t, what) => {
  try {
    return JSON.parse(t) as unknown
  } catch {
    throw new InvalidInputError(`${what}: not valid JSON`)
  }
}
const isMultiaddrList = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string' && s.startsWith('/'))
const isPositiveInteger = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0
const isPeerList = (v: unknown): boolean => Array.isArray(v) && v.every((p) => typeof p === 'object' && p !== null &&
  typeof (p as BootstrapPeer).peerId === 'string' && isMultiaddrList((p as BootstrapPeer).addrs))
const KEYS: Record<keyof NodeConfig, { env: string, parse: Parser, check: (v: unknown) => boolean, describe: string }> = {
  cluster: { env: 'RESILIEN_CLUSTER', parse: (t) => t, check: (v) => typeof v === 'string' && /^[0-9a-f]{32}$/.test(v), describe: '32 hex digits' },
  name: { env: 'RESILIEN_NAME', parse: (t) => t, check: (v) => typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v), describe: '1-64 letters, digits, ".", "_" or "-"' },
  zone: { env: 'RESILIEN_ZONE', parse: (t) => t, check: (v) => typeof v === 'string' && v.length > 0 && v.length <= 64, describe: 'a non-empty string' },
  listen: { env: 'RESILIEN_LISTEN', parse: parseList, check: (v) => isMultiaddrList(v) && siteAddressesProblem(v as string[], 'listen') === undefined, describe: 'a list of multiaddrs such as /ip4/0.0.0.0/tcp/7420' },
  announce: { env: 'RESILIEN_ANNOUNCE', parse: parseList, check: (v) => isMultiaddrList(v) && siteAddressesProblem(v as string[], 'announce') === undefined, describe: 'a list of multiaddrs such as /dns4/home.example.org/tcp/7420' },
  dialFrom: { env: 'RESILIEN_DIAL_FROM', parse: (t) => t, check: (v) => v === '' || (typeof v === 'string' && isIP(v) !== 0), describe: 'an IP address (or empty)' },
  peers: { env: 'RESILIEN_PEERS', parse: parseJson, check: isPeerList, describe: 'a list of {"peerId", "addrs"}' },
  syncInterval: { env: 'RESILIEN_SYNC_INTERVAL', parse: parseDuration, check: isPositiveInteger, describe: 'a duration such as 10s' },
  redialMax: { env: 'RESILIEN_REDIAL_MAX', parse: parseDuration, check: isPositiveInteger, describe: 'a duration such as 1m' },
  inviteTtl: { env: 'RESILIEN_INVITE_TTL', parse: parseDuration, check: isPositiveInteger, describe: 'a duration such as 24h' },
  storeReserve: { env: 'RESILIEN_STORE_RESERVE', parse: parseSize, check: (v) => Number.isSafeInteger(v) && (v as number) >= 0, describe: 'a size such as 256MiB' },
  repairGrace: { env: 'RESILIEN_REPAIR_GRACE', parse: parseDuration, check: (v) => Number.isSafeInteger(v) && (v as number) >= 0, describe: 'a duration such as 1h or 5s' },
  repairInterval: { env: 'RESILIEN_REPAIR_INTERVAL', parse: parseDuration, check: isPositiveInteger, describe: 'a duration such as 1m' },
  repairRate: { env: 'RESILIEN_REPAIR_RATE', parse: parseSize, check: (v) => Number.isSafeInteger(v) && (v as number) >= 0, describe: 'bytes per second such as 10MiB, or 0 for no limit' },
  gcGrace: { env: 'RESILIEN_GC_GRACE', parse: parseDuration, check: (v) => Number.isSafeInteger(v) && (v as number) >= 0, describe: 'a duration such as 24h' },
  gcInterval: { env: 'RESILIEN_GC_INTERVAL', parse: parseDuration, check: isPositiveInteger, describe: 'a duration such as 1h' },
  scrubRate: { env: 'RESILIEN_SCRUB_RATE', parse: parseSize, check: (v) => Number.isSafeInteger(v) && (v as number) >= 0, describe: 'bytes per second such as 4MiB, or 0 for no limit' },
  scrubInterval: { env: 'RESILIEN_SCRUB_INTERVAL', parse: parseDuration, check: isPositiveInteger, describe: 'a duration such as 24h' },
  keyCacheTtl: { env: 'RESILIEN_KEY_CACHE_TTL', parse: parseDuration, check: (v) => Number.isSafeInteger(v) && (v as number) >= 0, describe: 'a duration such as 15m, or 0s' },
  sealWorkers: { env: 'RESILIEN_SEAL_WORKERS', parse: (t) => Number(t), check: (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 64, describe: 'a number of threads from 0 to 64' }
}

/** Reads the config file and applies environment overrides; a bad value names its key. */
export async function loadConfig (dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<NodeConfig> {
  const path = join(dataDir, CONFIG_FILE)
  let raw: Record<string, unknown>
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidInputError(`${dataDir} is not a resilien data dir (no ${CONFIG_FILE}); run \`resilien init\` or \`resilien join\` first`)
    throw new InvalidInputError(`${path}: ${(err as Error).message}`)
  }
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG, ...raw }
  for (const [key, spec] of Object.entries(KEYS)) {
    const fromEnv = env[spec.env]
    if (fromEnv !== undefined && fromEnv !== '') config[key] = spec.parse(fromEnv, spec.env)
    else if (typeof config[key] === 'string' && !['cluster', 'name', 'zone', 'announce', 'listen', 'peers', 'dialFrom'].includes(key)) config[key] = spec.parse(config[key] as string, `${CONFIG_FILE}: ${key}`)
    if (!spec.check(config[key])) {
      // Say where the bad value came from: the variable overrides the file.
      const where = fromEnv !== undefined && fromEnv !== '' ? `${spec.env} (overriding "${key}" of ${CONFIG_FILE})` : `${CONFIG_FILE}: "${key}"`
      throw new InvalidInputError(`${where} must be ${spec.describe}`)
    }
  }
  for (const key of Object.keys(raw)) {
    if (!(key in KEYS)) throw new InvalidInputError(`${CONFIG_FILE}: unknown key "${key}"`)
  }
  return config as unknown as NodeConfig
}

/** Writes the config atomically and durably: a crash leaves the old config or the new one. */
export async function saveConfig (dataDir: string, config: NodeConfig): Promise<void> {
  await replaceFileDurably(join(dataDir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n')
}
