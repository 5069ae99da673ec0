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
