#!/usr/bin/env node
// Runs every compiled test file of the workspaces with node's test runner.
// Node 20's `--test` takes no glob patterns, so the files are listed here.
// Usage: node scripts/run-tests.mjs [substring-filter...]
import { readdirSync, statSync, existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const filters = process.argv.slice(2)

function * walk (dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield * walk(p)
    else if (name.endsWith('.test.js')) yield p
  }
}

const workspaces = JSON.parse((await import('node:fs')).readFileSync(join(root, 'package.json'), 'utf8')).workspaces
const files = []
for (const ws of workspaces) {
  const testDir = join(root, ws, 'dist', 'test')
  if (!existsSync(testDir)) continue
  for (const f of walk(testDir)) {
    const rel = relative(root, f)
    if (filters.length === 0 || filters.some((s) => rel.includes(s))) files.push(rel)
  }
}
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first')
  process.exit(1)
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' })
process.exit(result.status ?? 1)
