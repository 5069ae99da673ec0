import { test } from 'node:test'
import assert from 'node:assert/strict'
import { realpathSync } from 'node:fs'
import { currentRssBytes, mappedFileRssBytes } from '../src/process/proc-stats.js'

test('resident bytes of file mappings count only the files the test picks', () => {
  // The node binary is mapped and partly resident in every Node process.
  const binary = realpathSync(process.execPath)
  const ofBinary = mappedFileRssBytes(process.pid, (path) => path === binary)
  assert.ok(ofBinary > 0, 'the node binary has resident pages')
  assert.ok(ofBinary < currentRssBytes(process.pid), 'a part of the RSS, not all of it')
  assert.equal(ofBinary % 1024, 0)
  assert.equal(mappedFileRssBytes(process.pid, (path) => path.endsWith('.ldb')), 0, 'this process maps no LevelDB table')
  assert.equal(mappedFileRssBytes(process.pid, () => false), 0)
})
