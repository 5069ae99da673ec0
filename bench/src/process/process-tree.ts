import { readFileSync, readdirSync } from 'node:fs'
import { currentRssBytes } from './proc-stats.js'

/**
 * A command is often a tree: GNU time runs restic, a shell runs a dump. The memory of "the
 * command" is that of the whole tree, read from /proc.
 */

/** The pids `pid`'s threads started (Linux's /proc/PID/task/TID/children); [] once it is gone. */
export function childPids (pid: number): number[] {
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
  const out: number[] = []
  for (const tid of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').trim().split(' ')) {
        if (child !== '') out.push(Number(child))
      }
    } catch {
      // The thread ended between the two reads.
    }
  }
  return out
}

/** `pid` and every process below it. */
export function processTree (pid: number): number[] {
  const out: number[] = []
  const pending = [pid]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    out.push(next)
    pending.push(...childPids(next))
  }
  return out
}

/** Resident bytes of `pid` and its descendants; undefined once `pid` has exited. */
export function treeRssBytes (pid: number): number | undefined {
  let total = 0
  let seen = false
  for (const p of processTree(pid)) {
    try {
      const rss = currentRssBytes(p)
      if (Number.isNaN(rss)) continue
      total += rss
      seen = true
    } catch {
      // A process that ended during the walk holds no memory any more.
    }
  }
  return seen ? total : undefined
}
