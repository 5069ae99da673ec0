// Step 4: the arm64 copy of the project. Project files (dist folders, package.json files,
// scripts, test fixtures) are copied afresh on each run; node_modules is copied from the host's
// when package-lock.json changed, its workspace links kept relative so that they point into the
// copy, and then made linux-arm64 (see arm64-packages.mjs). The project's own node_modules is
// only read.
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import { applyArm64Packages } from './arm64-packages.mjs'
import { PROJECT, TREE } from './layout.mjs'
import { StepError } from './step.mjs'

/** Top-level entries not copied: history, this cache, the install (handled apart) and scratch. */
const SKIPPED = new Set(['.git', '.cache', 'node_modules', 'tmp'])
/** Deeper paths not copied: benchmark output. */
const SKIPPED_PATHS = [join('bench', 'results')]
/** Bump when the way node_modules is made changes, so that an older copy is made again. */
const RECIPE = '1'
const STAMP = join(TREE, 'node_modules', '.arm64-stamp')

/**
 * TypeScript sources and build settings are not copied: the copy runs the compiled dist folders,
 * and `eslint .` in the project must find no .ts file under .cache to lint.
 */
const SKIPPED_FILES = /(\.ts|\.tsbuildinfo|^tsconfig.*\.json)$/

function skipped (source) {
  const path = relative(PROJECT, source)
  return SKIPPED_FILES.test(basename(source)) || SKIPPED_PATHS.some((p) => path === p || path.startsWith(p + sep))
}

function syncProjectFiles () {
  mkdirSync(TREE, { recursive: true })
  for (const name of readdirSync(TREE)) {
    if (name !== 'node_modules') rmSync(join(TREE, name), { recursive: true, force: true })
  }
  for (const name of readdirSync(PROJECT)) {
    if (SKIPPED.has(name)) continue
    cpSync(join(PROJECT, name), join(TREE, name), { recursive: true, verbatimSymlinks: true, filter: (s) => !skipped(s) })
  }
}

/** Copies node_modules unless the copy was made from the same lock file; true when it copied. */
function copyNodeModules (lockText) {
  const stamp = createHash('sha256').update(RECIPE).update(lockText).digest('hex')
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stamp) return false
  rmSync(join(TREE, 'node_modules'), { recursive: true, force: true })
  cpSync(join(PROJECT, 'node_modules'), join(TREE, 'node_modules'), { recursive: true, verbatimSymlinks: true })
  writeFileSync(STAMP, stamp)
  return true
}

/** Makes or refreshes the copy; returns the arm64 package actions and whether node_modules was copied. */
export function prepareTree () {
  const lockPath = join(PROJECT, 'package-lock.json')
  if (!existsSync(join(PROJECT, 'node_modules'))) throw new StepError('no node_modules in the project: run `npm ci` first')
  if (!existsSync(join(PROJECT, 'packages', 'hashing', 'dist')) || !existsSync(join(PROJECT, 'bench', 'dist'))) {
    throw new StepError('no dist folders in the project: run `npx tsc -b` first')
  }
  const lockText = readFileSync(lockPath, 'utf8')
  syncProjectFiles()
  const copied = copyNodeModules(lockText)
  const actions = applyArm64Packages(TREE, JSON.parse(lockText), PROJECT)
  return { copied, actions }
}
