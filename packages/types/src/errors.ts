/**
 * Errors are API: their `name` never changes, their message may. Every error says whether
 * retrying the same operation can help (`permanent`), and carries the evidence (which id was
 * corrupt, how many answers were needed and got) as fields, not only in prose.
 */
export class ResilienError extends Error {
  /** True when retrying the same call with the same input cannot succeed. */
  readonly permanent: boolean

  constructor (message: string, options: { cause?: unknown, permanent?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ResilienError'
    this.permanent = options.permanent ?? true
  }
}

/** Authenticated decryption failed: the ciphertext, its nonce or its associated data changed. */
export class IntegrityError extends ResilienError {
  readonly what: string

  constructor (what: string, message?: string) {
    super(message ?? `integrity check failed: ${what}`)
    this.name = 'IntegrityError'
    this.what = what
  }
}

/** The passphrase does not open any key slot of the repository. */
export class WrongPassphraseError extends ResilienError {
  constructor (message = 'wrong passphrase: it opens no key of this repository') {
    super(message)
    this.name = 'WrongPassphraseError'
  }
}

/** Bytes read do not hash to the id they were stored under. */
export class CorruptShardError extends ResilienError {
  readonly shardId: string

  constructor (shardId: string, message?: string) {
    super(message ?? `shard ${shardId} is corrupt: its bytes do not hash to its id`)
    this.name = 'CorruptShardError'
    this.shardId = shardId
  }
}

/** An input (frame, argument, file) that does not have the expected form. */
export class InvalidInputError extends ResilienError {
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, permanent: true })
    this.name = 'InvalidInputError'
  }
}

/** Too few shards or sites answered to do the job. */
export class NotEnoughShardsError extends ResilienError {
  readonly needed: number
  readonly got: number

  constructor (needed: number, got: number, message?: string) {
    super(message ?? `not enough shards: needed ${needed}, got ${got}`, { permanent: false })
    this.name = 'NotEnoughShardsError'
    this.needed = needed
    this.got = got
  }
}

/** True when retrying cannot help; unknown errors count as transient (retry is safe, idempotent). */
export function isPermanent (err: unknown): boolean {
  return err instanceof ResilienError ? err.permanent : false
}

/** Not enough free space to write durably; nothing was written. Retrying after freeing space can help. */
export class DiskFullError extends ResilienError {
  readonly path: string
  readonly needed: number
  readonly free: number

  constructor (path: string, needed: number, free: number, message?: string) {
    super(message ?? `not enough free space in ${path}: need ${needed} bytes, ${free} free`, { permanent: false })
    this.name = 'DiskFullError'
    this.path = path
    this.needed = needed
    this.free = free
  }
}

/** The object was closed (or failed before) and refuses further work instead of doing half. */
export class ClosedError extends ResilienError {
  constructor (what: string) {
    super(`${what} is closed`)
    this.name = 'ClosedError'
  }
}

/** A named item (snapshot, repository, site) does not exist. */
export class NotFoundError extends ResilienError {
  readonly kind: string
  readonly id: string

  constructor (kind: string, id: string, message?: string) {
    super(message ?? `no ${kind} "${id}"`)
    this.name = 'NotFoundError'
    this.kind = kind
    this.id = id
  }
}

/** Why a catalog log entry was refused; see RejectedEntryError. */
export type RejectedEntryReason =
  | 'malformed' | 'bad-hash' | 'bad-signature' | 'unknown-site' | 'gap' | 'broken-chain' | 'equivocation'

/**
 * A catalog log entry (and with it its whole batch) was refused; nothing of the batch was applied.
 * `gap` and `unknown-site` are transient (pull the missing range, or learn the site's key, then
 * retry); the others are evidence against the sender or the author (`equivocation`: the author
 * signed two different entries with the same seq; `heldHash` is the one already held).
 */
export class RejectedEntryError extends ResilienError {
  readonly reason: RejectedEntryReason
  /** Author site and seq of the refused entry, when they could be read at all. */
  readonly site: string | undefined
  readonly seq: number | undefined
  readonly heldHash: string | undefined

  constructor (reason: RejectedEntryReason, site: string | undefined, seq: number | undefined, detail: string, heldHash?: string) {
    super(`refused catalog entry ${site ?? '?'}#${seq ?? '?'} (${reason}): ${detail}`, { permanent: reason !== 'gap' && reason !== 'unknown-site' })
    this.name = 'RejectedEntryError'
    this.reason = reason
    this.site = site
    this.seq = seq
    this.heldHash = heldHash
  }
}

/**
 * What would be committed does not survive the loss of any one site (too few failure domains
 * up, or the catalog could not reach a second site). Transient: more sites up fixes it.
 */
export class InsufficientRedundancyError extends ResilienError {
  constructor (message: string) {
    super(message, { permanent: false })
    this.name = 'InsufficientRedundancyError'
  }
}
