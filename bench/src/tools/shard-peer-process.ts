import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Interface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { onCleanup } from '../process/cleanup.js'
import type { ShardPeerAnswer, ShardPeerCommand } from './shard-peer-protocol.js'

/** The shard peer's program (compiled next to this file). */
const SHARD_PEER_JS = fileURLToPath(new URL('./shard-peer.js', import.meta.url))
/** How long the peer may take to connect, and to answer one command. */
const READY_TIMEOUT_MS = 30_000
const COMMAND_TIMEOUT_MS = 600_000

/** The bench's handle on a shard peer process: its pid (for /proc), and its commands. */
export class ShardPeerProcess {
  private readonly lines: AsyncIterator<string>
  private stderr = ''
  private readonly stopCleanup: () => void

  private constructor (private readonly child: ChildProcessWithoutNullStreams, lines: Interface) {
    this.lines = lines[Symbol.asyncIterator]()
    child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString() })
    this.stopCleanup = onCleanup(() => child.kill('SIGKILL'))
  }

  get pid (): number {
    const pid = this.child.pid
    if (pid === undefined) throw new Error('the shard peer did not start')
    return pid
  }

  /** Starts a peer with the identity in `identityFile`, connected to `peer` at `addrs`. */
  static async start (identityFile: string, peer: string, addrs: readonly string[]): Promise<{ process: ShardPeerProcess, peerId: string }> {
    const child = spawn(process.execPath, [SHARD_PEER_JS, '--identity', identityFile, '--peer', peer, ...addrs.flatMap((a) => ['--addr', a])], { stdio: ['pipe', 'pipe', 'pipe'] })
    const p = new ShardPeerProcess(child, createInterface({ input: child.stdout }))
    const ready = await p.next(READY_TIMEOUT_MS)
    if (ready.ready !== true || ready.peerId === undefined) throw new Error(`the shard peer did not connect: ${ready.error ?? JSON.stringify(ready)}`)
    return { process: p, peerId: ready.peerId }
  }

  /** Sends one command and waits for its answer; a failed command throws with the peer's reason. */
  async call (command: ShardPeerCommand): Promise<ShardPeerAnswer> {
    this.child.stdin.write(JSON.stringify(command) + '\n')
    const a = await this.next(COMMAND_TIMEOUT_MS)
    if (!a.ok) throw new Error(`shard peer ${command.op}: ${a.error ?? 'failed'}`)
    return a
  }

  async stop (): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
      this.child.stdin.end(JSON.stringify({ op: 'quit' }) + '\n')
      const timer = setTimeout(() => this.child.kill('SIGKILL'), READY_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
    this.stopCleanup()
  }

  private async next (timeoutMs: number): Promise<ShardPeerAnswer> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the shard peer did not answer in ${timeoutMs} ms: ${this.stderr.trim().split('\n').slice(-5).join('\n')}`)), timeoutMs)
    })
    try {
      const r = await Promise.race([this.lines.next(), timeout])
      if (r.done === true) throw new Error(`the shard peer exited: ${this.stderr.trim().split('\n').slice(-5).join('\n')}`)
      return JSON.parse(r.value) as ShardPeerAnswer
    } finally {
      clearTimeout(timer)
    }
  }
}
