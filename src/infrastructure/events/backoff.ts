/**
 * How long a failed delivery waits before its next try: exponential in the tries so far, capped,
 * with "equal jitter" (a random half on top of a fixed half), so failures spread out and the wait
 * still grows. Written by hand rather than taken from cockatiel's backoff sequences because the
 * try count lives in the database row, not in one process's memory: any relay may make the next
 * try, and the delay must follow from the count alone.
 */
export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** `random` is in [0, 1), as `Math.random`; the result is in [d/2, d] for d = min(max, base·2^(n−1)). */
export function retryDelay(
  { baseMs, maxMs }: Backoff,
  attempts: number,
  random: () => number = Math.random,
): number {
  // Beyond 2^30 the cap has long applied; the bound keeps the power finite.
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}
