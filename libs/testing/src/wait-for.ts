/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Pause between two attempts (default 200 ms). */
  intervalMs?: number;
  /** What is awaited, for the timeout message ("compute zsim1 to register"). */
  what: string;
  /** More detail for the timeout message, computed only then (e.g. a log's tail). */
  context?: () => string;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `fn` until it returns a truthy value and resolves with that value. An
 * exception counts as "not yet" (the service may not answer yet); the last one
 * is quoted in the error thrown after `timeoutMs`.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitForOptions): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() + intervalMs > deadline) break;
    await sleep(intervalMs);
  }
  const parts = [`timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${opts.what}`];
  if (lastError !== undefined) parts.push(`last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  if (opts.context) parts.push(opts.context());
  throw new Error(parts.join('\n'));
}
