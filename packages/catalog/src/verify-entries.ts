import { verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { fromHex, RejectedEntryError } from '@resilien/types'
import type { SiteId } from '@resilien/types'
import type { LogEntry } from './log-entry.js'
import { ed25519PublicKeyObject } from './signer.js'
import type { PublicKeyResolver } from './signer.js'

/** crypto.verify with a callback runs on libuv's thread pool: several cores verify a batch. */
function verifyAsync (data: Uint8Array, key: KeyObject, signature: Uint8Array): Promise<boolean> {
  return new Promise((resolve, reject) => {
    verify(null, data, key, signature, (err, ok) => { if (err === null) resolve(ok); else reject(err) })
  })
}

/**
 * Checks the author's Ed25519 signature of every entry (their hashes were checked before).
 * Throws RejectedEntryError for the first entry, in batch order, whose author is unknown
 * ('unknown-site') or whose signature does not verify ('bad-signature').
 */
export async function verifySignatures (entries: readonly LogEntry[], resolve: PublicKeyResolver): Promise<void> {
  const keys = new Map<SiteId, KeyObject>()
  for (const entry of entries) {
    if (keys.has(entry.site)) continue
    const raw = resolve(entry.site)
    if (raw === undefined) throw new RejectedEntryError('unknown-site', entry.site, entry.seq, 'no public key is known for its author')
    keys.set(entry.site, ed25519PublicKeyObject(raw))
  }
  const verdicts = await Promise.all(entries.map(async (entry) =>
    await verifyAsync(fromHex(entry.hash), keys.get(entry.site) as KeyObject, fromHex(entry.sig))))
  const bad = verdicts.indexOf(false)
  if (bad >= 0) {
    const entry = entries[bad] as LogEntry
    throw new RejectedEntryError('bad-signature', entry.site, entry.seq, `its signature does not verify under the key of ${entry.site}`)
  }
}
