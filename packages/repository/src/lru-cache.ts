/** A small least-recently-used map with a fixed number of entries (Map keeps insertion order). */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>()

  constructor (private readonly capacity: number) {}

  get (key: K): V | undefined {
    const value = this.map.get(key)
    if (value !== undefined) {
      this.map.delete(key)
      this.map.set(key, value)
    }
    return value
  }

  set (key: K, value: V): void {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next()
      if (oldest.done !== true) this.map.delete(oldest.value)
    }
  }

  delete (key: K): void {
    this.map.delete(key)
  }
}

/** Least-recently-used byte arrays up to a total size: the oldest go when the budget is exceeded. */
export class ByteBudgetCache {
  private readonly map = new Map<string, Uint8Array>()
  private bytes = 0

  constructor (private readonly budget: number) {}

  /** Bytes held now. */
  get size (): number {
    return this.bytes
  }

  /** Drops every entry. */
  clear (): void {
    this.map.clear()
    this.bytes = 0
  }

  get (key: string): Uint8Array | undefined {
    const value = this.map.get(key)
    if (value !== undefined) {
      this.map.delete(key)
      this.map.set(key, value)
    }
    return value
  }

  set (key: string, value: Uint8Array): void {
    if (value.byteLength > this.budget) return
    const old = this.map.get(key)
    if (old !== undefined) {
      this.bytes -= old.byteLength
      this.map.delete(key)
    }
    this.map.set(key, value)
    this.bytes += value.byteLength
    while (this.bytes > this.budget) {
      const oldest = this.map.entries().next()
      if (oldest.done === true) break
      this.map.delete(oldest.value[0])
      this.bytes -= oldest.value[1].byteLength
    }
  }
}
