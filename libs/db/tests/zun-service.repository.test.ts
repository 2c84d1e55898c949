import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ZunServiceNotFound } from '@zun-ts/common';
import { Database } from '../src';
import { isServiceUp } from '@zun-ts/objects';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const reg = (host: string, binary = 'zun-compute', availability_zone: string | null = null) => ({
  host,
  binary,
  topic: `compute.${host}`,
  availability_zone,
});

for (const engine of ENGINES) {
  describeOn(engine, `ZunServiceRepository on ${engine}`, () => {
    let t: TestDb;
    let db: Database;

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url, { poolSize: 10 });
      await db.migrate();
    });
    after(async () => {
      await db?.close();
      await t?.drop();
    });

    void test('upsert creates a row with Zun defaults', async () => {
      const before = Date.now();
      const s = await db.services.upsert(reg('node-1', 'zun-compute', 'az1'));
      assert.equal(typeof s.id, 'number');
      assert.deepEqual(
        { ...s, id: 0, created_at: null },
        {
          id: 0,
          host: 'node-1',
          binary: 'zun-compute',
          topic: 'compute.node-1',
          disabled: false,
          disabled_reason: null,
          forced_down: false,
          report_count: 0,
          last_seen_up: null,
          availability_zone: 'az1',
          created_at: null,
          updated_at: null,
        },
      );
      assert.ok(Math.abs(s.created_at.getTime() - before) < 5000, 'created_at is now, read back in UTC');
      assert.equal(isServiceUp(s, 180), true, 'a new service is up through created_at');
    });

    void test('upsert of an existing (host, binary) keeps one row and refreshes topic and zone', async () => {
      const first = await db.services.get('node-1', 'zun-compute');
      const again = await db.services.upsert({ ...reg('node-1'), topic: 'compute.node-1.v2', availability_zone: 'az2' });
      assert.equal(again.id, first!.id);
      assert.equal(again.topic, 'compute.node-1.v2');
      assert.equal(again.availability_zone, 'az2');
      assert.ok(again.updated_at instanceof Date);
      const rows = (await db.services.list()).filter((s) => s.host === 'node-1' && s.binary === 'zun-compute');
      assert.equal(rows.length, 1);
    });

    void test('registering a row that exists stamps its heartbeat (regression: a service started again after a long stop was reported down for one more report_interval, and zun run found no valid host)', async () => {
      await db.services.heartbeat('node-1', 'zun-compute');
      const beat = (await db.services.get('node-1', 'zun-compute'))?.last_seen_up;
      assert.ok(beat instanceof Date);
      await new Promise((r) => setTimeout(r, 20));
      const again = await db.services.upsert(reg('node-1'));
      assert.ok(again.last_seen_up instanceof Date && again.last_seen_up.getTime() > beat.getTime(), `${String(again.last_seen_up)} after ${beat.toISOString()}`);
    });

    void test('the same host may run several binaries; list is ordered by id', async () => {
      await db.services.upsert(reg('node-1', 'zun-conductor'));
      await db.services.upsert(reg('node-0', 'zun-compute'));
      const list = await db.services.list();
      assert.deepEqual(
        list.map((s) => `${s.host}/${s.binary}`),
        ['node-1/zun-compute', 'node-1/zun-conductor', 'node-0/zun-compute'],
      );
      const ids = list.map((s) => s.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    });

    void test('list (decoded from a raw SELECT) gives the rows get (TypeORM) gives, field for field', async () => {
      await db.services.update('node-1', 'zun-compute', { disabled: true, disabled_reason: 'maintenance', forced_down: true });
      await db.services.heartbeat('node-1', 'zun-compute');
      for (const row of await db.services.list()) assert.deepEqual(row, await db.services.get(row.host, row.binary));
    });

    void test('concurrent registrations of one (host, binary) from two connections give one row', async () => {
      const other = await Database.open(t.url, { poolSize: 10 });
      try {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? db : other).serviceRegistry.register(reg('racer'))),
        );
        assert.equal(new Set(results.map((s) => s.id)).size, 1);
        assert.equal((await db.services.list()).filter((s) => s.host === 'racer').length, 1);
      } finally {
        await other.close();
      }
    });

    void test('heartbeat bumps report_count and last_seen_up', async () => {
      const before = await db.services.get('node-0', 'zun-compute');
      await db.serviceRegistry.heartbeat('node-0', 'zun-compute');
      const after = await db.services.get('node-0', 'zun-compute');
      assert.equal(after!.report_count, before!.report_count + 1);
      assert.ok(after!.last_seen_up instanceof Date);
      assert.ok(Math.abs(after!.last_seen_up.getTime() - Date.now()) < 5000);
      assert.equal(isServiceUp(after!, 60), true);
    });

    void test('50 parallel heartbeats are all counted', async () => {
      await db.services.upsert(reg('busy'));
      await Promise.all(Array.from({ length: 50 }, () => db.services.heartbeat('busy', 'zun-compute')));
      assert.equal((await db.services.get('busy', 'zun-compute'))!.report_count, 50);
    });

    void test('update changes only the operator fields and returns the row', async () => {
      const s = await db.services.update('node-0', 'zun-compute', { disabled: true, disabled_reason: 'maintenance' });
      assert.equal(s.disabled, true);
      assert.equal(s.disabled_reason, 'maintenance');
      assert.equal(s.forced_down, false);
      const s2 = await db.services.update('node-0', 'zun-compute', { forced_down: true });
      assert.equal(s2.disabled, true, 'untouched fields keep their value');
      assert.equal(s2.forced_down, true);
      assert.equal(isServiceUp(s2, 180), false);
      const s3 = await db.services.update('node-0', 'zun-compute', { disabled: false, disabled_reason: null });
      assert.equal(s3.disabled_reason, null);
      const same = await db.services.update('node-0', 'zun-compute', { disabled: false });
      assert.equal(same.id, s3.id, 'an update that changes nothing is not "not found"');
    });

    void test('unknown services: update, delete and heartbeat throw ZunServiceNotFound', async () => {
      await assert.rejects(db.services.update('ghost', 'zun-compute', { disabled: true }), ZunServiceNotFound);
      await assert.rejects(db.services.delete('ghost', 'zun-compute'), (e: unknown) => {
        assert.ok(e instanceof ZunServiceNotFound);
        assert.equal(e.message, 'Zun service zun-compute on host ghost could not be found.');
        assert.equal(e.status, 404);
        return true;
      });
      await assert.rejects(db.services.heartbeat('ghost', 'zun-compute'), ZunServiceNotFound);
      assert.equal(await db.services.get('ghost', 'zun-compute'), null);
    });

    void test('delete removes exactly that row', async () => {
      await db.services.delete('node-1', 'zun-conductor');
      assert.equal(await db.services.get('node-1', 'zun-conductor'), null);
      assert.ok(await db.services.get('node-1', 'zun-compute'));
      await assert.rejects(db.services.delete('node-1', 'zun-conductor'), ZunServiceNotFound);
    });

    void test('host and binary are data, not SQL', async () => {
      const host = "o'brien\"; DROP TABLE zun_service; --";
      const s = await db.services.upsert(reg(host, 'binary'));
      assert.equal(s.host, host);
      await db.services.heartbeat(host, 'binary');
      assert.equal((await db.services.get(host, 'binary'))!.report_count, 1);
    });
  });
}
