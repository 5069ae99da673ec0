import { integer, onlyKeys, plainObject, text } from './checks.js'
import { encodeBatches } from './catalog-batches.js'
import { CATALOG_INBOUND_STREAMS, CATALOG_PROTOCOL, LIMITS, MAX_BATCH_ENTRIES, MAX_JSON_BODY_BYTES } from './constants.js'
import { serve } from './exchange.js'
import type { ServerExchange } from './exchange.js'
import { encodeJsonBody, MalformedError, readJsonBody, sendHeader, sendJsonBody } from './frames.js'
import type { SiteHost } from './host.js'
import { opOf } from './remote-error.js'
import { sendBounded } from './stream-writer.js'

/** What the catalog protocol needs of a catalog; @resilien/catalog's Catalog satisfies it structurally. */
export interface SyncableCatalog {
  heads (): Promise<Map<string, { seq: number, hash: string }>>
  /** LogEntry objects (JSON-able). */
  entries (site: string, from: number, to?: number): AsyncIterable<unknown>
  /** Throws RejectedEntryError (types) on a bad batch. */
  ingest (entries: readonly unknown[]): Promise<number>
}

export interface SiteInfo { freeBytes?: number, storedBytes?: number }

export interface CatalogServerOptions {
  catalog: SyncableCatalog
  isMember: (peerId: string) => boolean
  /** Small facts about this site sent with heads (capacity for placement). */
  info?: () => Promise<SiteInfo>
  /** Called after entries pushed by a peer were ingested (count > 0). */
  onIngested?: (count: number) => void
  log?: (line: string) => void
}

/** Heads travel as [site, seq, hash] triples: no object keys chosen by the peer. */
export type HeadTriple = [string, number, string]

function infoFields (info: SiteInfo): SiteInfo {
  const out: SiteInfo = {}
  if (Number.isSafeInteger(info.freeBytes) && (info.freeBytes as number) >= 0) out.freeBytes = info.freeBytes as number
  if (Number.isSafeInteger(info.storedBytes) && (info.storedBytes as number) >= 0) out.storedBytes = info.storedBytes as number
  return out
}

async function heads (options: CatalogServerOptions, exchange: ServerExchange): Promise<void> {
  const { header } = exchange
  onlyKeys(header, ['op'])
  const triples: HeadTriple[] = [...await options.catalog.heads()].map(([site, head]) => [site, head.seq, head.hash])
  const info = options.info === undefined ? {} : infoFields(await options.info())
  await sendJsonBody(exchange.stream, { ok: true, info }, encodeJsonBody(triples))
}

async function pull (catalog: SyncableCatalog, exchange: ServerExchange): Promise<void> {
  const { header } = exchange
  onlyKeys(header, ['op', 'site', 'from'])
  const site = text(header.site, 'site', LIMITS.peerId, 1)
  const from = integer(header.from, 'from', 1, Number.MAX_SAFE_INTEGER)
  // Each batch goes out through the bounded writer: a slow puller holds back our reading of the log.
  for await (const batch of encodeBatches(catalog.entries(site, from))) {
    sendHeader(exchange.stream, { ok: true, count: batch.count, bytes: batch.body.byteLength })
    await sendBounded(exchange.stream, batch.body)
  }
  sendHeader(exchange.stream, { ok: true, done: true })
}

async function push (options: CatalogServerOptions, exchange: ServerExchange): Promise<void> {
  const { header } = exchange
  onlyKeys(header, ['op', 'site', 'count', 'bytes'])
  const site = text(header.site, 'site', LIMITS.peerId, 1)
  const count = integer(header.count, 'count', 1, MAX_BATCH_ENTRIES)
  const bytes = integer(header.bytes, 'bytes', 2, MAX_JSON_BODY_BYTES)
  const entries = await readJsonBody(exchange.reader, bytes)
  if (!Array.isArray(entries) || entries.length !== count) throw new MalformedError(`the body is not an array of ${count} entries`)
  entries.forEach((entry, i) => {
    if (plainObject(entry, `entries[${i}]`).site !== site) throw new MalformedError(`entries[${i}] is not of site ${site}`)
  })
  const ingested = await options.catalog.ingest(entries)
  if (ingested > 0 && options.onIngested !== undefined) {
    try {
      options.onIngested(ingested)
    } catch {}
  }
  const head = (await options.catalog.heads()).get(site)
  sendHeader(exchange.stream, { ok: true, ingested, head: head === undefined ? null : { seq: head.seq, hash: head.hash } })
}

/**
 * Serves '/resilien/catalog/1' to members:
 * heads `{op}` -> `{ok, info, bytes}` + JSON [[site, seq, hash], ...];
 * pull `{op, site, from}` -> batches `{ok, count, bytes}` + JSON entries ..., then `{ok, done}`;
 * push `{op, site, count, bytes}` + JSON entries -> `{ok, ingested, head}`.
 */
export function serveCatalog (host: SiteHost, options: CatalogServerOptions): void {
  serve(host, {
    protocol: CATALOG_PROTOCOL,
    maxInboundStreams: CATALOG_INBOUND_STREAMS,
    isMember: options.isMember,
    ...(options.log === undefined ? {} : { log: options.log })
  }, async (exchange) => {
    const { header } = exchange
    const op = opOf(header, ['heads', 'pull', 'push'])
    if (op === 'heads') await heads(options, exchange)
    else if (op === 'pull') await pull(options.catalog, exchange)
    else await push(options, exchange)
  })
}
