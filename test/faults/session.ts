import { hash } from '@resilien/hashing'
import { toHex } from '@resilien/types'
import { CatalogClient, createSiteHost, requestJoin, ShardClient } from '@resilien/wire'
import type { SiteHost } from '@resilien/wire'
import { addressOf, newPeerKey, newSite } from '../src/index.js'
import type { Site, TestContext } from '../src/index.js'
import { FuzzFailure, reproduceCommand } from './failure.js'
import type { FuzzContext, Protocol, Sender } from './fuzz-case.js'
import { Random } from './random.js'
import type { BigShard } from './stall-watch.js'

const MiB = 1024 * 1024
/** Bytes of the shard put before fuzzing: gets and has of the cases find it. */
const REFERENCE_SHARD_BYTES = 64 * 1024
/** Twice the 8 MiB stream window: the node cannot hand it all over to a reader that stopped. */
const BIG_SHARD_BYTES = 16 * MiB
const SETUP_TIMEOUT_MS = 30_000
/** Makes the node collect its garbage often, so that its RSS shows what it holds (see gc-preload.ts). */
const GC_PRELOAD = new URL('./gc-preload.js', import.meta.url).href

export interface Session {
  site: Site
  /** The node's peer id. */
  peer: string
  hosts: Record<Sender, SiteHost>
  ctx: FuzzContext
  /** A shard larger than a stream window plus the node's write buffer: a get of it that nobody reads stalls the node's writes. */
  big: BigShard | undefined
}

interface InviteToken { c: string, s: string }

/** `resilien invite` on the node: the cluster id and the secret of a new one-time invite. */
async function invite (site: Site): Promise<InviteToken> {
  const r = await site.run(['invite'])
  if (r.code !== 0) throw new Error(`invite failed: ${r.stderr}`)
  const body = r.stdout.trim().split(':')[1] ?? ''
  return JSON.parse(Buffer.from(body, 'base64url').toString()) as InviteToken
}

async function hostOf (t: TestContext, allowPeer: (peer: string) => boolean): Promise<SiteHost> {
  const host = await createSiteHost({ privateKey: newPeerKey(), listen: [], allowPeer })
  t.after(async () => { await host.stop() })
  return host
}

/** A peer that holds no invite cannot even connect while none is pending. */
async function strangerIsShutOut (t: TestContext, peer: string, addrs: string[]): Promise<boolean> {
  const outsider = await hostOf(t, () => true)
  const signal = AbortSignal.timeout(SETUP_TIMEOUT_MS)
  try {
    await outsider.connect(peer, addrs, { signal })
    // The gater may let the handshake finish and drop the connection right after.
    await new ShardClient(outsider).has(peer, ['00'.repeat(32)], { signal })
    return false
  } catch {
    return true
  } finally {
    await outsider.stop()
  }
}

/**
 * One real node (a `resilien start` process), the fuzzer admitted to its cluster through an
 * invite and the join protocol, and a stranger let in by a second invite left pending (a
 * stranger reaches the node only while an invite is pending, and then nothing but join).
 */
export async function openSession (t: TestContext, seed: number, protocols: readonly Protocol[]): Promise<Session> {
  const site = await newSite(t, 'fuzzed', { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc --import=${GC_PRELOAD}`.trim() })
  const { peerId: peer, addrs } = addressOf(site)
  if (!await strangerIsShutOut(t, peer, addrs)) throw new FuzzFailure('a stranger reached the shard protocol with no invite pending', reproduceCommand(seed, 'all', 0, 0))
  const token = await invite(site)
  const member = await hostOf(t, (p) => p === peer)
  const signal = AbortSignal.timeout(SETUP_TIMEOUT_MS)
  await requestJoin(member, peer, addrs, { cluster: token.c, secret: token.s, name: 'fuzzer', zone: 'fuzzer', addrs: [] }, { signal })
  await invite(site)
  const stranger = await hostOf(t, () => true)
  await stranger.connect(peer, addrs, { signal })
  const entries: unknown[] = []
  await new CatalogClient(member).pull(peer, peer, 1, async (batch) => { entries.push(...batch) }, { signal })
  const shardIdOf = (bytes: Uint8Array): string => toHex(hash(bytes))
  const shard = new Random(seed).bytes(REFERENCE_SHARD_BYTES)
  await new ShardClient(member).put(peer, shardIdOf(shard), shard, { signal })
  const ctx: FuzzContext = { nodePeer: peer, memberPeer: member.peerId, cluster: token.c, entries, shardId: shardIdOf(shard), shardSize: shard.byteLength, shardIdOf }
  let big: BigShard | undefined
  if (protocols.includes('shard')) {
    const bytes = new Random(seed + 1).bytes(BIG_SHARD_BYTES)
    big = { id: shardIdOf(bytes), size: bytes.byteLength }
    await new ShardClient(member).put(peer, big.id, bytes, { signal: AbortSignal.timeout(SETUP_TIMEOUT_MS) })
  }
  return { site, peer, hosts: { member, stranger }, ctx, big }
}
