import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ContainerNotFound } from '@zun-ts/common';
import { Database } from '../src';
import { newContainer } from './fixtures/containers';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const execId = (c: string): string => c.repeat(64);

for (const engine of ENGINES) {
  describeOn(engine, `ExecInstanceRepository on ${engine}`, () => {
    let t: TestDb;
    let db: Database;

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url);
      await db.migrate();
    });
    after(async () => {
      await db?.close();
      await t?.drop();
    });

    void test('upsert records a session once; a redelivery refreshes token and url only', async () => {
      const c = await db.containers.create(newContainer());
      const first = await db.execInstances.upsert(c.uuid, { exec_id: execId('a'), token: 't1', url: 'ws://relay:1/exec/a' });
      assert.equal(first.container_id, c.id);
      assert.equal(first.token, 't1');
      const again = await db.execInstances.upsert(c.uuid, { exec_id: execId('a'), token: 't2', url: 'ws://relay:2/exec/a' });
      assert.equal(again.id, first.id);
      assert.deepEqual([again.token, again.url], ['t2', 'ws://relay:2/exec/a']);
      assert.notEqual(again.updated_at, null);
      await db.execInstances.upsert(c.uuid, { exec_id: execId('b'), token: 't3', url: null });
      assert.deepEqual((await db.execInstances.list(c.id)).map((e) => e.token), ['t2', 't3']);
      assert.equal((await db.execInstances.get(c.id, execId('b')))?.token, 't3');
      assert.equal(await db.execInstances.get(c.id, execId('c')), null);
    });

    void test('racing upserts of the same exec leave one row', async () => {
      const c = await db.containers.create(newContainer());
      await Promise.all(Array.from({ length: 8 }, (_, i) => db.execInstances.upsert(c.uuid, { exec_id: execId('d'), token: `t${i}`, url: null })));
      assert.equal((await db.execInstances.list(c.id)).length, 1);
    });

    void test('an unknown container is ContainerNotFound; sessions go with their container', async () => {
      await assert.rejects(db.execInstances.upsert(randomUUID(), { exec_id: execId('e'), token: 't', url: null }), ContainerNotFound);
      const c = await db.containers.create(newContainer());
      await db.execInstances.upsert(c.uuid, { exec_id: execId('f'), token: 't', url: null });
      await db.containers.destroy(c.uuid);
      assert.deepEqual(await db.execInstances.list(c.id), []);
    });
  });
}
