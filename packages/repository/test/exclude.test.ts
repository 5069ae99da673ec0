import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkExcludePattern, compileExclude, compilePathMatcher, literalPattern } from '../src/exclude.js'

function excluded (patterns: string[], paths: string[]): string[] {
  const matches = compileExclude(patterns)
  return paths.filter(matches)
}

test('a pattern starting with / matches from the root, and everything inside what it matches', () => {
  assert.deepEqual(excluded(['/srv/www/cache'], ['/srv/www/cache', '/srv/www/cache/a/b', '/srv/www/cached', '/x/srv/www/cache', '/srv/www']),
    ['/srv/www/cache', '/srv/www/cache/a/b'])
  assert.deepEqual(excluded(['/srv/*/tmp'], ['/srv/a/tmp', '/srv/a/b/tmp', '/srv/tmp']), ['/srv/a/tmp'])
  assert.deepEqual(excluded(['/srv/**/tmp'], ['/srv/tmp', '/srv/a/b/tmp/x', '/srv/a/tmpx']), ['/srv/tmp', '/srv/a/b/tmp/x'])
})

test('any other pattern matches at any depth', () => {
  assert.deepEqual(excluded(['*.tmp'], ['/a.tmp', '/x/y/b.tmp', '/x/c.tmp/inside', '/x/tmp', '/x/a.tmpl']), ['/a.tmp', '/x/y/b.tmp', '/x/c.tmp/inside'])
  assert.deepEqual(excluded(['node_modules'], ['/p/node_modules/x/y.js', '/p/node_modules2']), ['/p/node_modules/x/y.js'])
  assert.deepEqual(excluded(['appdata_*/preview'], ['/data/appdata_oc1x/preview/3/64.png', '/data/appdata_oc1x/avatar', '/data/preview', '/data/u/files/appdata_z/preview']),
    ['/data/appdata_oc1x/preview/3/64.png', '/data/u/files/appdata_z/preview'])
})

test('the path matcher (find) matches a path itself, not what is inside a folder that matches', () => {
  const matches = compilePathMatcher(['*.docx', '/srv/www/cache', 'appdata_*/preview'])
  assert.deepEqual(['/h/a.docx', '/h/a.docx/inside', '/srv/www/cache', '/srv/www/cache/x', '/d/appdata_1/preview', '/d/appdata_1/preview/64.png', '/h/b.doc'].filter(matches),
    ['/h/a.docx', '/srv/www/cache', '/d/appdata_1/preview'])
})

test('?, classes, negated classes and escapes', () => {
  assert.deepEqual(excluded(['log.?'], ['/l/log.1', '/l/log.12', '/l/log./x']), ['/l/log.1'])
  assert.deepEqual(excluded(['core.[0-9]*'], ['/core.123', '/core.x']), ['/core.123'])
  assert.deepEqual(excluded(['[!.]*.bak'], ['/a.bak', '/.b.bak']), ['/a.bak'])
  assert.deepEqual(excluded(['/srv/\\*'], ['/srv/*', '/srv/a']), ['/srv/*'])
  assert.deepEqual(excluded(['*.(x)+'], ['/a.(x)+', '/a.x']), ['/a.(x)+'], 'RegExp characters are literal')
  assert.deepEqual(excluded(['*'], ['/a', '/a/b']), ['/a', '/a/b'])
})

test('a literal pattern matches exactly its path, whatever it holds', () => {
  const path = '/srv/db [main]*?.sqlite'
  assert.deepEqual(excluded([literalPattern(path)], [path, '/srv/db m*?.sqlite', path + '-wal']), [path])
})

test('bad patterns are refused with the reason', () => {
  assert.throws(() => checkExcludePattern(''), /empty/)
  assert.throws(() => checkExcludePattern('/'), /everything/)
  assert.throws(() => checkExcludePattern('a['), /\[ without its \]/)
  assert.throws(() => checkExcludePattern('a\\'), /lone \\/)
  assert.throws(() => checkExcludePattern('[z-a]'), /not valid/)
  checkExcludePattern('**/x')
})

test('many ** stay fast on deep paths', () => {
  const deep = '/' + Array.from({ length: 60 }, (_, i) => `d${i}`).join('/')
  const start = process.hrtime.bigint()
  assert.equal(compileExclude(['**/a/**/b/**/c/**/nope'])(deep), false)
  assert.ok(process.hrtime.bigint() - start < 200_000_000n, 'memoized, not exponential')
})
