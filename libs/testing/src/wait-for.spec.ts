import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requireEnv, uniqueName } from './require-env';
import { waitFor } from './wait-for';

void describe('waitFor', () => {
  test('resolves with the first truthy value, retrying falsy values and exceptions', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
        return calls >= 3 ? { calls } : null;
      },
      { what: 'three calls', intervalMs: 5, timeoutMs: 2000 },
    );
    assert.deepEqual(value, { calls: 3 });
  });

  test('fails after the timeout, naming what and the last error', async () => {
    const t0 = Date.now();
    await assert.rejects(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { what: 'the API', timeoutMs: 150, intervalMs: 20, context: () => 'log tail here' },
      ),
      (err: Error) => /timed out after 150 ms .*waiting for the API/.test(err.message) && /last error: connection refused/.test(err.message) && /log tail here/.test(err.message),
    );
    assert.ok(Date.now() - t0 < 1000);
  });
});

void describe('requireEnv', () => {
  test('returns a set variable and fails clearly on a missing one', () => {
    const name = `ZUN_TEST_${uniqueName('env').replace(/-/g, '_').toUpperCase()}`;
    assert.throws(() => requireEnv(name, 'redis://127.0.0.1:6390/0'), new RegExp(`${name} is not set.*e\\.g\\. ${name}=redis://127\\.0\\.0\\.1:6390/0`));
    process.env[name] = 'x';
    try {
      assert.equal(requireEnv(name, 'y'), 'x');
    } finally {
      delete process.env[name];
    }
  });

  test('uniqueName differs from call to call', () => {
    assert.match(uniqueName('rpc'), /^zt-rpc-[0-9a-f]{8}$/);
    assert.notEqual(uniqueName('a'), uniqueName('a'));
  });
});
