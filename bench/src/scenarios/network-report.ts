import type { ReportSection } from '../html-report/sections.js'
import type { MachineInfo } from '../machine.js'
import { memoryChart } from './memory-chart.js'
import type { NetworkResult } from './network-types.js'
import { num } from './report-table.js'
import type { Row } from './report-table.js'

const MiB = 1024 * 1024

function header (m: MachineInfo, quick: boolean): string {
  return `resilien bench network${quick ? ' (quick)' : ''}: ${m.cpuModel}, ${m.arch}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}`
}

/** The network scenario's report: a row per transfer, each side's CPU and memory; bars in HTML. */
export function networkSections (r: NetworkResult, m: MachineInfo, quick: boolean): ReportSection[] {
  const rows: Row[] = [['transfer', 'streams', 'MiB', 'wall s', 'MB/s', 'sender', 'CPU s/GB', 'peak MiB', 'receiver', 'CPU s/GB', 'peak MiB', 'wire MiB', 'overhead %']]
  for (const t of r.runs) {
    rows.push([
      t.direction === 'put' ? `put (${r.peer} -> ${r.node}, stored with fsync)` : `get (${r.node} -> ${r.peer})`,
      String(t.streams),
      num(t.bytes / MiB, 0),
      num(t.seconds, 2),
      num(t.mbPerSecond, 0),
      t.sender.process,
      num(t.sender.cpuSecondsPerGb, 1),
      num(t.sender.peakRssBytes / MiB, 0),
      t.receiver.process,
      num(t.receiver.cpuSecondsPerGb, 1),
      num(t.receiver.peakRssBytes / MiB, 0),
      num(t.sender.tcpSentBytes === undefined ? undefined : t.sender.tcpSentBytes / MiB, 1),
      num(t.wireOverhead === undefined ? undefined : t.wireOverhead * 100, 2)
    ])
  }
  const label = (t: NetworkResult['runs'][number]): string => `${t.direction}, ${t.streams} stream${t.streams === 1 ? '' : 's'}`
  return [
    {
      lines: [
        header(m, quick),
        `two site processes on loopback: ${r.node} is a node (resilien start; shard server, disk store with fsync), ` +
          `${r.peer}'s identity is held by a shard peer process (@resilien/wire, ShardClient) while ${r.peer}'s node is stopped`
      ]
    },
    {
      title: 'shard transfer between two site processes',
      tables: [{ rows }],
      charts: [
        { kind: 'bars', spec: { title: 'Shard transfer (MB/s of shard bytes)', unit: 'MB/s', groups: r.runs.map((t) => ({ label: label(t), values: [{ series: 'resilien', value: t.mbPerSecond }] })) } },
        {
          kind: 'bars',
          spec: {
            title: 'CPU per GB moved, each side (lower is better)',
            unit: 'CPU s/GB',
            groups: r.runs.map((t) => ({ label: label(t), values: [{ series: 'sender', value: t.sender.cpuSecondsPerGb }, { series: 'receiver', value: t.receiver.cpuSecondsPerGb }] }))
          }
        },
        ...(r.memory === undefined ? [] : [memoryChart('Memory over time: RSS of both processes', r.memory)])
      ]
    },
    {
      lines: [
        'MB/s: shard bytes over the time from the first request to the last answer, as the peer measured it; a put is answered once the node stored the shard durably. ' +
          'CPU and peak RSS from /proc of each process; wire bytes: the sender\'s TCP counters (bytes acknowledged), overhead = beyond the shard bytes.',
        ...r.warnings.map((w) => `warning: ${w}`)
      ]
    }
  ]
}
