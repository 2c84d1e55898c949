import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-root';
import { requireEnv } from './require-env';

const run = promisify(execFile);

/** Where the tests' Glance answers. */
export interface TestGlance {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The state dir of the Glance (tools/glance/glance-ctl's GLANCE_STATE). */
  state: string;
}

let started: Promise<TestGlance> | null = null;

/**
 * The stack's Glance, started by `tools/glance/glance-ctl up` when it does not run yet (`tools/stack up` normally
 * has started it): registered in the Keystone of `ZUN_TEST_KEYSTONE_URL` / `ZUN_TEST_KEYSTONE_STATE`, with its
 * state in `ZUN_TEST_GLANCE_STATE`, else `$ZUN_TEST_STACK_STATE/glance`. Throws, with glance-ctl's output, when
 * it cannot be started (glance-api not installed, the port taken): the tests that need it fail, never skip.
 */
export function ensureGlance(): Promise<TestGlance> {
  started ??= start();
  return started;
}

async function start(): Promise<TestGlance> {
  const keystoneUrl = requireEnv('ZUN_TEST_KEYSTONE_URL', 'http://127.0.0.1:5000/v3');
  const keystoneState = requireEnv('ZUN_TEST_KEYSTONE_STATE', '<repo>/.stack/keystone');
  const state = process.env['ZUN_TEST_GLANCE_STATE'] || join(requireEnv('ZUN_TEST_STACK_STATE', '<repo>/.stack'), 'glance');
  const port = process.env['ZUN_TEST_GLANCE_PORT'] || '9292';
  const env = { ...process.env, GLANCE_STATE: state, GLANCE_PORT: port, KEYSTONE_URL: keystoneUrl, KEYSTONE_STATE: keystoneState };
  try {
    await run(join(repoRoot(), 'tools/glance/glance-ctl'), ['up'], { env, timeout: 180_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`Glance is not running and tools/glance/glance-ctl up could not start it (tools/stack up installs and starts it):\n${e.stderr ?? e.message}`);
  }
  return { endpoint: `http://127.0.0.1:${port}`, state };
}
