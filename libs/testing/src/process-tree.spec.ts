import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { childPids, descendantPids, signalAndWait } from './process-tree';
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

test('childPids leaves out a zombie child (a worker killed and not yet reaped is not live)', async () => {
  // sleep 30 replaces the shell and never reaps the `true` the shell started first: a zombie child
  const parent = spawn('sh', ['-c', 'true & exec sleep 30'], { stdio: 'ignore' });
  const pid = parent.pid as number;
  try {
    const zombie = await waitFor(
      () => {
        for (const name of readdirSync('/proc')) {
          if (!/^\d+$/.test(name)) continue;
          try {
            const rest = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
            if (rest[0] === 'Z' && Number(rest[1]) === pid) return Number(name);
          } catch {
            // gone
          }
        }
        return null;
      },
      { timeoutMs: 5000, what: 'the zombie child' },
    );
    assert.ok(zombie > 0);
    assert.deepEqual(childPids(pid), [], 'the zombie is not counted');
  } finally {
    parent.kill('SIGKILL');
  }
});

test('signalAndWait resolves once the child has exited of the signal; for a child already gone it does nothing', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  await signalAndWait(child, 'SIGKILL');
  assert.equal(child.signalCode, 'SIGKILL');
  await signalAndWait(child, 'SIGKILL');
  await signalAndWait(null, 'SIGTERM');
});
