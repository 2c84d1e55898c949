import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ContainerAlreadyExists, Database, DEFAULT_QUOTA_CLASS, InvalidQuotaValue, OverQuota, type QuotaDeltas, type QuotaLimits } from '../src';
import { newContainer } from './fixtures/containers';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const DEFAULTS: QuotaLimits = { containers: 40, memory: 51200, cpu: 20, disk: 100 };
const ONE: QuotaDeltas = { containers: 1, cpu: 0, memory: 0, disk: 0 };

for (const engine of ENGINES) {
  describeOn(engine, `QuotaRepository and QuotaClassRepository on ${engine}`, () => {
    let t: TestDb;
    let db: Database;
    /** A second handle on the same database: its own connection(s), as another API worker would have. */
    let other: Database;
    const project = (): string => `p-${randomUUID().slice(0, 8)}`;

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url, { poolSize: 10 });
      await db.migrate();
      other = await Database.open(t.url, { poolSize: 10 });
    });
    after(async () => {
      await other?.close();
      await db?.close();
      await t?.drop();
    });

    void test('without rows the limits are the configured defaults', async () => {
      assert.deepEqual(await db.quotas.effectiveLimits(project(), DEFAULTS), DEFAULTS);
      assert.deepEqual(await db.quotaClasses.limits(DEFAULT_QUOTA_CLASS, DEFAULTS), DEFAULTS);
      assert.deepEqual(await db.quotaClasses.limits('gold', DEFAULTS), DEFAULTS);
    });

    void test('project override, then default class, then config; other classes are not enforced', async () => {
      const p = project();
      await db.quotaClasses.setLimits('gold', { containers: 1000 });
      assert.deepEqual(await db.quotas.effectiveLimits(p, DEFAULTS), DEFAULTS, 'a non-default class changes nothing');
      await db.quotaClasses.setLimits(DEFAULT_QUOTA_CLASS, { containers: 30, disk: -1 });
      assert.deepEqual(await db.quotas.effectiveLimits(p, DEFAULTS), { ...DEFAULTS, containers: 30, disk: -1 });
      await db.quotas.setProjectLimits(p, { containers: 7, memory: 1024 });
      assert.deepEqual(await db.quotas.effectiveLimits(p, DEFAULTS), { containers: 7, memory: 1024, cpu: 20, disk: -1 });
      assert.deepEqual(await db.quotas.effectiveLimits(project(), DEFAULTS), { ...DEFAULTS, containers: 30, disk: -1 }, 'others keep the class');
      assert.deepEqual((await db.quotaClasses.list(DEFAULT_QUOTA_CLASS)).map((r) => [r.resource, r.hard_limit]), [['containers', 30], ['disk', -1]]);
      assert.deepEqual(await db.quotaClasses.limits('gold', DEFAULTS), { ...DEFAULTS, containers: 1000 });
      // Leave the default class as the other tests expect it.
      await db.quotaClasses.setLimits(DEFAULT_QUOTA_CLASS, { containers: 40, disk: 100 });
    });

    void test('setProjectLimits updates in place (one row per resource); deleteProject removes only that project', async () => {
      const p = project();
      const q = project();
      await db.quotas.setProjectLimits(p, { containers: 5, cpu: 2 });
      await db.quotas.setProjectLimits(p, { containers: 6 });
      await db.quotas.setProjectLimits(q, { containers: 9 });
      const rows = await db.quotas.projectOverrides(p);
      assert.deepEqual(rows.map((r) => [r.project_id, r.resource, r.hard_limit]), [[p, 'containers', 6], [p, 'cpu', 2]]);
      assert.ok(rows.every((r) => r.created_at instanceof Date));
      assert.ok(rows.find((r) => r.resource === 'containers')?.updated_at instanceof Date, 'the update stamps updated_at');
      assert.equal(await db.quotas.deleteProject(p), 2);
      assert.deepEqual(await db.quotas.projectOverrides(p), []);
      assert.deepEqual(await db.quotas.effectiveLimits(p, DEFAULTS), DEFAULTS);
      assert.equal((await db.quotas.projectOverrides(q)).length, 1);
      assert.equal(await db.quotas.deleteProject(p), 0);
    });

    void test('usage counts rows of any status: count, cpu (3 decimals), memory, disk', async () => {
      const p = project();
      assert.deepEqual(await db.quotas.usage(p), { containers: 0, cpu: 0, memory: 0, disk: 0 });
      await db.containers.create(newContainer({ project_id: p, cpu: 0.1, memory: '256', disk: 2 }));
      await db.containers.create(newContainer({ project_id: p, cpu: 0.2, memory: '512', status: 'Error' }));
      await db.containers.create(newContainer({ project_id: project(), cpu: 4 }));
      assert.deepEqual(await db.quotas.usage(p), { containers: 2, cpu: 0.3, memory: 768, disk: 2 });
    });

    void test('check: reaching a limit is fine, passing it is OverQuota (sorted names), below zero is InvalidQuotaValue, -1 is unlimited', async () => {
      const p = project();
      await db.quotas.setProjectLimits(p, { containers: 1, cpu: 1, memory: 512, disk: -1 });
      await db.quotas.check(p, { containers: 1, cpu: 1, memory: 512, disk: 1_000_000 }, DEFAULTS);
      await assert.rejects(db.quotas.check(p, { containers: 2, cpu: 1.5, memory: 513, disk: 0 }, DEFAULTS), (e: unknown) => {
        assert.ok(e instanceof OverQuota);
        assert.equal(e.status, 403);
        assert.equal(e.message, "Quota exceeded for resources: ['containers', 'cpu', 'memory']");
        return true;
      });
      await assert.rejects(db.quotas.check(p, { containers: 0, cpu: -1, memory: 0, disk: 0 }, DEFAULTS), (e: unknown) => {
        assert.ok(e instanceof InvalidQuotaValue);
        assert.equal(e.status, 400);
        assert.equal(e.message, "Change would make usage less than 0 for the following resources: ['cpu']");
        return true;
      });
    });

    void test('createContainer inserts within quota and refuses, writing nothing, past it', async () => {
      const p = project();
      await db.quotas.setProjectLimits(p, { containers: 2, memory: 1000 });
      const c = await db.quotas.createContainer({ ...newContainer({ memory: '600' }), project_id: p }, { ...ONE, memory: 600 }, DEFAULTS);
      assert.ok(c.id > 0);
      assert.deepEqual(await db.containers.getByUuid({ projectId: p, allProjects: false }, c.uuid), c);
      const refused = newContainer({ memory: '600' });
      await assert.rejects(db.quotas.createContainer({ ...refused, project_id: p }, { ...ONE, memory: 600 }, DEFAULTS), /Quota exceeded for resources: \['memory'\]/);
      await assert.rejects(db.containers.getByUuid({ projectId: null, allProjects: true }, refused.uuid));
      await assert.rejects(db.quotas.createContainer({ ...newContainer({ uuid: c.uuid }), project_id: p }, ONE, DEFAULTS), ContainerAlreadyExists);
      await db.quotas.createContainer({ ...newContainer({ memory: '100' }), project_id: p }, { ...ONE, memory: 100 }, DEFAULTS);
      await assert.rejects(db.quotas.createContainer({ ...newContainer({ memory: '100' }), project_id: p }, { ...ONE, memory: 100 }, DEFAULTS), (e: unknown) => {
        assert.ok(e instanceof OverQuota);
        assert.equal(e.message, "Quota exceeded for resources: ['containers']");
        return true;
      });
      assert.deepEqual(await db.quotas.usage(p), { containers: 2, cpu: 2, memory: 700, disk: 0 });
    });

    void test('createContainer stores the build request with the row; a refused create stores none; destroy removes it with the row', async () => {
      const p = project();
      await db.quotas.setProjectLimits(p, { containers: 1 });
      const request = { context: { requestId: 'req-b' }, retry: { attempt: 1, hosts: [] } };
      const c = await db.quotas.createContainer({ ...newContainer(), project_id: p }, ONE, DEFAULTS, undefined, undefined, request);
      assert.deepEqual(await db.containers.buildRequest(c.uuid), request);
      assert.deepEqual(await db.containers.buildRequest(c.uuid.toUpperCase()), request, 'looked up like any uuid');
      const refused = newContainer();
      await assert.rejects(db.quotas.createContainer({ ...refused, project_id: p }, ONE, DEFAULTS, undefined, undefined, request), OverQuota);
      assert.equal(await db.containers.buildRequest(refused.uuid), null, 'nothing written for a refused create');
      const plain = await db.quotas.createContainer({ ...newContainer(), project_id: project() }, ONE, DEFAULTS);
      assert.equal(await db.containers.buildRequest(plain.uuid), null, 'none without a request');
      await db.containers.destroy(c.uuid);
      assert.equal(await db.containers.buildRequest(c.uuid), null, 'deleted with the container');
    });

    void test('20 racing creates over two connections with room for 5: exactly 5 land; another project is unaffected', async () => {
      const p = project();
      const q = project();
      await db.quotas.setProjectLimits(p, { containers: 5 });
      await db.quotas.setProjectLimits(q, { containers: 20 });
      const attempt = (handle: Database, projectId: string): Promise<'ok' | 'over'> =>
        handle.quotas.createContainer({ ...newContainer(), project_id: projectId }, ONE, DEFAULTS).then(
          () => 'ok' as const,
          (e: unknown) => {
            if (e instanceof OverQuota) return 'over' as const;
            throw e;
          },
        );
      const results = await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => attempt(i % 2 ? db : other, p)),
        ...Array.from({ length: 10 }, (_, i) => attempt(i % 2 ? other : db, q)),
      ]);
      const mine = results.slice(0, 20);
      assert.equal(mine.filter((r) => r === 'ok').length, 5);
      assert.equal(mine.filter((r) => r === 'over').length, 15);
      assert.deepEqual(results.slice(20), Array.from({ length: 10 }, () => 'ok'));
      assert.equal((await db.quotas.usage(p)).containers, 5);
      assert.equal((await db.quotas.usage(q)).containers, 10);
    });
  });
}
