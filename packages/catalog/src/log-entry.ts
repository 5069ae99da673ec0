import { hash } from '@resilien/hashing'
import { InvalidInputError, RejectedEntryError, toHex } from '@resilien/types'
import type { CatalogFact, SiteId } from '@resilien/types'
import { canonicalJson } from './canonical-json.js'
import { ENTRY_HASH_DOMAIN, LIMITS } from './constants.js'
import { integer, PATTERNS, plainObject, text } from './shape.js'
import type { SiteSigner } from './signer.js'
import { siteId, validateFact } from './validate-fact.js'

/** What an entry's hash covers. */
export interface LogEntryBody {
  site: SiteId
  /** 1-based position in the author's log. */
  seq: number
  /** Hash (hex) of the author's entry seq - 1; '' for seq 1. */
  prev: string
  /** Milliseconds since the epoch at the author; informative, and the order of 'site-joined'. */
  time: number
  fact: CatalogFact
}

export interface LogEntry extends LogEntryBody {
  /** Lowercase hex of BLAKE3 (32 bytes) of entryBytes(body). */
  hash: string
  /** Lowercase hex of the author's Ed25519 signature (64 bytes) over the 32 hash bytes. */
  sig: string
}

export interface LogHead {
  seq: number
  hash: string
}

const ENTRY_KEYS = ['site', 'seq', 'prev', 'time', 'fact', 'hash', 'sig'] as const
const encoder = new TextEncoder()

/** The bytes an entry's hash covers: UTF-8 of the domain line then the canonical JSON of the body. */
export function entryBytes (body: LogEntryBody): Uint8Array {
  const { site, seq, prev, time, fact } = body
  return encoder.encode(ENTRY_HASH_DOMAIN + canonicalJson({ site, seq, prev, time, fact }))
}

/** Hashes and signs a body; the caller has validated it. */
export function signEntry (body: LogEntryBody, signer: SiteSigner): LogEntry {
  const bytes = entryBytes(body)
  if (bytes.byteLength > LIMITS.entryBytes) {
    throw new InvalidInputError(`catalog entry of ${bytes.byteLength} bytes exceeds the limit of ${LIMITS.entryBytes}`)
  }
  const digest = hash(bytes)
  return { site: body.site, seq: body.seq, prev: body.prev, time: body.time, fact: body.fact, hash: toHex(digest), sig: toHex(signer.sign(digest)) }
}

/**
 * Checks an entry received from elsewhere: its shape, its limits and that its hash is the hash of
 * its body. Returns a fresh copy of exactly the validated fields. The signature is checked by
 * the caller (it needs the author's key). Throws RejectedEntryError ('malformed' or 'bad-hash').
 */
export function validateEntry (value: unknown, path: string): LogEntry {
  const maybe = (typeof value === 'object' && value !== null ? value : {}) as { site?: unknown, seq?: unknown }
  const site = typeof maybe.site === 'string' && PATTERNS.siteId.test(maybe.site) ? maybe.site.slice(0, LIMITS.siteIdLength) : undefined
  const seq = Number.isSafeInteger(maybe.seq) ? maybe.seq as number : undefined
  let entry: LogEntry
  let bytes: Uint8Array
  try {
    const o = plainObject(value, path, ENTRY_KEYS)
    const checkedSeq = integer(o.seq, `${path}.seq`, 1)
    const prev = checkedSeq === 1
      ? text(o.prev, `${path}.prev`, 0, /^$/, "'' (seq 1 has no predecessor)")
      : text(o.prev, `${path}.prev`, 64, PATTERNS.hex64, 'a hash (64 lowercase hex)')
    entry = {
      site: siteId(o.site, `${path}.site`),
      seq: checkedSeq,
      prev,
      time: integer(o.time, `${path}.time`),
      fact: validateFact(o.fact, `${path}.fact`),
      hash: text(o.hash, `${path}.hash`, 64, PATTERNS.hex64, 'a hash (64 lowercase hex)'),
      sig: text(o.sig, `${path}.sig`, 128, PATTERNS.hex128, 'an Ed25519 signature (128 lowercase hex)')
    }
    bytes = entryBytes(entry)
    if (bytes.byteLength > LIMITS.entryBytes) {
      throw new InvalidInputError(`${path}: ${bytes.byteLength} bytes exceed the limit of ${LIMITS.entryBytes}`)
    }
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err
    throw new RejectedEntryError('malformed', site, seq, err.message)
  }
  const actual = toHex(hash(bytes))
  if (actual !== entry.hash) {
    throw new RejectedEntryError('bad-hash', entry.site, entry.seq, `its body hashes to ${actual}, not to the ${entry.hash} it claims`)
  }
  return entry
}
