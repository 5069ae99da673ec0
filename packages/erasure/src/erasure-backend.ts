export type ErasureBackendName = 'native' | 'portable'

/**
 * Systematic Reed-Solomon: k data shards are kept as they are, m parity shards are added, and any
 * k of the k + m rebuild the others. Both backends write the same parity bytes for the same input,
 * so either one rebuilds what the other encoded. Inputs are read, never modified; do not modify
 * them until the returned promise settles (the native backend reads them on another thread).
 */
export interface ErasureBackend {
  readonly name: ErasureBackendName
  /** Computes the m parity shards of k equal-length data shards. */
  encode (k: number, m: number, data: readonly Uint8Array[]): Promise<Uint8Array[]>
  /**
   * shards: k+m entries, undefined where missing (at least k present, all the same length).
   * Returns all k+m shards, rebuilding the missing ones; present entries are returned as given.
   */
  reconstruct (k: number, m: number, shards: ReadonlyArray<Uint8Array | undefined>): Promise<Uint8Array[]>
}
