import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adminContext } from '@zun-ts/common';
import { type ContainerSummary, type DriverEvent, FakeContainerDriver } from '@zun-ts/compute-driver';
import { metricsRegistry } from '@zun-ts/metrics';
import { measuredDriver, reportContainersByStatus } from './driver-metrics';

const UUID = '6f1c3e0a-1d2b-4c5d-8e9f-0a1b2c3d4e5f';

/** The value of one sample line of the registry's text, or 0. */
async function sample(line: RegExp): Promise<number> {
  const m = new RegExp(`^${line.source} (\\S+)$`, 'm').exec(await metricsRegistry.metrics());
  return m ? Number(m[1]) : 0;
}

const summary = (uuid: string, status: ContainerSummary['status']): ContainerSummary => ({
  uuid, container_id: `id-${uuid}`, name: `zun-${uuid}`, status, state: 'running', status_detail: '', image: 'busybox', labels: {},
});

void describe('measuredDriver', () => {
  void test('times each operation by method name and outcome, passing results and errors through', async () => {
    const fake = new FakeContainerDriver().expect('start').expect('stop', () => Promise.reject(new Error('engine says no')));
    const d = measuredDriver(fake);
    const okBefore = await sample(/zun_compute_docker_operation_duration_seconds_count\{operation="start",outcome="ok"\}/);
    const errBefore = await sample(/zun_compute_docker_operation_duration_seconds_count\{operation="stop",outcome="error"\}/);
    await d.start(adminContext(), UUID);
    await assert.rejects(d.stop(adminContext(), UUID), /engine says no/);
    fake.verify();
    assert.equal(await sample(/zun_compute_docker_operation_duration_seconds_count\{operation="start",outcome="ok"\}/), okBefore + 1);
    assert.equal(await sample(/zun_compute_docker_operation_duration_seconds_count\{operation="stop",outcome="error"\}/), errBefore + 1);
    assert.doesNotMatch(await metricsRegistry.metrics(), new RegExp(UUID), 'no uuid in any label');
  });

  void test('events reach the subscriber and their lag is measured by type', async () => {
    const fake = new FakeContainerDriver().stub('events', (onEvent) => {
      onEvent({ type: 'start', uuid: UUID, container_id: 'c', time: new Date(Date.now() - 1500), exit_code: null, health_status: null } satisfies DriverEvent);
      return { close: () => Promise.resolve() };
    });
    const before = await sample(/zun_compute_event_lag_seconds_count\{type="start"\}/);
    const sumBefore = await sample(/zun_compute_event_lag_seconds_sum\{type="start"\}/);
    const seen: string[] = [];
    await measuredDriver(fake).events((e) => seen.push(e.uuid)).close();
    assert.deepEqual(seen, [UUID]);
    assert.equal(await sample(/zun_compute_event_lag_seconds_count\{type="start"\}/), before + 1);
    assert.ok((await sample(/zun_compute_event_lag_seconds_sum\{type="start"\}/)) - sumBefore >= 1.5);
  });
});

void describe('reportContainersByStatus', () => {
  void test('counts the engine list by Zun status at scrape time, every status present (0 when none)', async () => {
    let list = [summary('a', 'Running'), summary('b', 'Running'), summary('c', 'Stopped')];
    const fake = new FakeContainerDriver().stub('list', () => Promise.resolve(list));
    reportContainersByStatus(fake);
    assert.equal(await sample(/zun_compute_containers\{status="Running"\}/), 2);
    assert.equal(await sample(/zun_compute_containers\{status="Stopped"\}/), 1);
    assert.match(await metricsRegistry.metrics(), /^zun_compute_containers\{status="Paused"\} 0$/m);
    list = [summary('c', 'Stopped')];
    assert.equal(await sample(/zun_compute_containers\{status="Running"\}/), 0, 'a status nobody has any more drops to 0');
  });
});
