import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { replaceFileDurably, ResilienError } from '@resilien/types'

/** File of the pending invites in the data dir: hashes of their secrets, never the secrets. */
export const INVITES_FILE = 'invites.json'

/** Pending invites kept at most; older ones are dropped first. Bounds the file and the gater's work. */
const MAX_PENDING = 64

interface PendingInvite {
  /** SHA-256 of the secret, hex. */
  digest: string
  expires: number
}

/** An invite that is unknown, used or expired: one line back to the joiner. */
export class InviteRefusedError extends ResilienError {
  constructor (message: string) {
    super(message)
    this.name = 'InviteRefusedError'
  }
}

function digestOf (secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest()
}

/**
 * One-time invites of this site. Only digests are stored (0600, atomic rename), so the data dir
 * does not hand out working tokens; a redeemed invite is removed before the new site is
 * admitted, so a token works once even across a crash.
 */
export class InviteBook {
  private pending: PendingInvite[] = []

  private constructor (private readonly path: string, private readonly now: () => number) {}

  static async open (dataDir: string, now: () => number = Date.now): Promise<InviteBook> {
    const book = new InviteBook(join(dataDir, INVITES_FILE), now)
    try {
      const raw = JSON.parse(await readFile(book.path, 'utf8')) as unknown
      if (Array.isArray(raw)) {
        book.pending = raw.filter((p): p is PendingInvite => typeof p === 'object' && p !== null &&
          typeof (p as PendingInvite).digest === 'string' && Number.isSafeInteger((p as PendingInvite).expires))
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    return book
  }

  /** Makes a new invite; returns its secret (hex) and expiry. */
  async create (ttlMs: number): Promise<{ secret: string, expires: number }> {
    const secret = randomBytes(32).toString('hex')
    const expires = this.now() + ttlMs
    this.pending = [...this.live(), { digest: digestOf(secret).toString('hex'), expires }].slice(-MAX_PENDING)
    await this.save()
    return { secret, expires }
  }

  /** True while an unexpired invite is pending: only then may a stranger reach the join protocol. */
  anyPending (): boolean {
    const now = this.now()
    return this.pending.some((p) => p.expires > now)
  }

  /** Consumes the invite of `secret`, or throws when there is none (unknown, used or expired). */
  async redeem (secret: string): Promise<void> {
    const digest = digestOf(secret)
    const match = this.pending.find((p) => timingSafeEqual(Buffer.from(p.digest, 'hex'), digest))
    if (match === undefined) throw new InviteRefusedError('the invite is unknown or was already used: ask for a new one with `resilien invite`')
    this.pending = this.pending.filter((p) => p !== match)
    await this.save()
    if (match.expires <= this.now()) throw new InviteRefusedError('the invite has expired: ask for a new one with `resilien invite`')
  }

  private live (): PendingInvite[] {
    const now = this.now()
    return this.pending.filter((p) => p.expires > now)
  }

  private async save (): Promise<void> {
    await replaceFileDurably(this.path, JSON.stringify(this.live()) + '\n')
  }
}
