import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@zun-ts/common';
import { defaultConf } from '@zun-ts/config';
import { type ContainerListOptions } from '@zun-ts/db';
import { type Container, type ZunService } from '@zun-ts/objects';
import { type RecoverOptions, type RecoverOutcome } from './build-container.task';
import { buildTimeoutReason, hostDownReason, RecoverBuildsTask } from './recover-builds.task';

const NOW = new Date('2030-01-01T12:00:00Z');
const ago = (s: number): Date => new Date(NOW.getTime() - s * 1000);

function container(uuid: string, host: string | null, updatedSecondsAgo = 1): Container {
  return { uuid, host, status: 'Creating', created_at: ago(3600), updated_at: ago(updatedSecondsAgo) } as Container;
}

function service(host: string, lastSeenSecondsAgo: number, patch: Partial<ZunService> = {}): ZunService {
  return {
    id: 1, host, binary: 'zun-compute', topic: `compute.${host}`, disabled: false, disabled_reason: null, forced_down: false,
    report_count: 1, last_seen_up: ago(lastSeenSecondsAgo), availability_zone: null, created_at: ago(3600), updated_at: null, ...patch,
  };
}

function setup(rows: Container[], services: ZunService[], opts: { buildTimeout?: number; fail?: string } = {}) {
  const conf = defaultConf({ DEFAULT: { service_down_time: 30, rpc_response_timeout: 10, periodic_interval: 1 }, conductor: { build_timeout: opts.buildTimeout ?? 600 } });
  const listed: ContainerListOptions[] = [];
  const calls: Array<{ uuid: string; host: string; reason: string; opts: RecoverOptions }> = [];
  const reruns: string[] = [];
  const recasts: Array<{ uuid: string; host: string; graceMs: number }> = [];
  const task = new RecoverBuildsTask(
    conf,
    { list: async (_scope, o = {}) => (listed.push(o), rows) },
    { list: async () => services },
    {
      recover: async (uuid: string, host: string, reason: string, o: RecoverOptions): Promise<RecoverOutcome> => {
        calls.push({ uuid, host, reason, opts: o });
        if (uuid === opts.fail) throw new Error('scheduler unreachable');
        return o.reschedule ? 'rescheduled' : 'failed';
      },
      rerunLost: async (uuid: string): Promise<'rerun' | 'skipped'> => {
        reruns.push(uuid);
        if (uuid === opts.fail) throw new Error('scheduler unreachable');
        return 'rerun';
      },
      recastCreate: async (uuid: string, host: string, o: { graceMs: number }): Promise<'recast' | 'skipped'> => {
        recasts.push({ uuid, host, graceMs: o.graceMs });
        if (uuid === opts.fail) throw new Error('redis unreachable');
        return uuid.startsWith('cast-recently') ? 'skipped' : 'recast';
      },
    },
    silentLogger(),
  );
  return { task, calls, listed, reruns, recasts };
}

describe('RecoverBuildsTask.runOnce', () => {
  test('only Creating containers are looked at; one on a live host that makes progress is left alone', async () => {
    const { task, calls, listed } = setup([container('a', 'h1'), container('b', null)], [service('h1', 5)]);
    assert.deepEqual(await task.runOnce(NOW), []);
    assert.deepEqual(listed[0]?.filters, { status: 'Creating' });
    assert.equal(calls.length, 0);
  });

  test('a host whose compute service is down, forced down or gone: recovered and rescheduled', async () => {
    const rows = [container('a', 'h1'), container('b', 'h2'), container('c', 'h3'), container('d', 'h4')];
    const services = [service('h1', 31), service('h2', 1, { forced_down: true }), service('h4', 1), service('h3', 1, { binary: 'zun-conductor' })];
    const { task, calls } = setup(rows, services);
    const done = await task.runOnce(NOW);
    assert.deepEqual(done.map((d) => [d.uuid, d.cause, d.outcome]), [['a', 'host-down', 'rescheduled'], ['b', 'host-down', 'rescheduled'], ['c', 'host-down', 'rescheduled']]);
    assert.deepEqual(calls.map((c) => [c.host, c.reason, c.opts.reschedule]), [
      ['h1', hostDownReason('h1'), true],
      ['h2', hostDownReason('h2'), true],
      ['h3', hostDownReason('h3'), true],
    ]);
    assert.equal(calls[0]?.reason, 'Compute host h1 went down while creating the container.');
    // In-flight builds get max(service_down_time, rpc_response_timeout) to finish moving a container.
    assert.equal(calls[0]?.opts.graceMs, 30_000);
    assert.equal(calls[0]?.opts.now, NOW);
  });

  test('no progress for build_timeout on a live host: failed, not rescheduled; 0 turns the timeout off', async () => {
    const rows = [container('a', 'h1', 601), container('b', 'h1', 599)];
    const { task, calls } = setup(rows, [service('h1', 1)]);
    const done = await task.runOnce(NOW);
    assert.deepEqual(done.map((d) => [d.uuid, d.cause, d.outcome]), [['a', 'timeout', 'failed'], ['b', 'lost', 'recast']]);
    assert.deepEqual([calls[0]?.reason, calls[0]?.opts.reschedule], [buildTimeoutReason('h1', 600), false]);

    const off = setup(rows, [service('h1', 1)], { buildTimeout: 0 });
    assert.deepEqual((await off.task.runOnce(NOW)).map((d) => [d.uuid, d.cause, d.outcome]), [['a', 'lost', 'recast'], ['b', 'lost', 'recast']]);
    assert.equal(off.calls.length, 0, 'never failed');
  });

  test('one container failing to recover does not stop the others', async () => {
    const { task, calls } = setup([container('a', 'h1'), container('b', 'h1')], [service('h1', 100)], { fail: 'a' });
    const done = await task.runOnce(NOW);
    assert.deepEqual(calls.map((c) => c.uuid), ['a', 'b']);
    assert.deepEqual(done.map((d) => d.uuid), ['b']);
  });
});

describe('RecoverBuildsTask: builds lost on the bus', () => {
  test('a container Creating on no host that has not changed for max(service_down_time, rpc_response_timeout) is built again from its stored request', async () => {
    const rows = [container('lost', null, 31), container('young', null, 29), container('placed', 'h1', 31)];
    const { task, reruns, calls } = setup(rows, [service('h1', 1)]);
    const done = await task.runOnce(NOW);
    assert.deepEqual(reruns, ['lost'], 'only the unplaced container older than the grace time');
    assert.deepEqual(done.map((d) => [d.uuid, d.host, d.cause, d.outcome]), [['placed', 'h1', 'lost', 'recast'], ['lost', null, 'lost', 'rerun']]);
    assert.equal(calls.length, 0, 'the placed one on a live host is not failed or rescheduled');
  });

  test('a container placed on a live host and unchanged for the grace time gets its create cast again (once per period: the task decides)', async () => {
    const rows = [container('placed', 'h1', 31), container('young', 'h1', 29), container('cast-recently', 'h1', 45), container('down', 'h2', 45)];
    const { task, recasts, calls } = setup(rows, [service('h1', 1), service('h2', 60)]);
    const done = await task.runOnce(NOW);
    assert.deepEqual(recasts, [{ uuid: 'placed', host: 'h1', graceMs: 30_000 }, { uuid: 'cast-recently', host: 'h1', graceMs: 30_000 }]);
    assert.deepEqual(done.map((d) => [d.uuid, d.host, d.cause, d.outcome]), [['placed', 'h1', 'lost', 'recast'], ['down', 'h2', 'host-down', 'rescheduled']]);
    assert.deepEqual(calls.map((c) => c.uuid), ['down'], 'a host that is down is recovered, not cast to');
  });

  test('a re-cast that fails does not hold up the others', async () => {
    const { task, recasts } = setup([container('x', 'h1', 60), container('y', 'h1', 60)], [service('h1', 1)], { fail: 'x' });
    const done = await task.runOnce(NOW);
    assert.deepEqual(recasts.map((r) => r.uuid), ['x', 'y']);
    assert.deepEqual(done.map((d) => d.uuid), ['y']);
  });

  test('one lost build whose re-run fails does not hold up the others; the next run tries again', async () => {
    const { task, reruns } = setup([container('x', null, 60), container('y', null, 60)], [], { fail: 'x' });
    const done = await task.runOnce(NOW);
    assert.deepEqual(reruns, ['x', 'y']);
    assert.deepEqual(done.map((d) => d.uuid), ['y']);
  });
});

describe('RecoverBuildsTask start/stop', () => {
  test('runs at once and again every periodic_interval until stopped', async () => {
    let runs = 0;
    const task = new RecoverBuildsTask(
      defaultConf({ DEFAULT: { periodic_interval: 1 } }),
      { list: async () => (runs++, []) },
      { list: async () => [] },
      { recover: async () => 'skipped', rerunLost: async () => 'skipped', recastCreate: async () => 'skipped' },
      silentLogger(),
    );
    task.start();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(runs, 1, 'first run at start');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(runs, 2, 'second run one interval later');
    await task.stop();
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(runs, 2, 'no run after stop');
  });
});
