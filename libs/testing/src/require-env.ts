import { randomUUID } from 'node:crypto';

/**
 * The value of an environment variable an integration test needs. Unset or
 * empty, it throws, so the test fails with a message saying what to set
 * (integration tests are never skipped).
 */
export function requireEnv(name: string, example: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: this test needs it, e.g. ${name}=${example} (tools/stack test sets it)`);
  }
  return value;
}

/** A name no other test run uses, for Redis key prefixes, host names, databases: `zt-<kind>-<8 hex>`. */
export function uniqueName(kind: string): string {
  return `zt-${kind}-${randomUUID().slice(0, 8)}`;
}
