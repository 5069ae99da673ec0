import { InvalidInputError } from '@resilien/types'
import type { AbortOptions } from '@resilien/types'
import { encodeBatches } from './catalog-batches.js'
import type { EncodedBatch } from './catalog-batches.js'
import type { SiteInfo } from './catalog-server.js'
import { boolean, hex64, integer, onlyKeys, optionalInteger, plainObject, text } from './checks.js'
import { CATALOG_PROTOCOL, LIMITS, MAX_BATCH_ENTRIES, MAX_JSON_BODY_BYTES } from './constants.js'
import { request, sendBodyAndAnswer } from './exchange.js'
import { MalformedError, readJsonBody, sendHeader } from './frames.js'
import type { Header } from './frames.js'
import type { SiteHost } from './host.js'
import { readResponse } from './remote-error.js'
import { closeWrite } from './stream-writer.js'

export interface Head { seq: number, hash: string }

/** Sends one encoded batch (for pushLogTo, which encodes straight from the log). */
export const PUSH_BATCH = Symbol('pushBatch')

function siteInfo (value: unknown): SiteInfo {
  const o = plainObject(value, 'info')
  onlyKeys(o, ['freeBytes', 'storedBytes'])
  const info: SiteInfo = {}
  const freeBytes = optionalInteger(o.freeBytes, 'info.freeBytes', 0, Number.MAX_SAFE_INTEGER)
  const storedBytes = optionalInteger(o.storedBytes, 'info.storedBytes', 0, Number.MAX_SAFE_INTEGER)
  if (freeBytes !== undefined) info.freeBytes = freeBytes
  if (storedBytes !== undefined) info.storedBytes = storedBytes
  return info
}

function headsOf (value: unknown): Map<string, Head> {
  if (!Array.isArray(value) || value.length > LIMITS.sites) throw new MalformedError('heads are not an array of [site, seq, hash]')
  const heads = new Map<string, Head>()
  value.forEach((triple: unknown, i) => {
    if (!Array.isArray(triple) || triple.length !== 3) throw new MalformedError(`heads[${i}] is not [site, seq, hash]`)
    const site = text(triple[0], `heads[${i}] site`, LIMITS.peerId, 1)
    if (heads.has(site)) throw new MalformedError(`heads list ${site} twice`)
    heads.set(site, { seq: integer(triple[1], `heads[${i}] seq`, 0, Number.MAX_SAFE_INTEGER), hash: hex64(triple[2], `heads[${i}] hash`) })
  })
  return heads
}

function bodyLength (header: Header): number {
  return integer(header.bytes, 'bytes', 2, MAX_JSON_BODY_BYTES)
}

function siteOf (entry: unknown): string {
  const site = (typeof entry === 'object' && entry !== null) ? (entry as { site?: unknown }).site : undefined
  if (typeof site !== 'string' || site === '') throw new InvalidInputError('a catalog entry to push has no site')
  return site
}

/** Client of '/resilien/catalog/1' (see serveCatalog for the frames). */
export class CatalogClient {
  readonly #host: SiteHost

  constructor (host: SiteHost) {
    this.#host = host
  }

  async heads (peer: string, options?: AbortOptions): Promise<{ heads: Map<string, Head>, info: SiteInfo }> {
    const signal = options?.signal
    return await request(this.#host, peer, CATALOG_PROTOCOL, signal, async (stream, reader) => {
      sendHeader(stream, { op: 'heads' })
      await closeWrite(stream, signal)
      const header = await readResponse(reader, signal)
      onlyKeys(header, ['ok', 'info', 'bytes'])
      const info = siteInfo(header.info)
      return { heads: headsOf(await readJsonBody(reader, bodyLength(header), signal)), info }
    })
  }

  /** Pulls entries of `site` from seq `from` on, in bounded batches, each handed to onBatch before the next is read. */
  async pull (peer: string, site: string, from: number, onBatch: (entries: unknown[]) => Promise<void>, options?: AbortOptions): Promise<number> {
    if (typeof site !== 'string' || site === '' || site.length > LIMITS.peerId) throw new InvalidInputError('site must be a site id')
    if (!Number.isSafeInteger(from) || from < 1) throw new InvalidInputError('from must be a seq (an integer from 1)')
    const signal = options?.signal
    return await request(this.#host, peer, CATALOG_PROTOCOL, signal, async (stream, reader) => {
      sendHeader(stream, { op: 'pull', site, from })
      await closeWrite(stream, signal)
      let total = 0
      for (;;) {
        const header = await readResponse(reader, signal)
        if (header.done !== undefined) {
          onlyKeys(header, ['ok', 'done'])
          if (!boolean(header.done, 'done')) throw new MalformedError('"done" is not true')
          return total
        }
        onlyKeys(header, ['ok', 'count', 'bytes'])
        const count = integer(header.count, 'count', 1, MAX_BATCH_ENTRIES)
        const entries = await readJsonBody(reader, bodyLength(header), signal)
        if (!Array.isArray(entries) || entries.length !== count) throw new MalformedError(`a batch is not an array of ${count} entries`)
        entries.forEach((entry, i) => { plainObject(entry, `entries[${i}]`) })
        // The next batch stays unread (the stream pauses) until this one is taken in.
        await onBatch(entries)
        total += count
      }
    })
  }

  /** The peer ingests these entries (all of one site, consecutive) and answers its head for that site after. */
  async push (peer: string, entries: readonly unknown[], options?: AbortOptions): Promise<Head | undefined> {
    if (!Array.isArray(entries)) throw new InvalidInputError('entries must be an array')
    if (entries.length === 0) return undefined
    const site = siteOf(entries[0])
    for (const entry of entries) {
      if (siteOf(entry) !== site) throw new InvalidInputError('the entries of one push must all be of one site')
    }
    let head: Head | undefined
    for await (const batch of encodeBatches(entries)) head = await this[PUSH_BATCH](peer, site, batch, options)
    return head
  }

  async [PUSH_BATCH] (peer: string, site: string, batch: EncodedBatch, options?: AbortOptions): Promise<Head | undefined> {
    const signal = options?.signal
    return await request(this.#host, peer, CATALOG_PROTOCOL, signal, async (stream, reader) => {
      sendHeader(stream, { op: 'push', site, count: batch.count, bytes: batch.body.byteLength })
      const header = await sendBodyAndAnswer(this.#host, stream, reader, batch.body, signal)
      onlyKeys(header, ['ok', 'ingested', 'head'])
      integer(header.ingested, 'ingested', 0, batch.count)
      if (header.head === null) return undefined
      const head = plainObject(header.head, 'head')
      onlyKeys(head, ['seq', 'hash'])
      return { seq: integer(head.seq, 'head.seq', 0, Number.MAX_SAFE_INTEGER), hash: hex64(head.hash, 'head.hash') }
    })
  }
}
