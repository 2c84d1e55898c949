// End to end: the real python3-zunclient against the running all-in-one stack
// (tools/stack), authenticated by the stack's real Keystone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

function stackState(): string {
  const dir = process.env['ZUN_TEST_STACK_STATE'];
  if (!dir) throw new Error('ZUN_TEST_STACK_STATE must name the state dir of a running stack (tools/stack test sets it)');
  return dir;
}

/** The OS_* variables of `<state>/<user>-openrc`. */
function openrcEnv(user: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(stackState(), `${user}-openrc`), 'utf8').split('\n')) {
    const m = /^\s*export\s+(OS_[A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1] as string] = (m[2] as string).replace(/^(['"])(.*)\1$/, '$2');
  }
  assert.ok(env['OS_AUTH_URL'], `no OS_AUTH_URL in ${user}-openrc`);
  return env;
}

async function zun(user: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', ...openrcEnv(user) };
  try {
    // Debian's client lives under /usr/bin and runs on the system python.
    const { stdout, stderr } = await run('zun', args, { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Rows of a prettytable as lists of trimmed cells (header row first). */
function tableRows(out: string): string[][] {
  return out.split('\n').filter((l) => l.startsWith('|')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

void describe('zun CLI against the stack', () => {
  test('GET / answers the version document the client negotiates with', async () => {
    const res = await fetch('http://127.0.0.1:9517/');
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { versions: { id: string; status: string; min_version: string; max_version: string }[] };
    assert.deepEqual(doc.versions.map((v) => [v.id, v.status, v.min_version, v.max_version]), [['v1', 'CURRENT', '1.1', '1.40']]);
  });

  test('zun service-list as admin lists compute, conductor and scheduler up', async () => {
    const deadline = Date.now() + 60_000;
    let states = new Map<string, string>();
    // services may still be registering right after the stack came up
    while (Date.now() < deadline) {
      const r = await zun('admin', 'service-list');
      assert.equal(r.code, 0, `zun service-list failed: ${r.stderr}`);
      const [header, ...rows] = tableRows(r.stdout);
      assert.ok(header, `no table in: ${r.stdout}`);
      const binary = header.indexOf('Binary');
      const state = header.indexOf('State');
      assert.ok(binary >= 0 && state >= 0, `unexpected columns: ${header.join(', ')}`);
      states = new Map(rows.map((row) => [row[binary] as string, row[state] as string]));
      if (['zun-compute', 'zun-conductor', 'zun-scheduler'].every((b) => states.get(b) === 'up')) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    for (const b of ['zun-compute', 'zun-conductor', 'zun-scheduler']) assert.equal(states.get(b), 'up', `${b} is ${states.get(b) ?? 'missing'}`);
  });

  test('zun service-list as demo is refused with 403 by policy', async () => {
    const r = await zun('demo', 'service-list');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Policy doesn't allow zun-service:get_all to be performed\. \(HTTP 403\)/);
  });
});
