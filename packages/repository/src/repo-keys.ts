import type { KdfParams } from '@resilien/crypto'
import { InvalidInputError, NotFoundError } from '@resilien/types'
import type { RepoRecord } from '@resilien/types'
import { unlockMaster, wrapForPassphrase } from './keyring.js'
import type { RepositoryComponents } from './repository.js'

/**
 * Key slots: each holds the repository's one master key wrapped by one passphrase (restic's
 * `key add / list / remove`). Adding a slot lets another passphrase open the repository;
 * removing one stops its passphrase from opening it here and on every site once they fold the
 * fact. The master key itself never changes, so the data is not re-encrypted; and the catalog is
 * an append-only log every site keeps, so a removed slot's wrapped key stays in its history:
 * someone who holds the old passphrase and a copy of a site's catalog can still unwrap it. A
 * leaked passphrase therefore calls for a new repository, not only a removed slot (restic's
 * `key remove` has the same limit against a copy of the old key file).
 */
export interface KeySlot {
  keyId: string
  /** The slot the passphrase given opened. */
  current: boolean
}

type KeyComponents = Pick<RepositoryComponents, 'catalog'>

async function unlock (components: KeyComponents, repoName: string, passphrase: string): Promise<{ record: RepoRecord, slots: Array<{ keyId: string, wrapped: string }>, master: Uint8Array, keyId: string }> {
  const record = await components.catalog.repo(repoName)
  if (record === undefined) throw new NotFoundError('repository', repoName)
  const slots = await components.catalog.keys(record.repo)
  return { record, slots, ...await unlockMaster(slots, passphrase) }
}

/** The key slots of a repository, opened with one of their passphrases. */
export async function listKeySlots (components: KeyComponents, repoName: string, passphrase: string): Promise<KeySlot[]> {
  const { slots, keyId } = await unlock(components, repoName, passphrase)
  return slots.map((s) => ({ keyId: s.keyId, current: s.keyId === keyId }))
}

/** What a change did: the slot added or removed, and every slot after it. */
export interface KeySlotChange {
  keyId: string
  slots: KeySlot[]
}

/** Adds a slot for `newPassphrase`. The repository is opened with `passphrase`. */
export async function addKeySlot (components: KeyComponents, repoName: string, passphrase: string, newPassphrase: string, kdf?: KdfParams): Promise<KeySlotChange> {
  if (newPassphrase === '') throw new InvalidInputError('the new passphrase is empty')
  if (newPassphrase === passphrase) throw new InvalidInputError('the new passphrase is the one that opened the repository: it has a key slot already')
  const { record, slots, master, keyId: current } = await unlock(components, repoName, passphrase)
  const slot = await wrapForPassphrase(master, newPassphrase, kdf)
  await components.catalog.append([{ type: 'key-added', repo: record.repo, keyId: slot.keyId, wrapped: slot.wrapped }])
  return { keyId: slot.keyId, slots: [...slots, slot].map((s) => ({ keyId: s.keyId, current: s.keyId === current })) }
}

/**
 * Removes the slot `keyId` (a unique prefix will do). The slot the passphrase given opens is
 * refused: a repository always keeps a slot someone has just shown they can open, and never
 * loses its last one.
 */
export async function removeKeySlot (components: KeyComponents, repoName: string, passphrase: string, keyId: string): Promise<KeySlotChange> {
  const { record, slots, keyId: current } = await unlock(components, repoName, passphrase)
  const matches = keyId === '' ? [] : slots.filter((s) => s.keyId.startsWith(keyId))
  if (matches.length === 0) throw new NotFoundError('key', keyId, `no key slot "${keyId}" in repository "${record.name}" (resilien repo key list ${record.name})`)
  if (matches.length > 1) throw new InvalidInputError(`key prefix "${keyId}" is ambiguous (${matches.length} slots)`)
  const target = (matches[0] as { keyId: string }).keyId
  if (target === current) throw new InvalidInputError(`key slot ${target} is the one the passphrase given opens: remove it with another passphrase`)
  await components.catalog.append([{ type: 'key-removed', repo: record.repo, keyId: target }])
  return { keyId: target, slots: slots.filter((s) => s.keyId !== target).map((s) => ({ keyId: s.keyId, current: s.keyId === current })) }
}
