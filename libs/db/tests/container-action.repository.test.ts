import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ContainerNotFound } from '@zun-ts/common';
import { ContainerActionNotFound, Database } from '../src';
import { newContainer } from './fixtures/containers';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const ctx = { userId: 'u1', projectId: 'p1' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const engine of ENGINES) {
  describeOn(engine, `ContainerActionRepository on ${engine}`, () => {
    let t: TestDb;
    let db: Database;
    let uuid: string;

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url, { poolSize: 10 });
      await db.migrate();
      uuid = (await db.containers.create(newContainer())).uuid;
    });
    after(async () => {
      await db?.close();
      await t?.drop();
    });

    void test('start records the action once per request, however often it is repeated', async () => {
      const a = await db.actions.start(ctx, uuid, 'create', 'req-create');
      assert.equal(a.action, 'create');
      assert.equal(a.user_id, 'u1');
      assert.equal(a.project_id, 'p1');
      assert.equal(a.finish_time, null);
      assert.equal(a.message, null);
      const again = await db.actions.start(ctx, uuid, 'create', 'req-create');
      assert.equal(again.id, a.id);
      const racing = await Promise.all(Array.from({ length: 10 }, () => db.actions.start(ctx, uuid, 'start', 'req-race')));
      assert.equal(new Set(racing.map((r) => r.id)).size, 1);
      assert.equal((await db.actions.list(uuid)).filter((r) => r.request_id === 'req-race').length, 1);
    });

    void test('start on an unknown container is ContainerNotFound', async () => {
      await assert.rejects(db.actions.start(ctx, randomUUID(), 'start', 'req-x'), ContainerNotFound);
    });

    void test('list is newest first', async () => {
      const c = (await db.containers.create(newContainer())).uuid;
      for (const [i, name] of ['create', 'start', 'stop'].entries()) {
        await db.actions.start(ctx, c, name, `req-${i}`);
        await sleep(3);
      }
      assert.deepEqual((await db.actions.list(c)).map((a) => a.action), ['stop', 'start', 'create']);
      assert.deepEqual(await db.actions.list(randomUUID()), []);
    });

    void test('events: a redelivered start adds nothing, finish records the result', async () => {
      await db.actions.start(ctx, uuid, 'start', 'req-ev');
      const e1 = await db.actions.eventStart('req-ev', uuid, 'compute__do_container_start', 'node-1');
      assert.equal(e1.event, 'compute__do_container_start');
      assert.equal(e1.finish_time, null);
      assert.equal(e1.result, null);
      assert.equal(e1.details, 'node-1');
      const e2 = await db.actions.eventStart('req-ev', uuid, 'compute__do_container_start', 'node-1');
      assert.equal(e2.id, e1.id);
      assert.deepEqual(e2, e1);
      const parallel = await Promise.all(
        Array.from({ length: 10 }, () => db.actions.eventStart('req-ev', uuid, 'compute__do_container_start')),
      );
      assert.equal(new Set(parallel.map((e) => e.id)).size, 1);

      const done = await db.actions.eventFinish('req-ev', uuid, 'compute__do_container_start', 'Success');
      assert.equal(done.id, e1.id);
      assert.equal(done.result, 'Success');
      assert.ok(done.finish_time instanceof Date);
      assert.equal(done.traceback, null);
      const redone = await db.actions.eventFinish('req-ev', uuid, 'compute__do_container_start', 'Success');
      assert.equal(redone.id, e1.id);
      const a = await db.actions.finish(uuid, 'req-ev');
      assert.ok(a.finish_time instanceof Date);
      assert.equal(a.message, null, 'a successful action has no message');
      const shown = await db.actions.get(uuid, 'req-ev');
      assert.equal(shown?.events.length, 1);
      assert.equal(shown?.events[0]?.result, 'Success');
    });

    void test('an Error event marks the action Error; a finish without a start still records the event', async () => {
      await db.actions.start(ctx, uuid, 'stop', 'req-err');
      const e = await db.actions.eventFinish('req-err', uuid, 'compute__do_container_stop', 'Error', 'Traceback: boom');
      assert.equal(e.result, 'Error');
      assert.equal(e.traceback, 'Traceback: boom');
      assert.ok(e.start_time instanceof Date);
      const a = await db.actions.get(uuid, 'req-err');
      assert.equal(a?.message, 'Error');
      assert.equal(a?.events.length, 1);
    });

    void test('finish keeps the first finish time; get lists events newest first', async () => {
      await db.actions.start(ctx, uuid, 'create', 'req-run');
      await db.actions.eventStart('req-run', uuid, 'compute__do_container_create');
      await sleep(3);
      await db.actions.eventStart('req-run', uuid, 'compute__do_container_start');
      const first = await db.actions.finish(uuid, 'req-run');
      await sleep(5);
      const second = await db.actions.finish(uuid, 'req-run', 'Error');
      assert.equal(second.finish_time?.getTime(), first.finish_time?.getTime());
      assert.equal(second.message, 'Error');
      const shown = await db.actions.get(uuid, 'req-run');
      assert.deepEqual(
        shown?.events.map((e) => e.event),
        ['compute__do_container_start', 'compute__do_container_create'],
      );
    });

    void test('unknown requests: get is null, finish and events throw ContainerActionNotFound', async () => {
      assert.equal(await db.actions.get(uuid, 'req-none'), null);
      await assert.rejects(db.actions.finish(uuid, 'req-none'), ContainerActionNotFound);
      await assert.rejects(db.actions.eventStart('req-none', uuid, 'e'), (e: unknown) => {
        assert.ok(e instanceof ContainerActionNotFound);
        assert.equal(e.status, 404);
        return true;
      });
      await assert.rejects(db.actions.eventFinish('req-none', uuid, 'e', 'Success'), ContainerActionNotFound);
    });

    void test('destroying the container removes its actions and events', async () => {
      const c = (await db.containers.create(newContainer())).uuid;
      await db.actions.start(ctx, c, 'create', 'req-gone');
      await db.actions.eventStart('req-gone', c, 'compute__do_container_create');
      await db.containers.destroy(c);
      assert.deepEqual(await db.actions.list(c), []);
      assert.equal(await db.actions.get(c, 'req-gone'), null);
    });
  });
}
