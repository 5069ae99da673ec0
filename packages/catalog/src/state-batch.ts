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

  constructor (private readonly db: CatalogDb) {}

  async get<T> (key: string): Promise<T | undefined> {
    if (this.pending.has(key)) {
      const value = this.pending.get(key)
      return value === DELETED ? undefined : value as T
    }
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
