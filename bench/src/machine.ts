import os from 'node:os'
import { polyfilledWithResolvers } from '@resilien/polyfill'

/** What the machine is: every report carries it, so figures from a Pi and a server compare. */
export interface MachineInfo {
  cpuModel: string
  arch: string
  cores: number
  memoryBytes: number
  node: string
  platform: string
  polyfilledWithResolvers: boolean
  /** Which implementation each pluggable stage uses here (native fast path or fallback). */
  activePaths: Record<string, string>
}

export function describeMachine (activePaths: Record<string, string>): MachineInfo {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    arch: process.arch,
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    polyfilledWithResolvers,
    activePaths
  }
}
