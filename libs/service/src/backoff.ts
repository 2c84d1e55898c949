/** How a retry delay grows. */
export interface BackoffOptions {
  /** Delay before the first retry. @default 1000 (ms) */
  initialMs?: number;
  /** Upper bound of any delay. @default 30000 (ms) */
  maxMs?: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
  /**
   * Fraction of the delay that may be randomly taken off, so that many processes
   * restarted together do not retry in lockstep. @default 0.1
   */
  jitter?: number;
  /** Source of randomness in [0, 1). @default Math.random */
  random?: () => number;
}

/** Exponential backoff: the delay (ms) to wait before retry number `attempt` (0-based). */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const initial = opts.initialMs ?? 1000;
  const max = opts.maxMs ?? 30_000;
  const factor = opts.factor ?? 2;
  const jitter = Math.min(Math.max(opts.jitter ?? 0.1, 0), 1);
  const random = opts.random ?? Math.random;
  const n = Math.max(0, Math.floor(attempt));
  // Cap the exponent so the power never overflows to Infinity for long outages.
  const raw = initial * Math.pow(factor, Math.min(n, 64));
  const capped = Math.min(Number.isFinite(raw) ? raw : max, max);
  return Math.round(capped * (1 - jitter * random()));
}

/** Wait `ms`; resolves `false` at once if `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
