import { readFileSync, realpathSync, statfsSync } from 'node:fs'
import os from 'node:os'
import { basename, resolve } from 'node:path'
import { polyfilledWithResolvers } from '@resilien/polyfill'

/** A pluggable stage's implementation here: the fast (native) one, or the fallback. */
export interface FastPath {
  /** The implementation in use, with its library. */
  active: string
  /** True when it is the native (fast) implementation, or the only one. */
  fast: boolean
  /** Implementations that load on this machine. */
  available: string[]
  note?: string
}

/** Where the bench writes its data, repositories and stores (one disk for every tool). */
export interface StorageInfo {
  path: string
  mountPoint: string
  filesystem: string
  device: string
  freeBytes: number
  totalBytes: number
  /** What about this file system changes figures (e.g. ext4 without a journal). */
  note?: string
}

/** What the machine is: every report carries it, so figures from a Pi and a server compare. */
export interface MachineInfo {
  cpuModel: string
  arch: string
  cores: number
  memoryBytes: number
  node: string
  platform: string
  polyfilledWithResolvers: boolean
  /** Which implementation each pluggable stage uses here (native fast path or fallback). */
  activePaths: Record<string, string>
  /** The same with what else would load here, by stage. */
  fastPaths?: Record<string, FastPath>
  storage?: StorageInfo
}

/** The mount that holds `path` (the longest mount point that is a prefix of it), from /proc/self/mounts. */
export function mountOf (mounts: string, path: string): { mountPoint: string, filesystem: string, device: string } | undefined {
  let best: { mountPoint: string, filesystem: string, device: string } | undefined
  for (const line of mounts.split('\n')) {
    const [device, rawPoint, filesystem] = line.split(' ')
    if (device === undefined || rawPoint === undefined || filesystem === undefined) continue
    // Spaces and the like are octal escapes in /proc/self/mounts.
    const mountPoint = rawPoint.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
    const inside = mountPoint === '/' || path === mountPoint || path.startsWith(mountPoint + '/')
    if (inside && (best === undefined || mountPoint.length >= best.mountPoint.length)) best = { mountPoint, filesystem, device }
  }
  return best
}

/**
 * ext4 without a journal does not reuse an inode freed in the last 60 s (5 minutes more while its
 * inode-table block is not written back) while it can find another, and scans past every such
 * inode in each allocation: a restore of thousands of files soon after thousands were deleted
 * (another run's cleanup) took 25-30 % more wall time here, restic's and resilien's alike.
 * `journalTask` is the content of /sys/fs/ext4/NAME/journal_task: "<none>" without a journal,
 * the journal thread's pid with one.
 */
export function storageNote (filesystem: string, journalTask: string | undefined): string | undefined {
  if (filesystem !== 'ext4' || journalTask?.trim() !== '<none>') return undefined
  return 'ext4 without a journal: inodes freed in the last 1 to 6 minutes are skipped when files are created, so a run right after a large deletion (another run\'s cleanup) creates files slower, whatever the tool'
}

function readOrUndefined (path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/**
 * The name ext4 gives a mounted device under /sys/fs/ext4: the kernel's name of the block device
 * (/dev/mapper/root is a link to /dev/dm-0, whose directory is dm-0). A device path that does
 * not resolve (/dev/root on some boards) is taken by its own name, and then no note is made.
 */
function sysfsName (device: string): string {
  try {
    return basename(realpathSync(device))
  } catch {
    return basename(device)
  }
}

/** The file system of the bench's temp folder; undefined where /proc is not there. */
export function describeStorage (path = os.tmpdir()): StorageInfo | undefined {
  try {
    const absolute = resolve(path)
    const mount = mountOf(readFileSync('/proc/self/mounts', 'utf8'), absolute)
    const fs = statfsSync(absolute)
    const note = mount === undefined ? undefined : storageNote(mount.filesystem, readOrUndefined(`/sys/fs/ext4/${sysfsName(mount.device)}/journal_task`))
    return {
      path: absolute,
      mountPoint: mount?.mountPoint ?? 'unknown',
      filesystem: mount?.filesystem ?? 'unknown',
      device: mount?.device ?? 'unknown',
      freeBytes: fs.bavail * fs.bsize,
      totalBytes: fs.blocks * fs.bsize,
      ...(note === undefined ? {} : { note })
    }
  } catch {
    return undefined
  }
}

export function describeMachine (activePaths: Record<string, string>, fastPaths?: Record<string, FastPath>): MachineInfo {
  const cpus = os.cpus()
  const storage = describeStorage()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    arch: process.arch,
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    polyfilledWithResolvers,
    activePaths,
    ...(fastPaths === undefined ? {} : { fastPaths }),
    ...(storage === undefined ? {} : { storage })
  }
}
