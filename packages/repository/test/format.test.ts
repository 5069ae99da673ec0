import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { InvalidInputError } from '@resilien/types'
import { BlobType, decodeEntries, decodeIndexObject, decodeTree, encodeEntries, encodeIndexObject, encodeTree, nodeNameBytes, setNodeName } from '../src/index.js'
import { encodeIndexObjectLists } from '../src/index-object.js'
import { entryCount } from '../src/pack-format.js'
import type { TreeNode } from '../src/index.js'

test('pack entry lists and index objects round-trip and refuse damage', () => {
  const entries = [
    { type: BlobType.data, id: randomBytes(32), offset: 0, length: 100, rawLength: 90 },
    { type: BlobType.tree, id: randomBytes(32), offset: 100, length: 50, rawLength: 400 }
  ]
  const decoded = decodeEntries(encodeEntries(entries))
  assert.deepEqual(decoded.map((e) => ({ ...e, id: Buffer.from(e.id) })), entries.map((e) => ({ ...e, id: Buffer.from(e.id) })))
  const bytes = encodeEntries(entries)
  assert.throws(() => decodeEntries(bytes.subarray(0, bytes.byteLength - 1)), InvalidInputError)
  const badType = Buffer.from(bytes)
  badType[4] = 9
  assert.throws(() => decodeEntries(badType), InvalidInputError)

  const obj = { packs: [{ pack: randomBytes(32).toString('hex'), entries }] }
  const back = decodeIndexObject(encodeIndexObject(obj))
  assert.equal(back.packs[0]?.pack, obj.packs[0]?.pack)
  assert.equal(back.packs[0]?.entries.length, 2)
  const enc = encodeIndexObject(obj)
  assert.throws(() => decodeIndexObject(Buffer.concat([enc, Buffer.from([1])])), InvalidInputError)
  assert.throws(() => decodeIndexObject(enc.subarray(0, 20)), InvalidInputError)
  // A backup publishes the chunk index's stored lists as they are: the same bytes.
  assert.ok(Buffer.from(encodeIndexObjectLists([{ pack: obj.packs[0]?.pack as string, list: bytes }])).equals(enc))
  assert.equal(entryCount(bytes), 2)
  assert.throws(() => entryCount(bytes.subarray(0, 3)), InvalidInputError)
})

function node (name: string | Buffer): TreeNode {
  const n: Partial<TreeNode> = { type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtimeNs: '0', ctimeNs: '0', inode: 1 }
  setNodeName(n, typeof name === 'string' ? Buffer.from(name) : name)
  return n as TreeNode
}

test('trees keep non-UTF-8 names byte for byte', () => {
  const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9])
  const tree = decodeTree(encodeTree({ nodes: [node(latin1), node('plain')] }))
  assert.ok(nodeNameBytes(tree.nodes[0] as TreeNode).equals(latin1))
  assert.equal(tree.nodes[1]?.name, 'plain')
})

test('a tree with a name that could escape the restore target is refused', () => {
  for (const bad of ['..', '.', 'a/b', '']) {
    const bytes = Buffer.from(JSON.stringify({ v: 1, nodes: [{ ...node('x'), name: bad }] }))
    assert.throws(() => decodeTree(bytes), InvalidInputError, `name ${JSON.stringify(bad)}`)
  }
  assert.throws(() => decodeTree(Buffer.from('{"v":2,"nodes":[]}')), InvalidInputError)
  assert.throws(() => decodeTree(Buffer.from('not json')), InvalidInputError)
})
