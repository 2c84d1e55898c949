import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { childPids, descendantPids } from './process-tree';
import { waitFor } from './wait-for';

test('childPids and descendantPids find a shell and the sleep it started, and nothing once they are gone', async () => {
  const sh = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
  const pid = sh.pid as number;
  assert.ok(childPids(process.pid).includes(pid), 'the shell is a child of this process');
  const grandchild = await waitFor(() => childPids(pid)[0] ?? null, { timeoutMs: 5000, what: 'the shell to start sleep' });
  assert.ok(descendantPids(process.pid).includes(grandchild), 'the sleep is a descendant of this process');
  assert.ok(!childPids(process.pid).includes(grandchild), 'but not a child');
  process.kill(grandchild, 'SIGKILL');
  await new Promise((resolve) => sh.once('exit', resolve));
  assert.deepEqual(childPids(pid), []);
});
