import '@resilien/polyfill'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { hash } from '@resilien/hashing'
import { toHex } from '@resilien/types'
import { ShardClient, createSiteHost } from '@resilien/wire'
import { forEachConcurrently } from '../concurrently.js'
import { ShardMaker } from '../data-shards.js'
import type { PrepareCommand, ShardPeerAnswer, ShardPeerCommand } from './shard-peer-protocol.js'

/**
 * A site's end of the shard protocol, alone in its process: it takes a member's identity (its
 * identity.key, while that member's node is stopped), connects to one running node and puts or
 * gets shards when the bench says, so that the bench can read each side's CPU and memory from
 * /proc. Run by tools/shard-peer-process.ts; speaks shard-peer-protocol.ts on stdin/stdout.
 */

let maker: ShardMaker | undefined
let prepared: { run: number, ids: string[] } | undefined

function prepare (c: PrepareCommand): void {
  if (maker?.size !== c.size) maker = new ShardMaker(c.size)
  const ids: string[] = []
  for (let i = 0; i < c.count; i++) ids.push(toHex(hash(maker.bytes(c.run, i))))
  prepared = { run: c.run, ids }
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { identity: { type: 'string' }, peer: { type: 'string' }, addr: { type: 'string', multiple: true } } })
  const { identity, peer, addr } = values
  if (identity === undefined || peer === undefined || addr === undefined) throw new Error('usage: shard-peer --identity FILE --peer PEERID --addr MULTIADDR...')
  const host = await createSiteHost({ privateKey: readFileSync(identity), listen: [], allowPeer: (p) => p === peer })
  const answer = (a: ShardPeerAnswer): void => { process.stdout.write(JSON.stringify(a) + '\n') }
  try {
    await host.connect(peer, addr)
    const client = new ShardClient(host)
    answer({ ok: true, ready: true, peerId: host.peerId })
    for await (const line of createInterface({ input: process.stdin })) {
      const command = JSON.parse(line) as ShardPeerCommand
      try {
        if (command.op === 'quit') break
        if (command.op === 'prepare') {
          prepare(command)
          answer({ ok: true })
          continue
        }
        const p = prepared
        const m = maker
        if (p === undefined || m === undefined) throw new Error(`${command.op} before prepare`)
        const t0 = performance.now()
        if (command.op === 'put') {
          await forEachConcurrently(p.ids.length, command.streams, async (i) => client.put(peer, p.ids[i] as string, m.bytes(p.run, i)))
        } else {
          await forEachConcurrently(p.ids.length, command.streams, async (i) => {
            if (await client.get(peer, p.ids[i] as string) === undefined) throw new Error(`the node does not have shard ${i} of run ${p.run}`)
          })
        }
        answer({ ok: true, seconds: (performance.now() - t0) / 1000, bytes: p.ids.length * m.size })
      } catch (err) {
        answer({ ok: false, error: err instanceof Error ? err.message : String(err) })
      }
    }
  } finally {
    await host.stop()
  }
}

main().catch((err: unknown) => {
  process.stdout.write(JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) }) + '\n')
  process.exitCode = 1
})
