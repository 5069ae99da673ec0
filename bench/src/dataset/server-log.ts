import { Rng } from './prng.js'
import { TextWriter } from './text-writer.js'
import { USERS, DAY_ZERO_MS } from './layout.js'

/**
 * nextcloud.log: JSON lines, one request each. The stream depends only on the seed, so a longer
 * log starts with the shorter one: the next day appends to the file, as Nextcloud does.
 */

/** Bytes generated per yielded piece. */
const PIECE_BYTES = 1024 * 1024
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const APPS = ['files', 'webdav', 'core', 'dav', 'files_versions', 'files_trashbin', 'text', 'activity', 'no app in context']
const METHODS = ['PROPFIND', 'GET', 'PUT', 'MOVE', 'DELETE', 'REPORT', 'POST']
const AGENTS = [
  'Mozilla/5.0 (Linux) mirall/3.12.3 (Nextcloud, debian-6.1.0 ClientArchitecture: x86_64 OsArchitecture: x86_64)',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (Android) Nextcloud-android/3.29.0',
  'Mozilla/5.0 (iOS) Nextcloud-iOS/5.3.2'
]
/** The log starts this long before day 0 and advances a few seconds per line. */
const LOG_HISTORY_MS = 30 * 24 * 3600 * 1000
const MAX_STEP_MS = 20_000

/** Yields the log's bytes in [from, size). */
export function * logPieces (seed: number, size: number, from = 0): Generator<Uint8Array> {
  const rng = new Rng(seed)
  let time = DAY_ZERO_MS - LOG_HISTORY_MS
  let produced = 0
  while (produced < size) {
    const w = new TextWriter(PIECE_BYTES + 4096)
    while (w.pos < PIECE_BYTES) {
      time += rng.int(MAX_STEP_MS)
      let reqId = ''
      for (let i = 0; i < 20; i++) reqId += ALPHANUM[rng.int(ALPHANUM.length)]
      const user = rng.pick(USERS)
      w.ascii(`{"reqId":"${reqId}","level":${rng.int(4)},"time":"${new Date(time).toISOString()}","remoteAddr":"10.0.${rng.int(4)}.${rng.int(256)}",` +
        `"user":"${user}","app":"${rng.pick(APPS)}","method":"${rng.pick(METHODS)}","url":"/remote.php/dav/files/${user}/`)
      w.words(rng, rng.range(1, 3))
      w.ascii('","message":"')
      w.sentence(rng)
      w.ascii(`","userAgent":"${rng.pick(AGENTS)}","version":"28.0.4.1","data":[]}\n`)
    }
    const piece = w.take(Math.min(w.pos, size - produced))
    const start = produced
    produced += piece.byteLength
    if (produced > from) yield piece.subarray(Math.max(0, from - start))
  }
}
