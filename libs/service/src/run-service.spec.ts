import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteError, silentLogger } from '@zun-ts/common';
import { sleep } from './backoff';
import { FakeServiceRegistry } from './fake-service-registry';
import { runService, type ServiceOptions } from './run-service';
import { type SignalProcess } from './shutdown';

class FakeProcess extends EventEmitter implements SignalProcess {
  readonly exits: number[] = [];
  private waiters: ((code: number) => void)[] = [];
  exit(code: number): void {
    this.exits.push(code);
    for (const w of this.waiters.splice(0)) w(code);
  }
  nextExit(): Promise<number> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  signal(s: NodeJS.Signals): void {
    this.emit(s, s);
  }
}

function options(over: Partial<ServiceOptions> & { registry: FakeServiceRegistry; process: FakeProcess }): ServiceOptions {
  return {
    binary: 'zun-compute',
    topic: 'compute.h1',
    // report_interval is in seconds; 0.03 s keeps the test short
    conf: { DEFAULT: { host: 'h1', report_interval: 0.03, default_availability_zone: 'az1' } },
    logger: silentLogger(),
    start: async () => {},
    stop: async () => {},
    registerBackoff: { initialMs: 5, maxMs: 10, jitter: 0 },
    ...over,
  };
}

describe('runService', () => {
  test('starts, registers with the configured host and zone, then heartbeats every report_interval', async () => {
    const registry = new FakeServiceRegistry();
    const proc = new FakeProcess();
    const order: string[] = [];
    await runService(options({ registry, process: proc, start: async () => void order.push('start') }));
    order.push('resolved');
    assert.deepEqual(order, ['start', 'resolved']);
    const row = registry.rows.get('h1/zun-compute');
    assert.ok(row);
    assert.equal(row.topic, 'compute.h1');
    assert.equal(row.availability_zone, 'az1');
    await sleep(200);
    const beats = registry.count('heartbeat');
    assert.ok(beats >= 4 && beats <= 8, `beats ${beats}`);
    assert.equal(row.report_count, beats);
    proc.signal('SIGTERM');
    assert.equal(await proc.nextExit(), 0);
  });

  test('keeps retrying registration while the registry is down; heartbeats start after', async () => {
    const registry = new FakeServiceRegistry();
    registry.registerErrors.push(new Error('ECONNREFUSED'), new Error('ECONNREFUSED'));
    const proc = new FakeProcess();
    await runService(options({ registry, process: proc }));
    assert.equal(registry.count('register'), 3);
    assert.equal(registry.count('heartbeat'), 0);
    await sleep(80);
    assert.ok(registry.count('heartbeat') >= 1);
    proc.signal('SIGTERM');
    await proc.nextExit();
  });

  test('a failed heartbeat is retried on the next tick and never stops the service', async () => {
    const registry = new FakeServiceRegistry();
    registry.heartbeatErrors.push(new Error('db gone'), new Error('db gone'), new Error('db gone'));
    const proc = new FakeProcess();
    await runService(options({ registry, process: proc }));
    await sleep(250);
    assert.equal(proc.exits.length, 0);
    assert.ok((registry.rows.get('h1/zun-compute')?.report_count ?? 0) >= 2);
    proc.signal('SIGTERM');
    await proc.nextExit();
  });

  test('re-registers when its row was deleted (also when the error came over RPC)', async () => {
    const registry = new FakeServiceRegistry();
    const proc = new FakeProcess();
    await runService(options({ registry, process: proc }));
    registry.rows.clear();
    registry.heartbeatErrors.push(new RemoteError('ZunServiceNotFound', 'Zun service zun-compute on host h1 could not be found.', 404));
    await sleep(120);
    assert.ok(registry.rows.has('h1/zun-compute'));
    assert.ok(registry.count('register') >= 2);
    proc.signal('SIGTERM');
    await proc.nextExit();
  });

  test('SIGTERM stops the heartbeat, then calls stop(), then exits 0', async () => {
    const registry = new FakeServiceRegistry();
    const proc = new FakeProcess();
    let stopped = 0;
    let beatsAtStop = -1;
    await runService(
      options({
        registry,
        process: proc,
        stop: async () => {
          stopped++;
          beatsAtStop = registry.count('heartbeat');
          await sleep(50);
        },
      }),
    );
    await sleep(70);
    const exit = proc.nextExit();
    proc.signal('SIGTERM');
    assert.equal(await exit, 0);
    assert.equal(stopped, 1);
    assert.equal(registry.count('heartbeat'), beatsAtStop, 'no heartbeat during or after stop');
    await sleep(80);
    assert.equal(registry.count('heartbeat'), beatsAtStop);
  });

  test('a second signal exits at once with status 1', async () => {
    const registry = new FakeServiceRegistry();
    const proc = new FakeProcess();
    await runService(options({ registry, process: proc, stop: () => new Promise(() => {}) }));
    proc.signal('SIGINT');
    await sleep(10);
    assert.deepEqual(proc.exits, []);
    proc.signal('SIGTERM');
    assert.deepEqual(proc.exits, [1]);
  });

  test('a stop() that overruns its bound exits 1', async () => {
    const registry = new FakeServiceRegistry();
    const proc = new FakeProcess();
    await runService(options({ registry, process: proc, stopTimeoutMs: 30, stop: () => new Promise(() => {}) }));
    proc.signal('SIGTERM');
    assert.equal(await proc.nextExit(), 1);
  });

  test('a signal during registration retries aborts them and still stops cleanly', async () => {
    const registry = new FakeServiceRegistry();
    for (let i = 0; i < 1000; i++) registry.registerErrors.push(new Error('down'));
    const proc = new FakeProcess();
    let stopped = false;
    const running = runService(options({ registry, process: proc, stop: async () => void (stopped = true) }));
    await sleep(30);
    proc.signal('SIGTERM');
    assert.equal(await proc.nextExit(), 0);
    await running;
    assert.equal(stopped, true);
    assert.equal(registry.count('heartbeat'), 0);
  });

  test('a failing start() rejects and registers nothing', async () => {
    const registry = new FakeServiceRegistry();
    const proc = new FakeProcess();
    await assert.rejects(
      runService(options({ registry, process: proc, start: async () => { throw new Error('redis down'); } })),
      /redis down/,
    );
    assert.equal(registry.count('register'), 0);
  });
});
