import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory of a test; see {@link tmpDir}. */
export interface TmpDir {
  readonly path: string;
  /** `path` joined with `parts`. */
  join(...parts: string[]): string;
  /** Deletes the directory and everything in it (idempotent). */
  cleanup(): Promise<void>;
}

const pending = new Set<string>();
let exitHookInstalled = false;

/**
 * Creates a fresh directory under the system's temp dir. Whatever a test does
 * not clean up itself is deleted when the process exits, unless
 * ZUN_TEST_KEEP_TMP=1 (to read service logs after a failure).
 */
export function tmpDir(prefix = 'zun-test-'): TmpDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  pending.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      if (process.env['ZUN_TEST_KEEP_TMP'] === '1') return;
      for (const p of pending) rmSync(p, { recursive: true, force: true });
    });
  }
  return {
    path,
    join: (...parts) => join(path, ...parts),
    cleanup: async () => {
      pending.delete(path);
      await rm(path, { recursive: true, force: true });
    },
  };
}
