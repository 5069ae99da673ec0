import type { XorSchedule } from './xor-schedule.js'

/** 32-bit words when every view and the packet length allow it, bytes otherwise. */
export type Lanes = Int32Array | Uint8Array

/** Sources XORed per pass over a target packet: fewer passes, fewer loads and stores of it. */
const SOURCES_PER_PASS = 4

/**
 * Runs the schedules block by block, so one block of every source stays in cache while all the
 * targets are computed from it. Lengths are in lanes (words or bytes). The kernels loop over
 * zero-based subarrays: V8 then drops most bounds checks (measured faster than offset indexing).
 */
export function runSchedules (
  schedules: readonly XorSchedule[],
  sources: readonly Lanes[],
  targets: readonly Lanes[],
  w: number,
  packet: number,
  blocks: number
): void {
  const blockLength = w * packet
  const views: Lanes[] = new Array<Lanes>(sources.length * w)
  for (let b = 0; b < blocks; b++) {
    const base = b * blockLength
    for (let s = 0; s < sources.length; s++) {
      const source = sources[s] as Lanes
      for (let p = 0; p < w; p++) views[s * w + p] = source.subarray(base + p * packet, base + (p + 1) * packet)
    }
    for (let r = 0; r < targets.length; r++) {
      const target = targets[r] as Lanes
      const packets = (schedules[r] as XorSchedule).packets
      for (let t = 0; t < w; t++) {
        xorPacket(target.subarray(base + t * packet, base + (t + 1) * packet), packets[t] as Int32Array, views)
      }
    }
  }
}

/** target = XOR of the listed source packets. */
function xorPacket (target: Lanes, ids: Int32Array, views: readonly Lanes[]): void {
  if (ids.length === 0) {
    target.fill(0)
    return
  }
  for (let first = 0; first < ids.length; first += SOURCES_PER_PASS) {
    const count = Math.min(SOURCES_PER_PASS, ids.length - first)
    const a = views[ids[first] as number] as Lanes
    const assign = first === 0
    if (count === 1) {
      if (assign) target.set(a)
      else xor1(target, a)
      continue
    }
    const b = views[ids[first + 1] as number] as Lanes
    if (count === 2) {
      if (assign) set2(target, a, b)
      else xor2(target, a, b)
      continue
    }
    const c = views[ids[first + 2] as number] as Lanes
    if (count === 3) {
      if (assign) set3(target, a, b, c)
      else xor3(target, a, b, c)
      continue
    }
    const d = views[ids[first + 3] as number] as Lanes
    if (assign) set4(target, a, b, c, d)
    else xor4(target, a, b, c, d)
  }
}

function set2 (t: Lanes, a: Lanes, b: Lanes): void {
  for (let i = 0; i < t.length; i++) t[i] = (a[i] as number) ^ (b[i] as number)
}

function set3 (t: Lanes, a: Lanes, b: Lanes, c: Lanes): void {
  for (let i = 0; i < t.length; i++) t[i] = (a[i] as number) ^ (b[i] as number) ^ (c[i] as number)
}

function set4 (t: Lanes, a: Lanes, b: Lanes, c: Lanes, d: Lanes): void {
  for (let i = 0; i < t.length; i++) t[i] = (a[i] as number) ^ (b[i] as number) ^ (c[i] as number) ^ (d[i] as number)
}

function xor1 (t: Lanes, a: Lanes): void {
  for (let i = 0; i < t.length; i++) t[i] = (t[i] as number) ^ (a[i] as number)
}

function xor2 (t: Lanes, a: Lanes, b: Lanes): void {
  for (let i = 0; i < t.length; i++) t[i] = (t[i] as number) ^ (a[i] as number) ^ (b[i] as number)
}

function xor3 (t: Lanes, a: Lanes, b: Lanes, c: Lanes): void {
  for (let i = 0; i < t.length; i++) t[i] = (t[i] as number) ^ (a[i] as number) ^ (b[i] as number) ^ (c[i] as number)
}

function xor4 (t: Lanes, a: Lanes, b: Lanes, c: Lanes, d: Lanes): void {
  for (let i = 0; i < t.length; i++) {
    t[i] = (t[i] as number) ^ (a[i] as number) ^ (b[i] as number) ^ (c[i] as number) ^ (d[i] as number)
  }
}
