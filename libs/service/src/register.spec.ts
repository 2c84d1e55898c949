import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequest, MessagingTimeout, RemoteError, silentLogger } from '@zun-ts/common';
import { FakeServiceRegistry } from './fake-service-registry';
import { RegistrationAborted, registerWithRetry } from './register';

const identity = { host: 'h1', binary: 'zun-compute', topic: 'compute.h1', availability_zone: 'nova' };
const fast = { initialMs: 5, maxMs: 20, jitter: 0 };

describe('registerWithRetry', () => {
  test('retries while the registry is unreachable, then returns the row', async () => {
    const reg = new FakeServiceRegistry();
    reg.registerErrors.push(new Error('connect ECONNREFUSED'), new MessagingTimeout('no reply'), new Error('again'));
    const row = await registerWithRetry(reg, identity, silentLogger(), { backoff: fast });
    assert.equal(reg.count('register'), 4);
    assert.equal(row.host, 'h1');
    assert.equal(row.binary, 'zun-compute');
    assert.equal(row.topic, 'compute.h1');
    assert.equal(row.availability_zone, 'nova');
  });

  test('waits longer between later attempts', async () => {
    const reg = new FakeServiceRegistry();
    reg.registerErrors.push(new Error('x'), new Error('x'), new Error('x'));
    await registerWithRetry(reg, identity, silentLogger(), { backoff: { initialMs: 10, maxMs: 1000, jitter: 0 } });
    const at = reg.calls.map((c) => c.at);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    assert.ok((gaps[0] ?? 0) >= 8 && (gaps[2] ?? 0) >= 35, `gaps ${gaps.join(',')}`);
  });

  test('a remote 500 from the registry at start-up is retried (regression: only 503/504 were)', async () => {
    const reg = new FakeServiceRegistry();
    reg.registerErrors.push(new RemoteError('OperationalError', 'database is starting', 500));
    const row = await registerWithRetry(reg, identity, silentLogger(), { backoff: fast });
    assert.equal(reg.count('register'), 2);
    assert.equal(row.host, 'h1');
  });

  test('does not retry a client error', async () => {
    const reg = new FakeServiceRegistry();
    reg.registerErrors.push(new BadRequest('bad host name'));
    await assert.rejects(registerWithRetry(reg, identity, silentLogger(), { backoff: fast }), BadRequest);
    assert.equal(reg.count('register'), 1);
  });

  test('stops retrying when the signal aborts', async () => {
    const reg = new FakeServiceRegistry();
    for (let i = 0; i < 1000; i++) reg.registerErrors.push(new Error('down'));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 40);
    await assert.rejects(registerWithRetry(reg, identity, silentLogger(), { signal: ac.signal, backoff: fast }), RegistrationAborted);
    const n = reg.count('register');
    assert.ok(n >= 2 && n < 20, `attempts ${n}`);
  });
});
