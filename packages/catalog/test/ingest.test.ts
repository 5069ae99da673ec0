import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RejectedEntryError } from '@resilien/types'
import type { CatalogFact, RejectedEntryReason } from '@resilien/types'
import { LIMITS, signEntry } from '../src/index.js'
import type { Catalog, LogEntry, LogEntryBody, SiteSigner } from '../src/index.js'
import { collect, dumpState, hexId, makeSite, openTestCatalog, repoRecord, resolverOf, steppingClock } from './helpers.js'
import type { TestSite } from './helpers.js'

const a = makeSite('A')
const b = makeSite('B')
const c = makeSite('C')
const resolve = resolverOf(a, b, c)
const repo = hexId('repo ingest')

function snapshot (i: number): CatalogFact {
  return { type: 'snapshot-added', repo, snapshot: hexId(`snap ${i}`, 32), sealed: `sealed${i}` }
}

/** B's log of five snapshot facts, written by its own Catalog in its own temp dir. */
async function logOf (t: Parameters<typeof openTestCatalog>[0], site: TestSite, count: number): Promise<LogEntry[]> {
  const catalog = await openTestCatalog(t, site, resolve, { now: steppingClock(1000) })
  await catalog.append(Array.from({ length: count }, (_, i) => snapshot(i)))
  return await collect(catalog.entries(site.site, 1))
}

function body (entry: LogEntry): LogEntryBody {
  return { site: entry.site, seq: entry.seq, prev: entry.prev, time: entry.time, fact: entry.fact }
}

function resign (entry: LogEntry, changes: Partial<LogEntryBody>, signer: SiteSigner): LogEntry {
  return signEntry({ ...body(entry), ...changes }, signer)
}

async function expectRefused (catalog: Catalog, batch: readonly unknown[], reason: RejectedEntryReason, site: string | undefined, seq: number | undefined): Promise<void> {
  const before = await dumpState(catalog, [repo])
  await assert.rejects(catalog.ingest(batch), (err: unknown) => {
    assert.ok(err instanceof RejectedEntryError, String(err))
    assert.equal(err.reason, reason, err.message)
    assert.equal(err.site, site)
    assert.equal(err.seq, seq)
    return true
  })
  assert.deepEqual(await dumpState(catalog, [repo]), before, 'nothing of a refused batch is applied')
}

test("ingest verifies and adds a second site's log: same entries, same heads, state folded", async (t) => {
  const log = await logOf(t, b, 5)
  const catalog = await openTestCatalog(t, a, resolve)
  assert.equal(await catalog.ingest(log), 5)
  assert.deepEqual(await collect(catalog.entries(b.site, 1)), log)
  assert.deepEqual(await catalog.heads(), new Map([[b.site, { seq: 5, hash: log[4]?.hash }]]))
  const snapshots = await collect(catalog.snapshots(repo))
  assert.equal(snapshots.length, 5)
  assert.ok(snapshots.every((s) => s.site === b.site))
  // Local appends continue to work next to the ingested log.
  assert.equal((await catalog.append([snapshot(99)]))[0]?.seq, 1)
})

test('re-ingesting held entries is idempotent and counts only the new ones', async (t) => {
  const log = await logOf(t, b, 5)
  const catalog = await openTestCatalog(t, a, resolve)
  assert.equal(await catalog.ingest(log.slice(0, 3)), 3)
  assert.equal(await catalog.ingest(log.slice(0, 3)), 0)
  assert.equal(await catalog.ingest(log), 2)
  assert.equal(await catalog.ingest(log), 0)
  assert.equal(await catalog.ingest([]), 0)
  assert.deepEqual(await collect(catalog.entries(b.site, 1)), log)
  const own = await catalog.append([snapshot(7)])
  assert.equal(await catalog.ingest(own), 0)
})

test('one batch may carry several logs; each is checked on its own chain', async (t) => {
  const logB = await logOf(t, b, 3)
  const logC = await logOf(t, c, 3)
  const catalog = await openTestCatalog(t, a, resolve)
  assert.equal(await catalog.ingest([logB[0], logC[0], logB[1], logC[1], logC[2], logB[2]]), 6)
  assert.deepEqual((await catalog.heads()).get(c.site), { seq: 3, hash: logC[2]?.hash })
})

test('tampered entries are refused with the reason, site and seq, and nothing of the batch is applied', async (t) => {
  const log = await logOf(t, b, 5)
  const catalog = await openTestCatalog(t, a, resolve)
  await catalog.ingest(log.slice(0, 3))
  const [e1, e2, e3, e4, e5] = log as [LogEntry, LogEntry, LogEntry, LogEntry, LogEntry]
  const changedFact = { ...e5, fact: snapshot(42) }
  await t.test('changed fact', async () => await expectRefused(catalog, [e4, changedFact], 'bad-hash', b.site, 5))
  const rehashed = { ...resign(e5, { fact: snapshot(42) }, b.signer), sig: e5.sig }
  await t.test('changed fact with its hash recomputed', async () => await expectRefused(catalog, [e4, rehashed], 'bad-signature', b.site, 5))
  await t.test('changed prev', async () => await expectRefused(catalog, [e4, { ...e5, prev: e3.hash }], 'bad-hash', b.site, 5))
  const forked = resign(e5, { prev: e3.hash }, b.signer)
  await t.test('changed prev, validly signed by the author', async () => await expectRefused(catalog, [e4, forked], 'broken-chain', b.site, 5))
  const wrongSig = { ...e5, sig: resign(e5, {}, a.signer).sig }
  await t.test('signature made with another key', async () => await expectRefused(catalog, [e4, wrongSig], 'bad-signature', b.site, 5))
  await t.test('seq gap', async () => await expectRefused(catalog, [e5], 'gap', b.site, 5))
  const other = resign(e2, { fact: snapshot(77) }, b.signer)
  await t.test('equivocation: another validly signed entry for a held seq', async () => {
    await expectRefused(catalog, [e4, other], 'equivocation', b.site, 2)
    const err = await catalog.ingest([other]).catch((e: unknown) => e)
    assert.ok(err instanceof RejectedEntryError)
    assert.equal(err.heldHash, e2.hash)
    assert.equal(err.permanent, true)
  })
  await t.test('equivocation within one batch', async () => await expectRefused(catalog, [e4, resign(e4, { fact: snapshot(78) }, b.signer)], 'equivocation', b.site, 4))
  const stranger = makeSite('D')
  const strangerEntry = signEntry({ ...body(e1), site: stranger.site }, stranger.signer)
  await t.test('author without a known key', async () => await expectRefused(catalog, [e4, strangerEntry], 'unknown-site', stranger.site, 1))
  assert.equal(await catalog.ingest([e4, e5]), 2, 'the untampered entries still go in afterwards')
})

test("entries are refused when the resolver gives another key for their site", async (t) => {
  const log = await logOf(t, b, 2)
  const catalog = await openTestCatalog(t, a, (site) => site === b.site ? c.publicKey : resolve(site))
  await expectRefused(catalog, log, 'bad-signature', b.site, 1)
})

test('a gap is transient (retry after pulling the range), a bad signature permanent', async (t) => {
  const log = await logOf(t, b, 3)
  const catalog = await openTestCatalog(t, a, resolve)
  const gap = await catalog.ingest([log[2]]).catch((e: unknown) => e)
  assert.ok(gap instanceof RejectedEntryError && gap.reason === 'gap' && !gap.permanent)
  assert.equal(await catalog.ingest(log), 3)
})

test('malformed entries are refused as malformed with one clear error, nothing applied', async (t) => {
  const log = await logOf(t, b, 2)
  const catalog = await openTestCatalog(t, a, resolve)
  const [e1, e2] = log as [LogEntry, LogEntry]
  const without = (key: string): unknown => Object.fromEntries(Object.entries(e2).filter(([k]) => k !== key))
  const cases: Array<[string, unknown, RegExp]> = [
    ['missing sig', without('sig'), /sig: missing/],
    ['missing fact', without('fact'), /fact: missing/],
    ['seq as a string', { ...e2, seq: '2' }, /seq: expected an integer/],
    ['seq 0', { ...e2, seq: 0 }, /seq: 0 is outside/],
    ['fractional time', { ...e2, time: 1.5 }, /time: expected an integer/],
    ['negative time', { ...e2, time: -1 }, /time: -1 is outside/],
    ['uppercase hash', { ...e2, hash: e2.hash.toUpperCase() }, /hash: expected a hash/],
    ['site with a separator', { ...e2, site: 'a!b' }, /site: expected a site id/],
    ['unknown fact type', { ...e2, fact: { type: 'site-exploded', site: b.site } }, /fact\.type: expected one of/],
    ['fact type missing', { ...e2, fact: { repo } }, /fact\.type: expected one of/],
    ['extra entry field', { ...e2, note: 'hi' }, /unexpected field "note"/],
    ['extra fact field', { ...e2, fact: { ...e2.fact, extra: 1 } }, /unexpected field "extra"/],
    ['__proto__ field', { ...e2, fact: JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(e2.fact).slice(1)}`) as unknown }, /unexpected field "__proto__"/],
    ['huge sealed record', { ...e2, fact: { ...e2.fact, sealed: 'x'.repeat(LIMITS.sealedLength + 1) } }, /fact\.sealed: expected printable ASCII.*at most 65536/],
    ['huge name', { ...e2, fact: { type: 'site-joined', site: b.site, name: 'n'.repeat(100_000), zone: '', addrs: [], publicKey: 'k' } }, /fact\.name/],
    ['too many addresses', { ...e2, fact: { type: 'site-joined', site: b.site, name: 'n', zone: '', addrs: Array(LIMITS.addrs + 1).fill('/ip4/1.2.3.4'), publicKey: 'k' } }, /fact\.addrs: more than 32/],
    ['control characters in a name', { ...e2, fact: { type: 'site-joined', site: b.site, name: 'evil\u001b[2J', zone: '', addrs: [], publicKey: 'k' } }, /fact\.name/],
    ['wrong number of shards', { ...e2, fact: { type: 'pack-stored', stripe: { repo, pack: repo, k: 2, m: 1, packLength: 1, shardLength: 1, shards: [] } } }, /expected k \+ m = 3 shards/],
    ['text chunker with a size as text', { ...e2, fact: { type: 'repo-created', record: { ...repoRecord('r', 1, b.site), textChunker: { minSize: '4096', avgSize: 16384, maxSize: 131072 } } } }, /fact\.record\.textChunker\.minSize: expected an integer/],
    ['text chunker sizes out of order', { ...e2, fact: { type: 'repo-created', record: { ...repoRecord('r', 1, b.site), textChunker: { minSize: 16384, avgSize: 16384, maxSize: 131072 } } } }, /textChunker\.minSize: 16384 is outside \[64, 16383\]/],
    ['text chunks above the chunker\'s', { ...e2, fact: { type: 'repo-created', record: { ...repoRecord('r', 1, b.site), textChunker: { minSize: 4096, avgSize: 16384, maxSize: 1 << 20 } } } }, /textChunker\.maxSize: 1048576 is outside \[64, 524288\]/],
    ['text chunker average not a power of two', { ...e2, fact: { type: 'repo-created', record: { ...repoRecord('r', 1, b.site), textChunker: { minSize: 4096, avgSize: 16000, maxSize: 131072 } } } }, /textChunker\.avgSize: 16000 is not a power of two/],
    ['text chunker with an extra field', { ...e2, fact: { type: 'repo-created', record: { ...repoRecord('r', 1, b.site), textChunker: { minSize: 4096, avgSize: 16384, maxSize: 131072, level: 1 } } } }, /unexpected field "level"/],
    ['seq 1 with a prev', { ...e1, prev: e1.hash }, /prev: expected ''/],
    ['null entry', null, /expected an object, got null/],
    ['array entry', [e2], /expected an object, got an array/]
  ]
  for (const [name, entry, message] of cases) {
    await t.test(name, async () => {
      const before = await dumpState(catalog, [repo])
      await assert.rejects(catalog.ingest([e1, entry]), (err: unknown) => {
        assert.ok(err instanceof RejectedEntryError, String(err))
        assert.equal(err.reason, 'malformed')
        assert.match(err.message, message)
        return true
      })
      assert.deepEqual(await dumpState(catalog, [repo]), before)
    })
  }
  await assert.rejects(catalog.ingest('x' as unknown as unknown[]), (err: unknown) => err instanceof RejectedEntryError && err.reason === 'malformed')
  await assert.rejects(catalog.ingest(Array(LIMITS.batchEntries + 1).fill(e1)), /at most 10000 entries/)
  assert.deepEqual(await catalog.heads(), new Map())
})

/** B's log declaring C lost, with C's log ending at `upTo` (or no end recorded). */
async function lossOf (t: Parameters<typeof openTestCatalog>[0], declarer: TestSite, upTo?: LogEntry): Promise<LogEntry[]> {
  const catalog = await openTestCatalog(t, declarer, resolve, { now: steppingClock(5000) })
  return await catalog.append([{ type: 'site-retired', site: c.site, lost: true, ...(upTo === undefined ? {} : { upTo: { seq: upTo.seq, hash: upTo.hash } }) }])
}

test("a lost site's log is taken up to the end its loss recorded, and no further", async (t) => {
  const log = await logOf(t, c, 5)
  const catalog = await openTestCatalog(t, a, resolve)
  await catalog.ingest(await lossOf(t, b, log[2]))
  assert.deepEqual(await collect(catalog.retiredSites()), [{ site: c.site, lost: true, time: 5000, upTo: { seq: 3, hash: log[2]?.hash } }])
  // Entries 4 and 5 (signed after the loss, or with a stolen key) are passed over, not refused:
  // an honest member may hold them, taken before it heard of the loss.
  assert.equal(await catalog.ingest(log), 3)
  assert.deepEqual((await catalog.heads()).get(c.site), { seq: 3, hash: log[2]?.hash })
  assert.equal((await collect(catalog.snapshots(repo))).length, 3)
  assert.equal(await catalog.ingest(log.slice(3)), 0)
})

test("another entry at the end of a lost site's log is a fork, refused; a further end recorded by another member counts", async (t) => {
  const log = await logOf(t, c, 5)
  const catalog = await openTestCatalog(t, a, resolve)
  await catalog.ingest(await lossOf(t, b, log[2]))
  const fork = [...log.slice(0, 2), resign(log[2] as LogEntry, { fact: snapshot(42) }, c.signer)]
  await expectRefused(catalog, fork, 'equivocation', c.site, 3)
  // A (another member) held more of C's log when it heard of the loss: the furthest end counts.
  const further = await openTestCatalog(t, a, resolve, { now: steppingClock(6000) })
  await further.ingest(log)
  const declared = await further.append([{ type: 'site-retired', site: c.site, lost: true, upTo: { seq: 5, hash: log[4]?.hash as string } }])
  await catalog.ingest(declared)
  assert.equal(await catalog.ingest(log), 5)
  assert.equal((await collect(catalog.retiredSites()))[0]?.upTo?.seq, 5)
})

test('a loss recorded without an end takes nothing more of that log, and a drain records no end', async (t) => {
  const log = await logOf(t, c, 3)
  const catalog = await openTestCatalog(t, a, resolve)
  await catalog.ingest(log.slice(0, 1))
  await catalog.ingest(await lossOf(t, b))
  assert.equal(await catalog.ingest(log), 0)
  assert.deepEqual((await catalog.heads()).get(c.site), { seq: 1, hash: log[0]?.hash })
  await assert.rejects(catalog.append([{ type: 'site-retired', site: b.site, lost: false, upTo: { seq: 1, hash: log[0]?.hash as string } }]), /only a lost site's log ends/)
})

test("a member that took more of a lost site's log than its end serves it only up to the end", async (t) => {
  const log = await logOf(t, c, 5)
  // A took all five entries before it heard of the loss; B recorded the end at 3.
  const member = await openTestCatalog(t, a, resolve)
  assert.equal(await member.ingest(log), 5)
  await member.ingest(await lossOf(t, b, log[2]))
  assert.deepEqual((await member.heads()).get(c.site), { seq: 3, hash: log[2]?.hash })
  assert.deepEqual((await collect(member.entries(c.site, 1))).map((e) => e.seq), [1, 2, 3])
  assert.deepEqual((await collect(member.entries(c.site, 2, 4))).map((e) => e.seq), [2, 3])
  // So a site that pulls C's log before it hears of the loss still gets nothing past the end.
  const joiner = await openTestCatalog(t, b, resolve)
  assert.equal(await joiner.ingest(await collect(member.entries(c.site, 1))), 3)
})
