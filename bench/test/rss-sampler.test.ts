import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { RssSampler } from '../src/process/rss-sampler.js'
import { processTree, treeRssBytes } from '../src/process/process-tree.js'

test('the sampler records each tracked process, the steps, and a gap once a process has exited', async () => {
  const heard: string[] = []
  const sampler = new RssSampler((name) => heard.push(name), 60_000)
  const child = spawn('sleep', ['5'])
  try {
    sampler.track('bench', process.pid)
    sampler.track('child', child.pid as number)
    sampler.beginStep('one')
    sampler.beginStep('two')
    child.kill('SIGKILL')
    await once(child, 'exit')
    sampler.sample()
    sampler.sample()
  } finally {
    child.kill('SIGKILL')
  }
  const timeline = sampler.stop()
  assert.deepEqual(heard, ['one', 'two'])
  assert.deepEqual(timeline.steps.map((s) => s.name), ['one', 'two'])
  for (const s of timeline.steps) assert.ok(s.start <= s.end)
  const bench = timeline.series.find((s) => s.name === 'bench')
  const gone = timeline.series.find((s) => s.name === 'child')
  assert.ok(bench !== undefined && bench.points.every(([, v]) => v !== null && v > 1024 * 1024))
  assert.ok(gone !== undefined)
  assert.equal(gone.points[gone.points.length - 1]?.[1], null, 'the exited process ends with a gap')
  assert.equal(gone.points.filter(([, v]) => v === null).length, 1, 'and is sampled no more')
})

test('a command\'s memory is that of its whole tree', async () => {
  // The shell says so once it has started its sleep.
  const shell = spawn('sh', ['-c', 'sleep 5 & echo started; wait'])
  let tree: number[] = []
  try {
    await once(shell.stdout, 'data')
    tree = processTree(shell.pid as number)
    assert.equal(tree.length, 2, 'the shell and its sleep')
    const own = treeRssBytes(tree[1] as number) as number
    assert.ok((treeRssBytes(shell.pid as number) as number) > own)
  } finally {
    for (const pid of tree.slice(1)) process.kill(pid, 'SIGKILL')
    shell.kill('SIGKILL')
  }
  assert.equal(treeRssBytes(2 ** 22 + 1), undefined, 'no such process')
})
