import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { caseBytes, generateCase } from '../faults/generate.js'
import type { FuzzContext } from '../faults/fuzz-case.js'
import { PROTOCOLS } from '../faults/fuzz-case.js'
import { DEFAULT_ANSWER_TIMEOUT_MS, DEFAULT_RSS_HEADROOM_MIB, runFuzz } from '../faults/fuzzer.js'

/** The short, seeded version of `npm run test:faults` (10,000 cases per protocol there). */
const SEED = 20_240_801
const CASES_PER_PROTOCOL = 300
const CHECK_EVERY = 150

const CONTEXT: FuzzContext = {
  nodePeer: '12D3KooWnode',
  memberPeer: '12D3KooWmember',
  cluster: '0'.repeat(32),
  entries: [{ site: '12D3KooWnode', seq: 1 }, { site: '12D3KooWnode', seq: 2 }],
  shardId: 'ab'.repeat(32),
  shardSize: 1000,
  shardIdOf: (bytes) => Buffer.from(bytes.subarray(0, 32)).toString('hex').padEnd(64, '0')
}

test('a seed and a case number make the same case every time, whatever ran before', () => {
  for (const protocol of PROTOCOLS) {
    const later = caseBytes(generateCase(7, protocol, 123, CONTEXT, true))
    for (let i = 0; i < 123; i++) generateCase(7, protocol, i, CONTEXT, true)
    assert.deepEqual(caseBytes(generateCase(7, protocol, 123, CONTEXT, true)), later)
    assert.notDeepEqual(caseBytes(generateCase(8, protocol, 123, CONTEXT, true)), later, 'another seed, another case')
  }
})

test(`a node fuzzed with ${CASES_PER_PROTOCOL} random and mutated frames per protocol stays up, bounded and serving`, async (t) => {
  const lines: string[] = []
  const report = await runFuzz(t, {
    seed: SEED,
    count: CASES_PER_PROTOCOL,
    from: 0,
    protocols: PROTOCOLS,
    checkEvery: CHECK_EVERY,
    rssHeadroomMiB: DEFAULT_RSS_HEADROOM_MIB,
    answerTimeoutMs: DEFAULT_ANSWER_TIMEOUT_MS,
    keepGoing: false,
    verbose: false,
    log: (line) => { lines.push(line) }
  })
  t.diagnostic(report.summaries.map(String).join('\n'))
  assert.deepEqual(report.failures.map((f) => f.message), [])
  const [shard, catalog, join] = report.summaries
  for (const summary of report.summaries) {
    assert.equal(summary.cases, CASES_PER_PROTOCOL)
    assert.ok(summary.strangerCases > 0, `${summary.protocol}: some cases came from the stranger`)
    assert.ok((summary.codes.get('malformed') ?? 0) > 0, `${summary.protocol}: some frames were refused as malformed`)
  }
  // The fuzzer got past the membership check: valid requests of the member were answered.
  assert.ok((shard?.outcomes.answer ?? 0) > 0 && (catalog?.outcomes.answer ?? 0) > 0, 'members get answers')
  assert.ok((shard?.codes.get('not-member') ?? 0) > 0, 'the stranger was refused as one')
  // Join requests reached the inviter's decision (and a secret without an invite was refused).
  assert.ok((join?.codes.get('refused') ?? 0) > 0, 'joins without an invite are refused')
  assert.ok(report.stalls.length > 0 && report.stalls.every((s) => s.ok), report.stalls.map((s) => `${s.label}: ${s.outcome}`).join('\n'))
})
