import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { metricsRegistry } from '@zun-ts/metrics';
import { recordBuildEnd, recordReschedule } from './build-metrics';

async function sample(line: string): Promise<number> {
  const m = new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(await metricsRegistry.metrics());
  return m ? Number(m[1]) : 0;
}

void describe('build metrics', () => {
  void test('Creating → Running counts a running build and times it from the API accepting the container', async () => {
    const [n, count, sum] = await Promise.all([
      sample('zun_conductor_builds_total{outcome="running"}'), sample('zun_conductor_build_to_running_seconds_count'), sample('zun_conductor_build_to_running_seconds_sum'),
    ]);
    const now = Date.parse('2026-12-02T10:00:10Z');
    recordBuildEnd({ status: 'Creating', created_at: new Date('2026-12-02T10:00:00Z') }, 'Running', now);
    assert.equal(await sample('zun_conductor_builds_total{outcome="running"}'), n + 1);
    assert.equal(await sample('zun_conductor_build_to_running_seconds_count'), count + 1);
    assert.equal((await sample('zun_conductor_build_to_running_seconds_sum')) - sum, 10);
  });

  void test('other ends count by status, untimed; a record no longer Creating (a redelivered save) counts nothing', async () => {
    const created = await sample('zun_conductor_builds_total{outcome="created"}');
    const error = await sample('zun_conductor_builds_total{outcome="error"}');
    const timed = await sample('zun_conductor_build_to_running_seconds_count');
    recordBuildEnd({ status: 'Creating', created_at: new Date() }, 'Created');
    recordBuildEnd({ status: 'Creating', created_at: new Date() }, 'Error');
    recordBuildEnd({ status: 'Running', created_at: new Date() }, 'Running');
    recordBuildEnd({ status: 'Creating', created_at: new Date() }, 'Creating');
    assert.equal(await sample('zun_conductor_builds_total{outcome="created"}'), created + 1);
    assert.equal(await sample('zun_conductor_builds_total{outcome="error"}'), error + 1);
    assert.equal(await sample('zun_conductor_build_to_running_seconds_count'), timed);
  });

  void test('a reschedule is its own outcome', async () => {
    const before = await sample('zun_conductor_builds_total{outcome="rescheduled"}');
    recordReschedule();
    assert.equal(await sample('zun_conductor_builds_total{outcome="rescheduled"}'), before + 1);
  });
});
