import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, silentLogger, ZunServiceNotFound } from '@zun-ts/common';
import { type ServiceRegistration, type ZunService } from '@zun-ts/objects';
import { ConductorManager } from './conductor.manager';

/** Strict fake: only the two calls the manager may make. */
class FakeServices {
  readonly upserts: ServiceRegistration[] = [];
  readonly beats: string[] = [];
  async upsert(s: ServiceRegistration): Promise<ZunService> {
    this.upserts.push(s);
    const now = new Date();
    return { id: 1, ...s, disabled: false, disabled_reason: null, forced_down: false, report_count: 0, last_seen_up: now, created_at: now, updated_at: null };
  }
  async heartbeat(host: string, binary: string): Promise<void> {
    if (host === 'gone') throw new ZunServiceNotFound(host, binary);
    this.beats.push(`${host}/${binary}`);
  }
}

function manager(services = new FakeServices()): ConductorManager {
  return new ConductorManager({ DEFAULT: { host: 'cond-1' } as never }, services, silentLogger());
}

describe('ConductorManager', () => {
  test('serviceRegister upserts exactly the registration fields and returns the row', async () => {
    const services = new FakeServices();
    const reg = { host: 'c1', binary: 'zun-compute', topic: 'compute.c1', availability_zone: 'nova' };
    const row = await manager(services).serviceRegister(adminContext(), { ...reg, extra: 'ignored' } as ServiceRegistration);
    assert.deepEqual(services.upserts, [reg]);
    assert.equal(row.host, 'c1');
    assert.equal(row.topic, 'compute.c1');
  });

  test('serviceHeartbeat stamps the row; an unknown service surfaces ZunServiceNotFound', async () => {
    const services = new FakeServices();
    const m = manager(services);
    await m.serviceHeartbeat(adminContext(), { host: 'c1', binary: 'zun-compute' });
    assert.deepEqual(services.beats, ['c1/zun-compute']);
    await assert.rejects(m.serviceHeartbeat(adminContext(), { host: 'gone', binary: 'zun-compute' }), ZunServiceNotFound);
  });

  test('ping answers with the conductor host', async () => {
    assert.deepEqual(await manager().ping(adminContext(), {}), { host: 'cond-1' });
  });
});
