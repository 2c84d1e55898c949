import { RemoteError, ZunError } from '@zun-ts/common';

/** True when `err` is ZunServiceNotFound, raised here or rebuilt from an RPC reply. */
export function isServiceNotFound(err: unknown): boolean {
  if (err instanceof RemoteError) return err.remoteName === 'ZunServiceNotFound';
  return err instanceof Error && err.name === 'ZunServiceNotFound';
}

/**
 * Whether retrying can help: lost connections, timeouts and server-side (5xx)
 * failures can heal; a Zun client error (4xx, not retryable) will not.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof ZunError) return err.retryable || err.status >= 500;
  return true;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
