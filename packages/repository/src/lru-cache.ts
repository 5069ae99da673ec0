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
