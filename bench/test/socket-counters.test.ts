import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseSsOutput, tcpDelta } from '../src/process/socket-counters.js'

/** Two sockets as `ss -tinHe` prints them (iproute2 6.1), and one in TIME-WAIT (no inode). */
const SS = `0      0      127.0.0.1:44349 127.0.0.1:48294 timer:(keepalive,119min,0) ino:914070 sk:1001 cgroup:/ <->
\t ts sack bbr wscale:10,10 rto:208 rtt:7.02/6.369 mss:65483 cwnd:18 bytes_sent:2652058 bytes_retrans:81 bytes_acked:2651977 bytes_received:14232 segs_out:330
0      0      127.0.0.1:48250 127.0.0.1:44349 timer:(keepalive,119min,0) ino:913695 sk:1002 cgroup:/ <->
\t ts sack bbr wscale:10,10 rto:212 bytes_sent:20791 bytes_acked:20792 bytes_received:2152333 segs_out:436
0      0      127.0.0.1:40000 127.0.0.1:44349 timer:(timewait,50sec,0) ino:0 sk:1003
\t ts sack bytes_acked:99 bytes_received:99
`

test('ss output gives each socket\'s inode, bytes acknowledged (less the SYN) and received', () => {
  assert.deepEqual(parseSsOutput(SS), [
    { inode: 914070, sent: 2651976, received: 14232 },
    { inode: 913695, sent: 20791, received: 2152333 }
  ])
  assert.deepEqual(parseSsOutput(''), [])
})

test('the delta counts each socket\'s growth, a new socket from zero, and leaves out a process gone since', () => {
  const before = {
    site1: new Map([[1, { inode: 1, sent: 100, received: 50 }]]),
    site2: new Map([[2, { inode: 2, sent: 10, received: 10 }]])
  }
  const after = {
    site1: new Map([[1, { inode: 1, sent: 300, received: 80 }], [3, { inode: 3, sent: 40, received: 5 }]])
  }
  assert.deepEqual(tcpDelta(before, after), { site1: { sentBytes: 240, receivedBytes: 35 } })
})
