/** One measured figure of a benchmark stage. */
export interface StageResult {
  stage: string
  variant: string
  /** Bytes of input processed (the figure's denominator). */
  bytes: number
  seconds: number
  cpuSeconds: number
  mbPerSecond: number
  /** Anything the stage wants to add: ratio, chunk count, target. */
  extra?: Record<string, number | string>
}

const MB = 1e6

/**
 * Runs `work` once as a warm-up on a small slice, then times `rounds` runs. Throughput is
 * computed on wall time of the best run: on a shared 2-core machine, the best run is the one
 * least disturbed by others, and it is what the code can do.
 */
export async function measure (
  stage: string,
  variant: string,
  bytesPerRun: number,
  work: () => unknown | Promise<unknown>,
  options: { rounds?: number, warmup?: () => unknown | Promise<unknown>, extra?: Record<string, number | string> } = {}
): Promise<StageResult> {
  const rounds = options.rounds ?? 3
  await (options.warmup ?? work)()
  let best = Number.POSITIVE_INFINITY
  let bestCpu = 0
  for (let i = 0; i < rounds; i++) {
    const cpu0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    await work()
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9
    const cpu = process.cpuUsage(cpu0)
    if (seconds < best) {
      best = seconds
      bestCpu = (cpu.user + cpu.system) / 1e6
    }
  }
  const result: StageResult = {
    stage,
    variant,
    bytes: bytesPerRun,
    seconds: best,
    cpuSeconds: bestCpu,
    mbPerSecond: bytesPerRun / MB / best
  }
  if (options.extra !== undefined) result.extra = options.extra
  return result
}
