// Makes the copy's node_modules what `npm ci` would give on linux-arm64 (glibc): the optional
// platform packages of the lock file for that platform are fetched with `npm pack`, those of other
// platforms removed, and packages that build native code at install are listed with what they
// hold here. Everything it needs comes from package-lock.json, so a new native dependency with
// platform packages is covered without a change here.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { DOWNLOADS } from './layout.mjs'
import { command, StepError } from './step.mjs'

const TARGET = { os: 'linux', cpu: 'arm64', libc: 'glibc' }
/** node-gyp-build's folder for linux arm64 prebuilt binaries. */
const PREBUILD_FOLDER = join('prebuilds', 'linux-arm64')

/** npm's rule for `os`, `cpu` and `libc`: absent admits all, `!x` excludes x, else a list of allowed. */
function admits (list, value) {
  if (list === undefined) return true
  if (list.includes(`!${value}`)) return false
  const allowed = list.filter((v) => !v.startsWith('!'))
  return allowed.length === 0 || allowed.includes(value)
}

function forTarget (entry) {
  return admits(entry.os, TARGET.os) && admits(entry.cpu, TARGET.cpu) && admits(entry.libc, TARGET.libc)
}

/** The package name of a lock key such as node_modules/@scope/name or a/node_modules/b. */
function nameOf (key, entry) {
  return entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)
}

function tarballOf (name, version, integrity) {
  const dir = join(DOWNLOADS, 'npm')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`)
  if (!existsSync(file)) command('npm', ['pack', `${name}@${version}`, '--pack-destination', dir, '--silent'])
  const [algorithm, expected] = (integrity ?? '').split(/-(.*)/s)
  if (algorithm !== undefined && expected !== undefined) {
    const actual = createHash(algorithm).update(readFileSync(file)).digest('base64')
    if (actual !== expected) {
      rmSync(file)
      throw new StepError(`${name}@${version}: the fetched tarball does not match package-lock.json's integrity`)
    }
  }
  return file
}

function nodeFiles (dir) {
  const found = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (name === 'node_modules' || name === 'prebuilds') continue
    if (statSync(path).isDirectory()) found.push(...nodeFiles(path))
    else if (name.endsWith('.node')) found.push(path)
  }
  return found
}

/**
 * Applies the lock file's platform packages for linux-arm64 to `tree`, a copy of `source`. Returns what it did, per
 * package: fetched (arm64 platform package), removed (another platform's), prebuilt (an
 * install-time builder that ships a linux-arm64 prebuild) or host-build (one that compiles at
 * install, whose binaries in this copy are the host's).
 */
export function applyArm64Packages (tree, lock, source) {
  const actions = []
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    if (key === '' || entry.link === true) continue
    const dir = join(tree, key)
    const name = nameOf(key, entry)
    if (entry.os !== undefined || entry.cpu !== undefined || entry.libc !== undefined) {
      if (!forTarget(entry)) {
        // Reported while the host has it, also when an earlier run already removed it here.
        if (existsSync(dir) || existsSync(join(source, key))) {
          rmSync(dir, { recursive: true, force: true })
          actions.push({ kind: 'removed', name, version: entry.version })
        }
        continue
      }
      if (!existsSync(join(dir, 'package.json'))) {
        const tarball = tarballOf(name, entry.version, entry.integrity)
        mkdirSync(dir, { recursive: true })
        command('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'])
      }
      actions.push({ kind: 'fetched', name, version: entry.version })
    } else if (entry.hasInstallScript === true && existsSync(dir)) {
      if (existsSync(join(dir, PREBUILD_FOLDER))) {
        // node-gyp-build prefers build/ to prebuilds/: a host build there would shadow the arm64 one.
        rmSync(join(dir, 'build'), { recursive: true, force: true })
        actions.push({ kind: 'prebuilt', name, version: entry.version, files: readdirSync(join(dir, PREBUILD_FOLDER)) })
      } else {
        const binaries = nodeFiles(dir).map((f) => relative(dir, f))
        actions.push({ kind: 'host-build', name, version: entry.version, files: binaries })
      }
    }
  }
  return actions
}
