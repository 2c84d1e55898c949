import { RemoteError } from '@zun-ts/common';

/** True when `err` is ZunServiceNotFound, raised here or rebuilt from an RPC reply. */
export function isServiceNotFound(err: unknown): boolean {
  if (err instanceof RemoteError) return err.remoteName === 'ZunServiceNotFound';
  return err instanceof Error && err.name === 'ZunServiceNotFound';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
