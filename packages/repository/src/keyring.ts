import { randomBytes } from 'node:crypto'
import { generateMasterKey, unwrapMasterKey, wrapMasterKey, deriveRepoKeys } from '@resilien/crypto'
import type { KdfParams, RepoKeys } from '@resilien/crypto'
import { IntegrityError, WrongPassphraseError, toHex } from '@resilien/types'

export interface NewKey {
  master: Uint8Array
  keyId: string
  /** base64 of the wrapped master key, as stored in the catalog's `key-added` fact. */
  wrapped: string
}

/** A new random master key wrapped by `passphrase`. */
export async function newMasterKey (passphrase: string, kdf?: KdfParams): Promise<NewKey> {
  const master = generateMasterKey()
  return { master, ...await wrapForPassphrase(master, passphrase, kdf) }
}

/** One more key slot for the same master key (several passphrases per repository). */
export async function wrapForPassphrase (master: Uint8Array, passphrase: string, kdf?: KdfParams): Promise<{ keyId: string, wrapped: string }> {
  const wrapped = await wrapMasterKey(master, passphrase, kdf)
  return { keyId: toHex(randomBytes(8)), wrapped: Buffer.from(wrapped).toString('base64') }
}

/**
 * Tries the passphrase on every key slot of a repository. The first slot it opens gives the
 * master key. A passphrase that opens none is a WrongPassphraseError; when slots are damaged
 * and none opened, the error says so instead (the passphrase may be right).
 */
export async function openKeyring (slots: ReadonlyArray<{ keyId: string, wrapped: string }>, passphrase: string): Promise<{ keys: RepoKeys, keyId: string }> {
  const { master, keyId } = await unlockMaster(slots, passphrase)
  return { keys: deriveRepoKeys(master), keyId }
}

/** The master key and the slot the passphrase opened (openKeyring before the keys are derived). */
export async function unlockMaster (slots: ReadonlyArray<{ keyId: string, wrapped: string }>, passphrase: string): Promise<{ master: Uint8Array, keyId: string }> {
  let damaged = 0
  for (const slot of slots) {
    try {
      const master = await unwrapMasterKey(Buffer.from(slot.wrapped, 'base64'), passphrase)
      return { master, keyId: slot.keyId }
    } catch (err) {
      if (err instanceof WrongPassphraseError) continue
      if (err instanceof IntegrityError) {
        damaged++
        continue
      }
      throw err
    }
  }
  if (damaged > 0 && damaged === slots.length) {
    throw new IntegrityError('key slots', `every key slot of the repository is damaged (${damaged}); the passphrase could not be tried`)
  }
  throw new WrongPassphraseError()
}
