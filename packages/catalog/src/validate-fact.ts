import { InvalidInputError } from '@resilien/types'
import type { BlobLocation, CatalogFact, CatalogFactType, ChunkerParams, RepoRecord, ShardPlacement, StripeRecord } from '@resilien/types'
import { LIMITS } from './constants.js'
import { array, integer, PATTERNS, plainObject, text } from './shape.js'

export const FACT_TYPES: readonly CatalogFactType[] = Object.freeze([
  'site-joined', 'repo-created', 'key-added', 'key-removed', 'pack-stored', 'index-added',
  'snapshot-added', 'snapshot-forgotten', 'pack-deleted', 'shard-moved', 'site-retired'
])

export function siteId (value: unknown, path: string): string {
  return text(value, path, LIMITS.siteIdLength, PATTERNS.siteId, 'a site id (alphanumeric)')
}

export function repoId (value: unknown, path: string): string {
  return text(value, path, 64, PATTERNS.hex64, 'a repository id (64 lowercase hex)')
}

export function packId (value: unknown, path: string): string {
  return text(value, path, 64, PATTERNS.hex64, 'a pack id (64 lowercase hex)')
}

export function snapshotId (value: unknown, path: string): string {
  return text(value, path, 32, PATTERNS.hex32, 'a snapshot id (32 lowercase hex)')
}

function shortId (value: unknown, path: string): string {
  return text(value, path, LIMITS.shortIdLength, PATTERNS.token, 'an id (printable ASCII, no spaces)')
}

function name (value: unknown, path: string): string {
  return text(value, path, LIMITS.nameLength, PATTERNS.nonEmptyLabel, 'a non-empty name without control characters')
}

function token (value: unknown, path: string, maxLength: number): string {
  return text(value, path, maxLength, PATTERNS.token, 'printable ASCII without spaces')
}

/** The smallest chunk size @resilien/chunking accepts (MIN_ALLOWED_SIZE; the catalog does not import it). */
const TEXT_CHUNK_MIN = 64

function chunker (value: unknown, path: string): ChunkerParams {
  const o = plainObject(value, path, ['minSize', 'avgSize', 'maxSize'])
  return { minSize: integer(o.minSize, `${path}.minSize`, 1), avgSize: integer(o.avgSize, `${path}.avgSize`, 1), maxSize: integer(o.maxSize, `${path}.maxSize`, 1) }
}

/**
 * The text tier's sizes as a chunker can take them (@resilien/chunking's rules: 64 <= min < avg <
 * max, avg a power of two), its chunks no larger than the main chunker's (which sizes buffers).
 * Checked here, not only where the repository is made: a bad record would fail every backup.
 */
function textChunker (value: unknown, path: string, main: ChunkerParams): ChunkerParams {
  const o = plainObject(value, path, ['minSize', 'avgSize', 'maxSize'])
  const maxSize = integer(o.maxSize, `${path}.maxSize`, TEXT_CHUNK_MIN, main.maxSize)
  const avgSize = integer(o.avgSize, `${path}.avgSize`, TEXT_CHUNK_MIN, maxSize - 1)
  const minSize = integer(o.minSize, `${path}.minSize`, TEXT_CHUNK_MIN, avgSize - 1)
  if (!Number.isInteger(Math.log2(avgSize))) throw new InvalidInputError(`${path}.avgSize: ${avgSize} is not a power of two`)
  return { minSize, avgSize, maxSize }
}

function repoRecord (value: unknown, path: string): RepoRecord {
  const o = plainObject(value, path, ['repo', 'name', 'k', 'm', 'chunker', 'packSize', 'createdAt', 'createdBy'], ['textChunker'])
  const k = integer(o.k, `${path}.k`, 1, LIMITS.stripeWidth)
  const main = chunker(o.chunker, `${path}.chunker`)
  return {
    repo: repoId(o.repo, `${path}.repo`),
    name: name(o.name, `${path}.name`),
    k,
    m: integer(o.m, `${path}.m`, 0, LIMITS.stripeWidth - k),
    chunker: main,
    ...(Object.hasOwn(o, 'textChunker') ? { textChunker: textChunker(o.textChunker, `${path}.textChunker`, main) } : {}),
    packSize: integer(o.packSize, `${path}.packSize`, 1),
    createdAt: integer(o.createdAt, `${path}.createdAt`),
    createdBy: siteId(o.createdBy, `${path}.createdBy`)
  }
}

function shard (value: unknown, path: string): ShardPlacement {
  const o = plainObject(value, path, ['id', 'site', 'size'])
  return {
    id: text(o.id, `${path}.id`, 64, PATTERNS.hex64, 'a shard id (64 lowercase hex)'),
    site: siteId(o.site, `${path}.site`),
    size: integer(o.size, `${path}.size`)
  }
}

function stripeRecord (value: unknown, path: string): StripeRecord {
  const o = plainObject(value, path, ['repo', 'pack', 'k', 'm', 'packLength', 'shardLength', 'shards'])
  const k = integer(o.k, `${path}.k`, 1, LIMITS.stripeWidth)
  const m = integer(o.m, `${path}.m`, 0, LIMITS.stripeWidth - k)
  const shards = array(o.shards, `${path}.shards`, LIMITS.stripeWidth).map((s, i) => shard(s, `${path}.shards[${i}]`))
  if (shards.length !== k + m) throw new InvalidInputError(`${path}.shards: expected k + m = ${k + m} shards, got ${shards.length}`)
  return {
    repo: repoId(o.repo, `${path}.repo`),
    pack: packId(o.pack, `${path}.pack`),
    k,
    m,
    packLength: integer(o.packLength, `${path}.packLength`),
    shardLength: integer(o.shardLength, `${path}.shardLength`),
    shards
  }
}

function location (value: unknown, path: string): BlobLocation {
  const o = plainObject(value, path, ['pack', 'offset', 'length'])
  return { pack: packId(o.pack, `${path}.pack`), offset: integer(o.offset, `${path}.offset`), length: integer(o.length, `${path}.length`) }
}

/**
 * Checks a fact field by field and returns a fresh copy holding exactly the validated fields.
 * Throws InvalidInputError naming the first offending path.
 */
export function validateFact (value: unknown, path = 'fact'): CatalogFact {
  if (typeof value !== 'object' || value === null) plainObject(value, path, [])
  const type = (value as { type?: unknown }).type
  switch (type) {
    case 'site-joined': {
      const o = plainObject(value, path, ['type', 'site', 'name', 'zone', 'addrs', 'publicKey'])
      return {
        type,
        site: siteId(o.site, `${path}.site`),
        name: name(o.name, `${path}.name`),
        zone: text(o.zone, `${path}.zone`, LIMITS.nameLength, PATTERNS.label, 'a zone name without control characters'),
        addrs: array(o.addrs, `${path}.addrs`, LIMITS.addrs).map((a, i) => token(a, `${path}.addrs[${i}]`, LIMITS.addrLength)),
        publicKey: token(o.publicKey, `${path}.publicKey`, LIMITS.publicKeyLength)
      }
    }
    case 'repo-created': {
      const o = plainObject(value, path, ['type', 'record'])
      return { type, record: repoRecord(o.record, `${path}.record`) }
    }
    case 'key-added': {
      const o = plainObject(value, path, ['type', 'repo', 'keyId', 'wrapped'])
      return { type, repo: repoId(o.repo, `${path}.repo`), keyId: shortId(o.keyId, `${path}.keyId`), wrapped: token(o.wrapped, `${path}.wrapped`, LIMITS.wrappedLength) }
    }
    case 'key-removed': {
      const o = plainObject(value, path, ['type', 'repo', 'keyId'])
      return { type, repo: repoId(o.repo, `${path}.repo`), keyId: shortId(o.keyId, `${path}.keyId`) }
    }
    case 'pack-stored': {
      const o = plainObject(value, path, ['type', 'stripe'])
      return { type, stripe: stripeRecord(o.stripe, `${path}.stripe`) }
    }
    case 'index-added': {
      const o = plainObject(value, path, ['type', 'repo', 'index', 'location', 'packs'])
      return {
        type,
        repo: repoId(o.repo, `${path}.repo`),
        index: shortId(o.index, `${path}.index`),
        location: location(o.location, `${path}.location`),
        packs: array(o.packs, `${path}.packs`, LIMITS.indexPacks).map((p, i) => packId(p, `${path}.packs[${i}]`))
      }
    }
    case 'snapshot-added': {
      const o = plainObject(value, path, ['type', 'repo', 'snapshot', 'sealed'])
      return { type, repo: repoId(o.repo, `${path}.repo`), snapshot: snapshotId(o.snapshot, `${path}.snapshot`), sealed: token(o.sealed, `${path}.sealed`, LIMITS.sealedLength) }
    }
    case 'snapshot-forgotten': {
      const o = plainObject(value, path, ['type', 'repo', 'snapshot'])
      return { type, repo: repoId(o.repo, `${path}.repo`), snapshot: snapshotId(o.snapshot, `${path}.snapshot`) }
    }
    case 'pack-deleted': {
      const o = plainObject(value, path, ['type', 'repo', 'pack'])
      return { type, repo: repoId(o.repo, `${path}.repo`), pack: packId(o.pack, `${path}.pack`) }
    }
    case 'shard-moved': {
      const o = plainObject(value, path, ['type', 'repo', 'pack', 'index', 'from', 'to'])
      return {
        type,
        repo: repoId(o.repo, `${path}.repo`),
        pack: packId(o.pack, `${path}.pack`),
        index: integer(o.index, `${path}.index`, 0, LIMITS.stripeWidth - 1),
        from: siteId(o.from, `${path}.from`),
        to: siteId(o.to, `${path}.to`)
      }
    }
    case 'site-retired': {
      const o = plainObject(value, path, ['type', 'site', 'lost'], ['upTo'])
      if (typeof o.lost !== 'boolean') throw new InvalidInputError(`${path}.lost: expected a boolean`)
      const fact = { type, site: siteId(o.site, `${path}.site`), lost: o.lost }
      if (!Object.hasOwn(o, 'upTo')) return fact
      // Only a loss ends a log: a drained site goes on signing until it leaves.
      if (!o.lost) throw new InvalidInputError(`${path}.upTo: only a lost site's log ends`)
      const end = plainObject(o.upTo, `${path}.upTo`, ['seq', 'hash'])
      return { ...fact, upTo: { seq: integer(end.seq, `${path}.upTo.seq`, 1), hash: text(end.hash, `${path}.upTo.hash`, 64, PATTERNS.hex64, 'an entry hash (64 lowercase hex)') } }
    }
    default:
      throw new InvalidInputError(`${path}.type: expected one of ${FACT_TYPES.join(', ')}, got ${typeof type === 'string' ? JSON.stringify(type.slice(0, 64)) : typeof type}`)
  }
}
