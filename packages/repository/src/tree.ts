import { InvalidInputError } from '@resilien/types'

export type NodeType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'chardev' | 'blockdev'
const NODE_TYPES: ReadonlySet<string> = new Set(['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'])

/**
 * One entry of a directory. Names and link targets that are valid UTF-8 are stored as text,
 * others as base64 of their bytes (`nameB64`, `targetB64`), so any name a file system allows
 * comes back byte for byte. Times are nanoseconds as decimal strings (JSON numbers lose them).
 */
export interface TreeNode {
  name?: string
  nameB64?: string
  type: NodeType
  /** Permission bits including setuid, setgid and sticky (mode & 0o7777). */
  mode: number
  uid: number
  gid: number
  size: number
  mtimeNs: string
  ctimeNs: string
  inode: number
  /** Chunk ids (hex) of a file's content, in order. */
  content?: string[]
  /** Chunk ids (hex) of the serialized subtree of a directory. */
  subtree?: string[]
  target?: string
  targetB64?: string
  /** Device number of a character or block device. */
  rdev?: number
}

export interface Tree {
  nodes: TreeNode[]
}

const TREE_VERSION = 1
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Text when the bytes are valid UTF-8 that encodes back to the same bytes, else undefined. */
export function utf8OrUndefined (bytes: Uint8Array): string | undefined {
  try {
    const text = decoder.decode(bytes)
    return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined
  } catch {
    return undefined
  }
}

export function setNodeName (node: Partial<TreeNode>, name: Uint8Array): void {
  const text = utf8OrUndefined(name)
  if (text !== undefined) node.name = text
  else node.nameB64 = Buffer.from(name).toString('base64')
}

export function nodeNameBytes (node: Pick<TreeNode, 'name' | 'nameB64'>): Buffer {
  return node.name !== undefined ? Buffer.from(node.name, 'utf8') : Buffer.from(node.nameB64 ?? '', 'base64')
}

export function setNodeTarget (node: Partial<TreeNode>, target: Uint8Array): void {
  const text = utf8OrUndefined(target)
  if (text !== undefined) node.target = text
  else node.targetB64 = Buffer.from(target).toString('base64')
}

export function nodeTargetBytes (node: TreeNode): Buffer {
  return node.target !== undefined ? Buffer.from(node.target, 'utf8') : Buffer.from(node.targetB64 ?? '', 'base64')
}

/** Printable name (non-UTF-8 bytes shown with replacement characters). */
export function displayName (node: Pick<TreeNode, 'name' | 'nameB64'>): string {
  return node.name ?? nodeNameBytes(node).toString('utf8')
}

/** Sorts by name bytes so that the same directory always serializes to the same bytes (and dedups). */
export function sortNodes (nodes: TreeNode[]): TreeNode[] {
  return nodes.sort((a, b) => Buffer.compare(nodeNameBytes(a), nodeNameBytes(b)))
}

export function encodeTree (tree: Tree): Uint8Array {
  return Buffer.from(JSON.stringify({ v: TREE_VERSION, nodes: tree.nodes }), 'utf8')
}

function isInt (v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v)
}

function isIdList (v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x))
}

/** Parses and validates a tree; a tree that does not have this exact form is refused. */
export function decodeTree (bytes: Uint8Array): Tree {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
  } catch (err) {
    throw new InvalidInputError('tree is not JSON', { cause: err })
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidInputError('tree is not an object')
  const { v, nodes } = parsed as { v?: unknown, nodes?: unknown }
  if (v !== TREE_VERSION) throw new InvalidInputError(`unknown tree version ${String(v)}`)
  if (!Array.isArray(nodes)) throw new InvalidInputError('tree has no node list')
  for (const n of nodes as unknown[]) {
    if (typeof n !== 'object' || n === null) throw new InvalidInputError('tree node is not an object')
    const node = n as Record<string, unknown>
    const named = typeof node.name === 'string' || typeof node.nameB64 === 'string'
    if (!named || typeof node.type !== 'string' || !NODE_TYPES.has(node.type) ||
      !isInt(node.mode) || !isInt(node.uid) || !isInt(node.gid) || !isInt(node.size) || !isInt(node.inode) ||
      typeof node.mtimeNs !== 'string' || typeof node.ctimeNs !== 'string' ||
      (node.content !== undefined && !isIdList(node.content)) ||
      (node.subtree !== undefined && !isIdList(node.subtree))) {
      throw new InvalidInputError('tree node has a bad field')
    }
    const name = nodeNameBytes(node as unknown as TreeNode)
    if (name.byteLength === 0 || name.includes(0x2f) || name.includes(0) || name.equals(Buffer.from('.')) || name.equals(Buffer.from('..'))) {
      // A hostile tree must not make restore write outside its target.
      throw new InvalidInputError('tree node has an unsafe name')
    }
  }
  return { nodes: nodes as TreeNode[] }
}
