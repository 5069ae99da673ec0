import { randomBytes } from 'node:crypto'
import { keyedHash } from '@resilien/hashing'
import { equalBytes } from '@resilien/types'
import type { RepoKeys } from '@resilien/crypto'

/** How long opened keys stay cached after their last use, by default. */
export const DEFAULT_KEY_CACHE_TTL_MS = 15 * 60 * 1000

/**
 * Repository keys opened recently, so that a node serving many commands (and scheduled jobs)
 * does not run the memory-hard KDF (64 MiB, ~0.5 s) for each. An entry is found only with the
 * same passphrase: it stores a keyed hash of it under a random per-process key, compared in
 * constant time, never the passphrase. Entries expire after `ttlMs` without use. Each entry
 * names the key slot it was opened with: a caller uses it only while that slot is still in the
 * catalog (a removed slot's passphrase must stop working at once, not after the TTL).
 */
export class KeyCache {
  private readonly secret = randomBytes(32)
  private readonly entries = new Map<string, { tag: Uint8Array, keys: RepoKeys, keyId: string, expires: number }>()
  private sweep: ReturnType<typeof setTimeout> | undefined

  constructor (private readonly ttlMs = DEFAULT_KEY_CACHE_TTL_MS, private readonly now: () => number = Date.now) {}

  private tag (passphrase: string): Uint8Array {
    return keyedHash(this.secret, Buffer.from(passphrase.normalize('NFC'), 'utf8'))
  }

  /** Repositories whose keys are held. */
  get size (): number {
    return this.entries.size
  }

  get (repo: string, passphrase: string): { keys: RepoKeys, keyId: string } | undefined {
    this.dropExpired()
    const entry = this.entries.get(repo)
    if (entry === undefined) return undefined
    if (!equalBytes(entry.tag, this.tag(passphrase))) return undefined
    entry.expires = this.now() + this.ttlMs
    return { keys: entry.keys, keyId: entry.keyId }
  }

  set (repo: string, passphrase: string, keys: RepoKeys, keyId: string): void {
    this.dropExpired()
    if (this.ttlMs <= 0) return
    this.entries.set(repo, { tag: this.tag(passphrase), keys, keyId, expires: this.now() + this.ttlMs })
    this.armSweep()
  }

  clear (): void {
    this.entries.clear()
    if (this.sweep !== undefined) clearTimeout(this.sweep)
    this.sweep = undefined
  }

  /**
   * While entries are held, one timer (which keeps no process alive) drops them when they
   * expire, so keys go on time even when no command comes to ask.
   */
  private armSweep (): void {
    if (this.sweep !== undefined || this.entries.size === 0) return
    const next = Math.min(...[...this.entries.values()].map((e) => e.expires))
    this.sweep = setTimeout(() => {
      this.sweep = undefined
      this.dropExpired()
      this.armSweep()
    }, Math.max(0, next - this.now()) + 1)
    this.sweep.unref()
  }

  /**
   * Forgets every entry past its time, whichever repository is asked for: the keys of a
   * repository nobody uses any more (one created here and backed up elsewhere) must not stay
   * for the life of the process. Keys are dropped, not wiped: a command still running may hold
   * them.
   */
  private dropExpired (): void {
    const now = this.now()
    for (const [repo, entry] of this.entries) if (entry.expires < now) this.entries.delete(repo)
  }
}
