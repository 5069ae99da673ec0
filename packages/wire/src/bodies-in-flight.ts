/**
 * Request bodies (shard puts, catalog pushes) one host is sending or awaiting the answer to, in
 * bytes. They share the host's uplink, to every peer at once (a backup puts all k + m shards of
 * several packs together), so one body can wait behind all of them: a reader waiting for a
 * body's answer allows for every byte in flight when the body started.
 */
export class BodiesInFlight {
  #bytes = 0

  /** Counts a body in; `sharing` is every byte in flight with it, its own included. */
  add (bytes: number): { sharing: number, done: () => void } {
    this.#bytes += bytes
    let counted = true
    return {
      sharing: this.#bytes,
      done: () => {
        if (!counted) return
        counted = false
        this.#bytes -= bytes
      }
    }
  }

  get bytes (): number {
    return this.#bytes
  }
}
