/** Default poll period: status calls are cheap, and a wait is not a measured phase. */
const POLL_MS = 250

export interface WaitOptions {
  timeoutMs: number
  /** Pause between probes (default 250 ms). */
  intervalMs?: number
}

/** Calls `probe` until `done` holds; throws with what it last saw after `timeoutMs`. */
export async function pollUntil<T> (what: string, probe: () => Promise<T>, done: (value: T) => boolean, o: WaitOptions): Promise<T> {
  const deadline = Date.now() + o.timeoutMs
  let last: T | undefined
  for (;;) {
    last = await probe()
    if (done(last)) return last
    if (Date.now() > deadline) throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`)
    await new Promise((resolve) => setTimeout(resolve, o.intervalMs ?? POLL_MS))
  }
}
