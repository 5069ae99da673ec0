/**
 * POSIX tar headers (ustar, with a pax extended header where ustar runs out), as `dump` writes a
 * folder. Names are bytes, not text: a non-UTF-8 name goes out as it is, as GNU tar and Go's
 * archive/tar (restic's) write it, in pax records too. No `hdrcharset=BINARY` record: GNU tar
 * 1.34 warns about it on every entry, and reads the bytes as they are without it. Why not a
 * library: the npm tar writers take names as JavaScript strings, which cannot carry such a name.
 * Owner names stay empty (trees keep numeric ids only); a device number past ustar's 7 octal
 * digits (Linux's 12-bit majors and 20-bit minors never are) would be written as 0.
 */

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'chardev' | 'blockdev'

export interface TarEntry {
  /** The entry's path in the archive, without a leading slash (a folder's without its trailing one). */
  path: Buffer
  type: TarEntryType
  /** Permission bits with setuid, setgid and sticky. */
  mode: number
  uid: number
  gid: number
  /** Bytes of content that follow the header (files only; 0 for the others). */
  size: number
  /** Nanoseconds since the epoch. */
  mtimeNs: bigint
  /** A symlink's target. */
  linkTarget?: Buffer
  /** A device's number as Linux's stat gives it. */
  rdev?: number
}

export const TAR_BLOCK = 512
/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(2 * TAR_BLOCK)

const TYPE_FLAG: Record<TarEntryType, string> = { file: '0', symlink: '2', chardev: '3', blockdev: '4', dir: '5', fifo: '6' }
/** Largest values of ustar's octal fields: 7 digits for ids and device numbers, 11 for size and mtime. */
const MAX_OCTAL_7 = 0o7777777
const MAX_OCTAL_11 = 0o77777777777
const NAME_BYTES = 100
const PREFIX_BYTES = 155
/** The name of a pax extended header's own entry (star's and bsdtar's; readers skip it). */
const PAX_HEADER_NAME = Buffer.from('././@PaxHeader')

/** Zero bytes that pad `size` bytes of content to a whole block. */
export function tarPadding (size: number): Buffer {
  const rest = size % TAR_BLOCK
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(TAR_BLOCK - rest)
}

function writeOctal (block: Buffer, offset: number, width: number, value: number | bigint): void {
  // width - 1 digits and a NUL, as GNU tar writes them.
  block.write(value.toString(8).padStart(width - 1, '0'), offset, width - 1, 'latin1')
  block[offset + width - 1] = 0
}

/** Splits a path into ustar's prefix and name fields at a slash, or undefined when it does not fit. */
function splitUstarPath (path: Buffer): { prefix: Buffer, name: Buffer } | undefined {
  if (path.byteLength <= NAME_BYTES) return { prefix: Buffer.alloc(0), name: path }
  // The name keeps what follows the first slash that leaves it at most 100 bytes.
  for (let slash = path.indexOf(0x2f); slash !== -1; slash = path.indexOf(0x2f, slash + 1)) {
    if (slash > PREFIX_BYTES) return undefined
    const name = path.subarray(slash + 1)
    if (name.byteLength > 0 && name.byteLength <= NAME_BYTES) return { prefix: path.subarray(0, slash), name }
  }
  return undefined
}

/** One pax record, "LEN KEY=VALUE\n", where LEN counts the whole record with its own digits. */
function paxRecord (key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')])
  let length = body.byteLength + 1
  while (String(length).length + body.byteLength !== length) length = String(length).length + body.byteLength
  return Buffer.concat([Buffer.from(String(length)), body])
}

/** Seconds with nine decimals, as pax writes a time ("-1.500000000" for 1.5 s before the epoch). */
function paxTime (ns: bigint): Buffer {
  const sign = ns < 0n ? '-' : ''
  const abs = ns < 0n ? -ns : ns
  return Buffer.from(`${sign}${abs / 1_000_000_000n}.${String(abs % 1_000_000_000n).padStart(9, '0')}`)
}

/** Linux's device number split as glibc's major() and minor() do. */
function deviceNumbers (rdev: number): { major: bigint, minor: bigint } {
  const dev = BigInt(rdev)
  return {
    major: ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn),
    minor: (dev & 0xffn) | ((dev >> 12n) & ~0xffn)
  }
}

function ustarBlock (fields: { name: Buffer, prefix: Buffer, mode: number, uid: number, gid: number, size: number, mtime: bigint, type: string, linkName: Buffer, major: bigint, minor: bigint }): Buffer {
  const block = Buffer.alloc(TAR_BLOCK)
  fields.name.copy(block, 0, 0, NAME_BYTES)
  writeOctal(block, 100, 8, fields.mode)
  writeOctal(block, 108, 8, fields.uid)
  writeOctal(block, 116, 8, fields.gid)
  writeOctal(block, 124, 12, fields.size)
  writeOctal(block, 136, 12, fields.mtime)
  block.write(fields.type, 156, 1, 'latin1')
  fields.linkName.copy(block, 157, 0, NAME_BYTES)
  block.write('ustar\u000000', 257, 8, 'latin1')
  writeOctal(block, 329, 8, fields.major)
  writeOctal(block, 337, 8, fields.minor)
  fields.prefix.copy(block, 345, 0, PREFIX_BYTES)
  // The checksum is the sum of the header's bytes with its own field read as eight spaces.
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'latin1')
  return block
}

/**
 * The header blocks of one entry: a pax extended header first when ustar cannot hold its path,
 * link target, size, ids or times to the nanosecond, then the ustar header (whose fields hold
 * what fits, for readers that know no pax).
 */
export function tarHeader (entry: TarEntry): Buffer {
  const path = entry.type === 'dir' ? Buffer.concat([entry.path, Buffer.from('/')]) : entry.path
  const linkName = entry.linkTarget ?? Buffer.alloc(0)
  const size = entry.type === 'file' ? entry.size : 0
  const seconds = entry.mtimeNs >= 0n ? entry.mtimeNs / 1_000_000_000n : -((-entry.mtimeNs + 999_999_999n) / 1_000_000_000n)
  const records: Buffer[] = []
  const split = splitUstarPath(path)
  if (split === undefined) records.push(paxRecord('path', path))
  if (linkName.byteLength > NAME_BYTES) records.push(paxRecord('linkpath', linkName))
  if (size > MAX_OCTAL_11) records.push(paxRecord('size', Buffer.from(String(size))))
  if (entry.uid > MAX_OCTAL_7) records.push(paxRecord('uid', Buffer.from(String(entry.uid))))
  if (entry.gid > MAX_OCTAL_7) records.push(paxRecord('gid', Buffer.from(String(entry.gid))))
  const ustarTime = seconds >= 0n && seconds <= BigInt(MAX_OCTAL_11)
  if (entry.mtimeNs % 1_000_000_000n !== 0n || !ustarTime) records.push(paxRecord('mtime', paxTime(entry.mtimeNs)))
  const { major, minor } = entry.rdev === undefined ? { major: 0n, minor: 0n } : deviceNumbers(entry.rdev)
  const ustar = ustarBlock({
    name: split?.name ?? path,
    prefix: split?.prefix ?? Buffer.alloc(0),
    mode: entry.mode & 0o7777,
    uid: entry.uid > MAX_OCTAL_7 ? 0 : entry.uid,
    gid: entry.gid > MAX_OCTAL_7 ? 0 : entry.gid,
    size: size > MAX_OCTAL_11 ? 0 : size,
    mtime: ustarTime ? seconds : 0n,
    type: TYPE_FLAG[entry.type],
    linkName,
    major: major > BigInt(MAX_OCTAL_7) ? 0n : major,
    minor: minor > BigInt(MAX_OCTAL_7) ? 0n : minor
  })
  if (records.length === 0) return ustar
  const body = Buffer.concat(records)
  const pax = ustarBlock({ name: PAX_HEADER_NAME, prefix: Buffer.alloc(0), mode: 0o644, uid: 0, gid: 0, size: body.byteLength, mtime: ustarTime ? seconds : 0n, type: 'x', linkName: Buffer.alloc(0), major: 0n, minor: 0n })
  return Buffer.concat([pax, body, tarPadding(body.byteLength), ustar])
}
