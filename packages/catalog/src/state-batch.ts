import type { ClassicLevel } from 'classic-level'

export type CatalogDb = ClassicLevel<string, unknown>

const DELETED = Symbol('deleted')

/**
 * One atomic LevelDB batch that also answers reads: a fold step sees the writes of the steps
 * before it in the same batch (two facts about one pack in one ingest), then everything lands
 * with one synced write or not at all.
 */
export class StateBatch {
  private readonly pending = new Map<string, unknown>()
  /** Values read ahead, as stored before this batch. */
  private readonly fetched = new Map<string, unknown>()

  constructor (private readonly db: CatalogDb) {}

  /**
   * Reads many keys in one call (one trip to LevelDB's thread instead of one per key, several
   * times faster) so that the fold's reads mostly hit memory. Only a speed-up: a key not read
   * ahead is read when asked for.
   */
  async prefetch (keys: Iterable<string>): Promise<void> {
    const wanted = [...new Set(keys)].filter((key) => !this.pending.has(key) && !this.fetched.has(key))
    if (wanted.length === 0) return
    const values = await this.db.getMany(wanted)
    wanted.forEach((key, i) => this.fetched.set(key, values[i]))
  }

  async get<T> (key: string): Promise<T | undefined> {
    if (this.pending.has(key)) {
      const value = this.pending.get(key)
      return value === DELETED ? undefined : value as T
    }
    if (this.fetched.has(key)) return this.fetched.get(key) as T | undefined
    return await this.db.get(key) as T | undefined
  }

  async has (key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined
  }

  put (key: string, value: unknown): void {
    this.pending.set(key, value)
  }

  del (key: string): void {
    this.pending.set(key, DELETED)
  }

  /** Durable on return ({ sync: true }: fsync'd by LevelDB before it answers). */
  async write (): Promise<void> {
    if (this.pending.size === 0) return
    const operations = [...this.pending].map(([key, value]) =>
      value === DELETED ? { type: 'del' as const, key } : { type: 'put' as const, key, value })
    await this.db.batch(operations, { sync: true })
  }
}
