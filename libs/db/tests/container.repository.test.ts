import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Conflict, ContainerNotFound, InvalidValue, isUuidLike } from '@zun-ts/common';
import { type Container } from '@zun-ts/objects';
import { ContainerAlreadyExists, ContainerStateConflict, Database, type ContainerScope, MarkerNotFound } from '../src';
import { newContainer } from './fixtures/containers';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const p1: ContainerScope = { projectId: 'p1', allProjects: false };
const p2: ContainerScope = { projectId: 'p2', allProjects: false };
const admin: ContainerScope = { projectId: 'admin', allProjects: true };

for (const engine of ENGINES) {
  describeOn(engine, `ContainerRepository on ${engine}`, () => {
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

    void test('create fills the column defaults and reads back identical', async () => {
      const c = await db.containers.create({ uuid: randomUUID(), status: 'Creating', project_id: 'p0', name: 'bare' });
      assert.equal(typeof c.id, 'number');
      assert.equal(c.container_type, 0);
      assert.equal(c.cpu_policy, 'shared');
      assert.equal(c.disk, 0);
      assert.equal(c.interactive, false);
      assert.equal(c.command, null);
      assert.equal(c.updated_at, null);
      assert.deepEqual(await db.containers.getByUuid({ projectId: 'p0', allProjects: false }, c.uuid), c);

      const full = await db.containers.create(
        newContainer({
          project_id: 'p0',
          command: ['sh', '-c', 'echo "héllo"'],
          environment: { A: 'b' },
          labels: {},
          ports: [80],
          restart_policy: { Name: 'on-failure', MaximumRetryCount: '3' },
          interactive: true,
          cpu: 0.5,
        }),
      );
      const back = await db.containers.getByUuid({ projectId: 'p0', allProjects: false }, full.uuid);
      assert.deepEqual(back, full);
      assert.deepEqual(back.labels, {});
      assert.equal(back.interactive, true);
    });

    void test('a duplicate uuid is a 409 ContainerAlreadyExists', async () => {
      const c = await db.containers.create(newContainer());
      await assert.rejects(db.containers.create(newContainer({ uuid: c.uuid })), (e: unknown) => {
        assert.ok(e instanceof ContainerAlreadyExists);
        assert.equal(e.status, 409);
        return true;
      });
    });

    void test('lookup: a UUID-looking ident goes by uuid, anything else by name', async () => {
      const c = await db.containers.create(newContainer({ name: 'web' }));
      assert.equal((await db.containers.getByIdent(p1, c.uuid)).id, c.id);
      assert.equal((await db.containers.getByIdent(p1, c.uuid.toUpperCase())).id, c.id, 'uuid case does not matter');
      assert.equal((await db.containers.getByIdent(p1, 'web')).id, c.id);
      assert.equal(isUuidLike(c.uuid), true);
      assert.equal(isUuidLike(c.uuid.replace(/-/g, '')), true);
      assert.equal(isUuidLike('web'), false);
      // A container named like a UUID cannot be found by that name: the ident is taken as a uuid.
      const odd = randomUUID();
      await db.containers.create(newContainer({ name: odd }));
      await assert.rejects(db.containers.getByIdent(p1, odd), (e: unknown) => {
        assert.ok(e instanceof ContainerNotFound);
        assert.equal(e.message, `Container ${odd} could not be found.`);
        assert.equal(e.status, 404);
        return true;
      });
    });

    void test('lookup: several containers with one name is a 409, unknown is a 404', async () => {
      await db.containers.create(newContainer({ name: 'twin' }));
      await db.containers.create(newContainer({ name: 'twin' }));
      await assert.rejects(db.containers.getByName(p1, 'twin'), (e: unknown) => {
        assert.ok(e instanceof Conflict);
        assert.equal(e.status, 409);
        assert.equal(e.message, 'Multiple containers exist with same name. Please use the container uuid instead.');
        return true;
      });
      await assert.rejects(db.containers.getByIdent(p1, 'nobody'), /^ContainerNotFound: Container nobody could not be found\.$/);
    });

    void test('lookup: other projects are invisible unless allProjects', async () => {
      const c = await db.containers.create(newContainer({ project_id: 'p2', name: 'theirs' }));
      await assert.rejects(db.containers.getByIdent(p1, c.uuid), ContainerNotFound);
      await assert.rejects(db.containers.getByIdent(p1, 'theirs'), ContainerNotFound);
      assert.equal((await db.containers.getByIdent(p2, 'theirs')).uuid, c.uuid);
      assert.equal((await db.containers.getByIdent(admin, c.uuid)).uuid, c.uuid);
      assert.equal((await db.containers.getByIdent(admin, 'theirs')).uuid, c.uuid);
      // The same name in two projects is a conflict only for someone who sees both.
      await db.containers.create(newContainer({ project_id: 'p1', name: 'theirs' }));
      assert.equal((await db.containers.getByIdent(p2, 'theirs')).uuid, c.uuid);
      await assert.rejects(db.containers.getByIdent(admin, 'theirs'), Conflict);
    });

    void test('lookup and list see plain containers only unless asked for another type', async () => {
      const capsule = await db.containers.create(newContainer({ container_type: 1, name: 'capsule-x' }));
      await assert.rejects(db.containers.getByUuid(p1, capsule.uuid), ContainerNotFound);
      assert.equal((await db.containers.getByUuid({ ...p1, containerType: 1 }, capsule.uuid)).id, capsule.id);
      assert.equal((await db.containers.getByUuid({ ...p1, containerType: null }, capsule.uuid)).id, capsule.id);
      assert.ok(!(await db.containers.list(p1)).some((c) => c.uuid === capsule.uuid));
    });

    void test('list filters by exact match, scoped to the project', async () => {
      const d = await createTestDb(engine);
      const own = await Database.open(d.url);
      try {
        await own.migrate();
        const a = await own.containers.create(newContainer({ name: 'a', status: 'Running', host: 'h1', auto_remove: true }));
        const b = await own.containers.create(newContainer({ name: 'b', status: 'Stopped', host: 'h2', memory: '256' }));
        const c = await own.containers.create(newContainer({ name: 'c', status: 'Running', host: null, task_state: 'container_stopping' }));
        const x = await own.containers.create(newContainer({ name: 'x', status: 'Running', project_id: 'p2', host: 'h1' }));
        const names = (cs: Container[]): string[] => cs.map((k) => k.name ?? '');
        assert.deepEqual(names(await own.containers.list(p1)), ['a', 'b', 'c']);
        assert.deepEqual(names(await own.containers.list(admin)), ['a', 'b', 'c', 'x']);
        assert.deepEqual(names(await own.containers.list(p1, { filters: { status: 'Running' } })), ['a', 'c']);
        assert.deepEqual(names(await own.containers.list(admin, { filters: { host: 'h1' } })), ['a', 'x']);
        assert.deepEqual(names(await own.containers.list(p1, { filters: { host: null } })), ['c']);
        assert.deepEqual(names(await own.containers.list(p1, { filters: { auto_remove: true } })), ['a']);
        assert.deepEqual(names(await own.containers.list(p1, { filters: { auto_remove: false } })), ['b', 'c']);
        assert.deepEqual(names(await own.containers.list(p1, { filters: { memory: '256' } })), ['b']);
        assert.deepEqual(names(await own.containers.list(p1, { filters: { task_state: 'container_stopping' } })), ['c']);
        assert.deepEqual(names(await own.containers.list(p1, { filters: { status: ['Stopped', 'Running'], name: 'b' } })), ['b']);
        assert.deepEqual(names(await own.containers.list(p1, { filters: { status: [] } })), []);
        assert.deepEqual(names(await own.containers.list(admin, { filters: { project_id: 'p2' } })), ['x']);
        assert.deepEqual(names(await own.containers.list(p2, { filters: { project_id: 'p1' } })), [], 'a filter cannot widen the scope');
        assert.deepEqual(names(await own.containers.list(p1, { filters: { name: "a' OR '1'='1" } })), []);
        await assert.rejects(own.containers.list(p1, { filters: { command: 'x' } as never }), InvalidValue);
        assert.ok(a.id < b.id && b.id < c.id && c.id < x.id);
      } finally {
        await own.close();
        await d.drop();
      }
    });

    void test('list pages through every row once, for any sort key and direction, NULLs included', async () => {
      const d = await createTestDb(engine);
      const own = await Database.open(d.url);
      try {
        await own.migrate();
        const hosts = ['h2', null, 'h1', 'h2', null, 'h3', 'h1', 'h2', null, 'h1', 'h3'];
        for (const [i, host] of hosts.entries()) {
          await own.containers.create(newContainer({ name: `n${String(i).padStart(2, '0')}`, host, cpu: i % 3, memory: String(100 * (i % 4)) }));
        }
        for (const sortKey of ['id', 'host', 'name', 'cpu', 'created_at', 'memory']) {
          for (const sortDir of ['asc', 'desc']) {
            const all = await own.containers.list(p1, { sortKey, sortDir });
            assert.equal(all.length, hosts.length);
            for (const limit of [1, 3, 4]) {
              const seen: string[] = [];
              let marker: string | undefined;
              for (let guard = 0; guard < 20; guard++) {
                const page = await own.containers.list(p1, { sortKey, sortDir, limit, marker });
                assert.ok(page.length <= limit);
                seen.push(...page.map((c) => c.uuid));
                if (page.length < limit) break;
                marker = page.at(-1)!.uuid;
              }
              assert.deepEqual(seen, all.map((c) => c.uuid), `${sortKey} ${sortDir} limit ${limit}`);
            }
          }
        }
        // Ties break on id in the same direction.
        const byHost = await own.containers.list(p1, { sortKey: 'host' });
        assert.deepEqual(
          byHost.map((c) => c.host),
          [null, null, null, 'h1', 'h1', 'h1', 'h2', 'h2', 'h2', 'h3', 'h3'],
        );
        const h2 = byHost.filter((c) => c.host === 'h2').map((c) => c.id);
        assert.deepEqual(h2, [...h2].sort((x, y) => x - y));
        const desc = await own.containers.list(p1, { sortKey: 'host', sortDir: 'desc' });
        assert.deepEqual(desc.map((c) => c.uuid), [...byHost].reverse().map((c) => c.uuid));
      } finally {
        await own.close();
        await d.drop();
      }
    });

    void test('list rejects bad paging: unknown marker 404, bad sort key / direction / limit 400', async () => {
      const m = randomUUID();
      await assert.rejects(db.containers.list(p1, { marker: m }), (e: unknown) => {
        assert.ok(e instanceof MarkerNotFound);
        assert.equal(e.status, 404);
        assert.equal(e.message, `Marker ${m} could not be found.`);
        return true;
      });
      await assert.rejects(db.containers.list(p1, { sortKey: 'bogus' }), (e: unknown) => {
        assert.ok(e instanceof InvalidValue);
        assert.equal(e.status, 400);
        assert.equal(e.message, 'The sort_key value "bogus" is an invalid field for sorting');
        return true;
      });
      await assert.rejects(db.containers.list(p1, { sortKey: 'id; DROP TABLE container' }), InvalidValue);
      await assert.rejects(db.containers.list(p1, { sortDir: 'up' }), /Invalid sort direction: up/);
      await assert.rejects(db.containers.list(p1, { limit: 0 }), /Limit must be positive integer/);
      await assert.rejects(db.containers.list(p1, { limit: 1.5 }), InvalidValue);
    });

    void test('update sets fields and updated_at and returns the row', async () => {
      const c = await db.containers.create(newContainer());
      const u = await db.containers.update(c.uuid, { status: 'Running', host: 'h1', labels: { k: 'v' }, started_at: new Date('2024-01-02T03:04:05.678Z') });
      assert.equal(u.status, 'Running');
      assert.equal(u.host, 'h1');
      assert.deepEqual(u.labels, { k: 'v' });
      assert.equal(u.started_at?.toISOString(), '2024-01-02T03:04:05.678Z');
      assert.ok(u.updated_at instanceof Date);
      assert.equal(u.name, c.name, 'untouched fields keep their value');
      const same = await db.containers.update(c.uuid, { status: 'Running' }, { status: ['Running'] });
      assert.equal(same.status, 'Running', 'an update that changes nothing still matches');
      await assert.rejects(db.containers.update(c.uuid, { id: 5 } as never), InvalidValue);
      await assert.rejects(db.containers.update(randomUUID(), { status: 'Error' }), ContainerNotFound);
    });

    void test('a conditional update applies only in the expected state, else a typed 409', async () => {
      const c = await db.containers.create(newContainer({ status: 'Running' }));
      const stopped = await db.containers.update(c.uuid, { status: 'Stopped', task_state: null }, { status: ['Running'] });
      assert.equal(stopped.status, 'Stopped');
      await assert.rejects(db.containers.update(c.uuid, { status: 'Paused' }, { status: ['Running'] }), (e: unknown) => {
        assert.ok(e instanceof ContainerStateConflict);
        assert.equal(e.status, 409);
        assert.deepEqual(e.current, { status: 'Stopped', task_state: null });
        return true;
      });
      assert.equal((await db.containers.getByUuid(p1, c.uuid)).status, 'Stopped', 'the failed update wrote nothing');
      // task_state conditions, null meaning idle
      await db.containers.update(c.uuid, { task_state: 'container_starting' }, { task_state: [null] });
      await assert.rejects(db.containers.update(c.uuid, { task_state: 'container_stopping' }, { task_state: [null] }), ContainerStateConflict);
      const done = await db.containers.update(
        c.uuid,
        { status: 'Running', task_state: null },
        { status: ['Stopped', 'Created'], task_state: ['container_starting'] },
      );
      assert.equal(done.status, 'Running');
      assert.equal(done.task_state, null);
    });

    void test('of 20 racing conditional updates exactly one wins', async () => {
      const c = await db.containers.create(newContainer({ status: 'Running' }));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          db.containers.update(c.uuid, { status: 'Stopped', status_reason: `winner ${i}` }, { status: ['Running'] }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 19);
      for (const r of lost) assert.ok(r.reason instanceof ContainerStateConflict);
      const final = await db.containers.getByUuid(p1, c.uuid);
      assert.equal(final.status_reason, won[0]!.value.status_reason);
    });

    void test('destroy deletes the row, a second destroy is a 404', async () => {
      const c = await db.containers.create(newContainer());
      await db.containers.destroy(c.uuid);
      await assert.rejects(db.containers.getByUuid(admin, c.uuid), ContainerNotFound);
      await assert.rejects(db.containers.destroy(c.uuid), ContainerNotFound);
    });

    void test('countUsage sums every row of the project, any status, plain containers only', async () => {
      const zero = await db.containers.countUsage('empty-project');
      assert.deepEqual(zero, { containers: 0, cpu: 0, memory: 0, disk: 0 });
      await db.containers.create(newContainer({ project_id: 'q', cpu: 0.1, memory: '512', disk: 10 }));
      await db.containers.create(newContainer({ project_id: 'q', cpu: 0.2, memory: '256', disk: 0, status: 'Error' }));
      await db.containers.create(newContainer({ project_id: 'q', cpu: null, memory: null, status: 'Creating' }));
      await db.containers.create(newContainer({ project_id: 'q', cpu: 4, memory: '4096', container_type: 1 }));
      await db.containers.create(newContainer({ project_id: 'other', cpu: 8, memory: '8192' }));
      assert.deepEqual(await db.containers.countUsage('q'), { containers: 3, cpu: 0.3, memory: 768, disk: 10 });
      assert.deepEqual(await db.containers.countUsage('q', 1), { containers: 1, cpu: 4, memory: 4096, disk: 0 });
    });
  });
}
