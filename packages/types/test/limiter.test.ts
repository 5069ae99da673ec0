import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Limiter } from '../src/index.js'

test('a limiter never runs more tasks than its size, even when a caller arrives while a woken waiter has not run yet', async () => {
  // The newcomer arrives 0 to 7 microtask turns after the first task's body returns: one of
  // those turns falls between the end of that run and the woken waiter taking the slot.
  for (let turns = 0; turns < 8; turns++) {
    const limiter = new Limiter(2)
    let inside = 0
    let most = 0
    const order: string[] = []
    let late: Promise<void> | undefined
    const task = async (name: string, body: () => Promise<void>): Promise<void> => limiter.run(async () => {
      most = Math.max(most, ++inside)
      order.push(name)
      await body()
      inside--
    })
    const arrive = (left: number): void => {
      if (left === 0) late = task('d', async () => await sleep(5))
      else queueMicrotask(() => arrive(left - 1))
    }
    const first = task('a', async () => { await sleep(1); arrive(turns) })
    const second = task('b', async () => await sleep(30))
    const waiter = task('c', async () => await sleep(5))
    await first
    await Promise.all([second, waiter])
    await late
    assert.ok(most <= 2, `${turns} turns: ${most} tasks at once`)
    assert.ok(order.indexOf('c') < order.indexOf('d'), `${turns} turns: the waiter goes before the newcomer (${order.join(' ')})`)
  }
})
