import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { hash } from '@resilien/hashing'
import { toHex } from '@resilien/types'
import type { ShardStore } from '@resilien/types'
import { createSiteHost } from '../src/index.js'
import type { SiteHost } from '../src/index.js'

export const LOOPBACK = '/ip4/127.0.0.1/tcp/0'

export async function newKey (): Promise<Uint8Array> {
  return privateKeyToProtobuf(await generateKeyPair('Ed25519'))
}

export interface TestHostOptions {
  listen?: string[]
  allowPeer?: (peerId: string) => boolean
  privateKey?: Uint8Array
}

const hostsOfTest = new WeakMap<TestContext, SiteHost[]>()

/**
 * A host on 127.0.0.1, stopped when the test ends (a running host keeps node --test alive).
 * Hosts stop newest first: a dialler stopped after the host it dialled waits 0.5 s in libp2p.
 */
export async function testHost (t: TestContext, options: TestHostOptions = {}): Promise<SiteHost> {
  const host = await createSiteHost({
    privateKey: options.privateKey ?? await newKey(),
    listen: options.listen ?? [LOOPBACK],
    allowPeer: options.allowPeer ?? (() => true)
  })
  let hosts = hostsOfTest.get(t)
  if (hosts === undefined) {
    const list: SiteHost[] = []
    hosts = list
    hostsOfTest.set(t, list)
    t.after(async () => {
      for (const h of list.reverse()) await h.stop()
    })
  }
  hosts.push(host)
  return host
}

/** Two hosts, `client` connected to `server`. */
export async function connectedPair (t: TestContext): Promise<{ client: SiteHost, server: SiteHost }> {
  const server = await testHost(t)
  const client = await testHost(t, { listen: [] })
  await client.connect(server.peerId, server.listenAddresses())
  return { client, server }
}

export function shardId (bytes: Uint8Array): string {
  return toHex(hash(bytes))
}

/** Deterministic bytes (no randomness: a failure reproduces). */
export function patternBytes (length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    bytes[i] = x; bytes[i + 1] = x >>> 8; bytes[i + 2] = x >>> 16; bytes[i + 3] = x >>> 24
  }
  return bytes
}

export async function tempDir (t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-wire-'))
  t.after(async () => await rm(dir, { recursive: true, force: true }))
  return dir
}

/** Collects log lines of a server. */
export function lines (): { log: (line: string) => void, lines: string[] } {
  const collected: string[] = []
  return { log: (line) => { collected.push(line) }, lines: collected }
}

/** A store that forwards to `inner` except for the methods given (to watch or falsify a store). */
export function wrapStore (inner: ShardStore, overrides: Partial<ShardStore>): ShardStore {
  return {
    put: async (id, data, options) => { await inner.put(id, data, options) },
    get: async (id, range, options) => await inner.get(id, range, options),
    has: async (ids, options) => await inner.has(ids, options),
    renew: async (id, options) => await inner.renew(id, options),
    delete: async (id, options) => await inner.delete(id, options),
    list: (options) => inner.list(options),
    stats: async (options) => await inner.stats(options),
    close: async () => { await inner.close() },
    ...overrides
  }
}
