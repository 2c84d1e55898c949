// ContainerRepository.listShared (ADR 0024): the page list() gives, read as (id, revision) first and whole rows
// only for what this process has not decoded at that revision; the rows are frozen and shared.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DataSource } from 'typeorm';
import { InvalidValue } from '@zun-ts/common';
import { type Container } from '@zun-ts/objects';
import { type ContainerListOptions, type ContainerScope, Database, MarkerNotFound } from '../src';
import { SqlContainerRepository } from '../src/container.repository';
import { openDataSource } from '../src/database';
import { SqlEngine, type SqlValue } from '../src/sql-engine';
import { newContainer } from './fixtures/containers';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const p1: ContainerScope = { projectId: 'p1', allProjects: false };
const p2: ContainerScope = { projectId: 'p2', allProjects: false };
const admin: ContainerScope = { projectId: 'admin', allProjects: true };

const SORT_KEYS = ['id', 'uuid', 'name', 'host', 'cpu', 'memory', 'status', 'created_at', 'updated_at', 'task_state'];

for (const engine of ENGINES) {
  describeOn(engine, `ContainerRepository.listShared on ${engine}`, () => {
    let t: TestDb;
    let db: Database;
    /** A second connection (another process, as far as the first one's memo knows). */
    let other: Database;

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url);
      await db.migrate();
      other = await Database.open(t.url);
      const hosts = ['h2', null, 'h1', 'h2', null, 'h3', 'h1', 'h2', null, 'h1', 'h3', 'h2'];
      for (const [i, host] of hosts.entries()) {
        await db.containers.create(
          newContainer({
            name: `n${String(i % 7).padStart(2, '0')}`,
            host,
            cpu: i % 3,
            memory: i % 5 === 0 ? null : String(100 * (i % 4)),
            status: i % 2 ? 'Running' : 'Stopped',
            labels: { i: String(i) },
            command: ['sleep', String(i)],
            auto_remove: i % 4 === 0,
            project_id: i % 6 === 5 ? 'p2' : 'p1',
          }),
        );
      }
      // some rows written since they were made (revision > 0, updated_at set; task_state not all NULL)
      for (const c of (await db.containers.list(admin)).filter((_c, i) => i % 3 === 0)) {
        await db.containers.update(c.uuid, { task_state: 'container_stopping' });
      }
    });
    after(async () => {
      await other?.close();
      await db?.close();
      await t?.drop();
    });

    void test('listShared returns the rows list() returns, for every sort key, direction, filter, limit and marker', async () => {
      const same = async (scope: ContainerScope, opts: ContainerListOptions, what: string): Promise<Container[]> => {
        const want = await db.containers.list(scope, opts);
        const got = await db.containers.listShared(scope, opts);
        assert.deepEqual(got, want, what);
        return want;
      };
      for (const sortKey of SORT_KEYS) {
        for (const sortDir of ['asc', 'desc']) {
          const all = await same(p1, { sortKey, sortDir }, `${sortKey} ${sortDir}`);
          assert.equal(all.length, 10);
          for (const limit of [1, 3, 4]) {
            let marker: string | undefined;
            let seen = 0;
            for (let guard = 0; guard < 20; guard++) {
              const page = await same(p1, { sortKey, sortDir, limit, marker }, `${sortKey} ${sortDir} limit ${limit} marker ${marker}`);
              seen += page.length;
              if (page.length < limit) break;
              marker = page.at(-1)!.uuid;
            }
            assert.equal(seen, all.length);
          }
        }
      }
      const filters: ContainerListOptions['filters'][] = [
        { status: 'Running' },
        { host: null },
        { host: ['h1', null] },
        { auto_remove: true },
        { memory: '200' },
        { task_state: 'container_stopping' },
        { status: ['Stopped', 'Running'], name: 'n01' },
        { status: [] },
        { project_id: 'p2' },
      ];
      for (const f of filters) {
        for (const scope of [p1, p2, admin]) await same(scope, { filters: f, sortKey: 'name', limit: 5 }, JSON.stringify({ f, scope }));
      }
      await same(admin, {}, 'every project');
      for (const c of await db.containers.listShared(admin)) assert.ok(!('revision' in c), 'rows are the Container objects, without the revision');
    });

    void test('listShared rejects what list() rejects; revision is no sort key or filter', async () => {
      const ghost = '00000000-0000-4000-8000-000000000000';
      await assert.rejects(db.containers.listShared(p1, { marker: ghost }), MarkerNotFound);
      await assert.rejects(db.containers.listShared(p1, { sortKey: 'bogus' }), InvalidValue);
      await assert.rejects(db.containers.listShared(p1, { sortKey: 'revision' }), /The sort_key value "revision" is an invalid field for sorting/);
      await assert.rejects(db.containers.listShared(p1, { filters: { revision: 1 } as never }), /Invalid filter: revision/);
      await assert.rejects(db.containers.listShared(p1, { sortDir: 'up' }), InvalidValue);
      await assert.rejects(db.containers.listShared(p1, { limit: 0 }), InvalidValue);
      const [c] = await db.containers.list(p1, { limit: 1 });
      await assert.rejects(db.containers.update(c!.uuid, { revision: 7 } as never), /Cannot update container field: revision/);
    });

    void test('an unchanged row is the same frozen object across calls; a written one is a new object', async () => {
      const first = await db.containers.listShared(p1);
      const second = await db.containers.listShared(p1);
      assert.equal(second.length, first.length);
      for (const [i, c] of second.entries()) {
        assert.equal(c, first[i], `row ${i} is the same object`);
        assert.ok(Object.isFrozen(c) && Object.isFrozen(c.labels) && Object.isFrozen(c.command), 'frozen, with its JSON documents');
      }
      assert.throws(() => {
        (first[0] as { name: string | null }).name = 'changed';
      }, TypeError);
      // another scope or page of the same rows shares the objects too
      const page = await db.containers.listShared(p1, { limit: 2, sortKey: 'id' });
      assert.equal(page[1], first.find((c) => c.uuid === page[1]!.uuid));
      const target = first[3]!;
      await db.containers.update(target.uuid, { status_detail: 'written' });
      const third = await db.containers.listShared(p1);
      for (const [i, c] of third.entries()) {
        if (c.uuid === target.uuid) {
          assert.notEqual(c, target);
          assert.equal(c.status_detail, 'written');
          assert.ok(Object.isFrozen(c));
        } else assert.equal(c, first[i], `row ${i} untouched`);
      }
    });

    void test("another connection's update and delete are seen", async () => {
      const made = await other.containers.create(newContainer({ name: 'from-other' }));
      const before = await db.containers.listShared(p1, { filters: { name: 'from-other' } });
      assert.deepEqual(before.map((c) => c.uuid), [made.uuid]);
      await other.containers.update(made.uuid, { status: 'Running', labels: { seen: 'yes' } });
      const [updated] = await db.containers.listShared(p1, { filters: { name: 'from-other' } });
      assert.equal(updated?.status, 'Running');
      assert.deepEqual(updated?.labels, { seen: 'yes' });
      await other.containers.destroy(made.uuid);
      assert.deepEqual(await db.containers.listShared(p1, { filters: { name: 'from-other' } }), []);
      assert.ok(!(await db.containers.listShared(p1)).some((c) => c.uuid === made.uuid));
    });

    void test('a row updated twice within one millisecond is listed with its second update', async () => {
      const c = await db.containers.create(newContainer({ name: 'twice' }));
      const at = new Date('2026-12-04T10:00:00.123Z');
      // both writes stamp the same updated_at, as two writes within one millisecond do: only the revision tells them apart
      await other.containers.update(c.uuid, { status: 'Running', updated_at: at });
      const [afterFirst] = await db.containers.listShared(p1, { filters: { name: 'twice' } });
      assert.equal(afterFirst?.status, 'Running');
      await other.containers.update(c.uuid, { status: 'Stopped', status_detail: 'second', updated_at: at });
      const [afterSecond] = await db.containers.listShared(p1, { filters: { name: 'twice' } });
      assert.equal(afterSecond?.updated_at?.getTime(), at.getTime());
      assert.equal(afterSecond?.status, 'Stopped');
      assert.equal(afterSecond?.status_detail, 'second');
    });

    void test('a row deleted or written between the two reads: the page is read again whole', async () => {
      const { ds, kind } = await openDataSource(t.url);
      try {
        const real = SqlEngine.for(ds, kind);
        let between: (() => Promise<void>) | null = null;
        // the real engine, with a write slipped in right after the read of (id, revision)
        const racing = Object.create(real) as SqlEngine;
        racing.select = async <T extends Record<string, unknown>>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> => {
          const rows = await real.select<T>(sql, params);
          if (between && sql.startsWith('SELECT `id`, `revision` FROM')) {
            const run = between;
            between = null;
            await run();
          }
          return rows;
        };
        const repo = new SqlContainerRepository(ds as DataSource, racing);
        const gone = await db.containers.create(newContainer({ name: 'race-gone', project_id: 'p-race' }));
        const kept = await db.containers.create(newContainer({ name: 'race-kept', project_id: 'p-race' }));
        const scope: ContainerScope = { projectId: 'p-race', allProjects: false };
        between = () => other.containers.destroy(gone.uuid);
        assert.deepEqual((await repo.listShared(scope)).map((c) => c.name), ['race-kept']);
        await repo.listShared(scope); // race-kept is now decoded at its revision
        between = async () => {
          await other.containers.update(kept.uuid, { status_detail: 'raced' });
        };
        const raced = await repo.listShared(scope, { filters: { name: 'race-kept' } });
        // the memo held the row at the revision the page saw, so the page needed no second read: as of the first read
        assert.equal(raced[0]?.status_detail, kept.status_detail);
        const fresh = await db.containers.create(newContainer({ name: 'race-new', project_id: 'p-race' }));
        between = async () => {
          await other.containers.update(fresh.uuid, { status_detail: 'raced' });
        };
        const page = await repo.listShared(scope);
        assert.deepEqual(page.map((c) => [c.name, c.status_detail]), [['race-kept', 'raced'], ['race-new', 'raced']]);
        assert.deepEqual(page, await repo.list(scope));
      } finally {
        await ds.destroy();
      }
    });
  });
}
