/** Share by which a retry delay is spread up or down, so that sites failing together do not retry together. */
export const BACKOFF_JITTER = 0.2

export interface BackoffPolicy {
  /** Delay after the first failure, in milliseconds; it doubles after each further failure. */
  backoffMs: number
  /** The delay never exceeds this, jitter included. */
  maxMs: number
}

/**
 * Milliseconds to wait before retrying after `failures` consecutive failures (1 for the first):
 * backoffMs * 2^(failures - 1), capped at maxMs, spread by ±BACKOFF_JITTER, never above maxMs.
 * `random` returns a number in [0, 1) (injectable so tests are exact).
 */
export function retryDelay (failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failures))
  // 2^(n-1) overflows to Infinity for huge n; min() then still gives the cap.
  const base = Math.min(policy.maxMs, policy.backoffMs * 2 ** (n - 1))
  const spread = 1 + BACKOFF_JITTER * (2 * random() - 1)
  return Math.max(0, Math.min(policy.maxMs, Math.round(base * spread)))
}
