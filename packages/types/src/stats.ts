/**
 * The totals of one backup: what the engine counts, what the control API carries and what
 * `backup --json` prints under `stats`.
 */
export interface BackupStats {
  files: number
  dirs: number
  /** Files whose size, mtime, ctime and inode matched the parent snapshot: not read again. */
  unchangedFiles: number
  bytesRead: number
  /** Bytes in the snapshot (sum of file sizes). */
  totalBytes: number
  newChunks: number
  /** Plaintext bytes of the chunks that were new to the repository. */
  newBytes: number
  /** Bytes of the new packs (compressed and sealed), before erasure coding. */
  packedBytes: number
  /** Bytes of the new shards written (packs times (k+m)/k). */
  storedBytes: number
  packs: number
  seconds: number
}
