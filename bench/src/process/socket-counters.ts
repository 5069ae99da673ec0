import { execFile } from 'node:child_process'
import { readdirSync, readlinkSync } from 'node:fs'
import { promisify } from 'node:util'

/**
 * Bytes each process sent and received over TCP, from the kernel's per-socket counters
 * (tcp_info, as `ss -tie` prints them), matched to processes by socket inode in /proc/PID/fd.
 * Loopback between sites is the network of a bench cluster: this is what would cross the line.
 * A socket opened and closed between two readings is not seen: sites keep their connections
 * open, so that is rare (a redial).
 */

const run = promisify(execFile)

export interface SocketBytes {
  inode: number
  /** Bytes the peer acknowledged (retransmissions not counted twice). */
  sent: number
  received: number
}

/** The TCP counters of each named process at one moment, by socket inode. */
export type TcpSnapshot = Record<string, Map<number, SocketBytes>>

export interface TcpBytes {
  sentBytes: number
  receivedBytes: number
}

/**
 * Parses `ss -tinHe` output: each socket is one line (with `ino:N`) and an indented line of
 * tcp_info (with `bytes_acked:N bytes_received:N`). Sockets without an inode (TIME-WAIT) are left out.
 */
export function parseSsOutput (text: string): SocketBytes[] {
  const out: SocketBytes[] = []
  let current: SocketBytes | undefined
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    if (!/^\s/.test(line)) {
      const inode = Number(/\bino:(\d+)/.exec(line)?.[1] ?? 0)
      current = inode > 0 ? { inode, sent: 0, received: 0 } : undefined
      if (current !== undefined) out.push(current)
      continue
    }
    if (current === undefined) continue
    // bytes_acked counts the SYN as one byte; a connection that sent nothing shows 1.
    const acked = /\bbytes_acked:(\d+)/.exec(line)
    const received = /\bbytes_received:(\d+)/.exec(line)
    if (acked !== null) current.sent = Math.max(0, Number(acked[1]) - 1)
    if (received !== null) current.received = Number(received[1])
  }
  return out
}

/** Inodes of the sockets `pid` has open; empty once it has exited. */
export function socketInodes (pid: number): Set<number> {
  const out = new Set<number>()
  let fds: string[]
  try {
    fds = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return out
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m !== null) out.add(Number(m[1]))
    } catch {
      // Closed between the listing and the read.
    }
  }
  return out
}

let ssMissing = false

/** Whether `ss` ran (iproute2); without it, no bytes sent are reported. */
export function haveSocketCounters (): boolean {
  return !ssMissing
}

/** The TCP counters of each process in `pids` (name -> pid) now. */
export async function tcpSnapshot (pids: Record<string, number>): Promise<TcpSnapshot> {
  const snapshot: TcpSnapshot = {}
  if (ssMissing) return snapshot
  let text: string
  try {
    text = (await run('ss', ['-tinHe'], { maxBuffer: 64 * 1024 * 1024 })).stdout
  } catch {
    ssMissing = true
    return snapshot
  }
  const sockets = new Map(parseSsOutput(text).map((s) => [s.inode, s]))
  for (const [name, pid] of Object.entries(pids)) {
    const mine = new Map<number, SocketBytes>()
    for (const inode of socketInodes(pid)) {
      const s = sockets.get(inode)
      if (s !== undefined) mine.set(inode, s)
    }
    snapshot[name] = mine
  }
  return snapshot
}

/**
 * What each process sent and received between two snapshots: per socket, the counter's growth
 * (a socket new since `before` counts from zero). A process absent `after` (killed) is left out.
 */
export function tcpDelta (before: TcpSnapshot, after: TcpSnapshot): Record<string, TcpBytes> {
  const out: Record<string, TcpBytes> = {}
  for (const [name, sockets] of Object.entries(after)) {
    const earlier = before[name]
    let sentBytes = 0
    let receivedBytes = 0
    for (const [inode, s] of sockets) {
      const b = earlier?.get(inode)
      sentBytes += s.sent - (b?.sent ?? 0)
      receivedBytes += s.received - (b?.received ?? 0)
    }
    out[name] = { sentBytes, receivedBytes }
  }
  return out
}
