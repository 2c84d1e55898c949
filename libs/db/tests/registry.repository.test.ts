import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Conflict, InvalidValue, RegistryNotFound } from '@zun-ts/common';
import { Database, MarkerNotFound, type NewRegistry, type QuotaLimits, RegistryInUse, type RegistryScope } from '../src';
import { newContainer } from './fixtures/containers';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const ALL: RegistryScope = { projectId: null, allProjects: true };
const NO_LIMITS: QuotaLimits = { containers: -1, memory: -1, cpu: -1, disk: -1 };

function newRegistry(over: Partial<NewRegistry> = {}): NewRegistry {
  return { uuid: randomUUID(), domain: 'registry.example.com:5000', project_id: 'p1', user_id: 'u1', name: `r-${randomUUID().slice(0, 8)}`, ...over };
}

for (const engine of ENGINES) {
  describeOn(engine, `RegistryRepository on ${engine}`, () => {
    let t: TestDb;
    let db: Database;
    const project = (): string => `p-${randomUUID().slice(0, 8)}`;
    const mine = (projectId: string): RegistryScope => ({ projectId, allProjects: false });

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url);
      await db.migrate();
    });
    after(async () => {
      await db?.close();
      await t?.drop();
    });

    void test('create stores the row as given; lookups by uuid (any case) and name stay in the project', async () => {
      const p = project();
      const r = await db.registries.create(newRegistry({ project_id: p, name: 'private', username: 'alice', password: 'zun1:k:iv:tag:data' }));
      assert.ok(r.id > 0);
      assert.equal(r.domain, 'registry.example.com:5000');
      assert.equal(r.password, 'zun1:k:iv:tag:data');
      assert.equal(r.updated_at, null);
      assert.deepEqual(await db.registries.get(mine(p), r.uuid.toUpperCase()), r);
      assert.deepEqual(await db.registries.get(mine(p), 'private'), r);
      assert.deepEqual(await db.registries.get(ALL, r.uuid), r);
      assert.deepEqual(await db.registries.getById(r.id), r);
      assert.equal(await db.registries.getById(r.id + 100_000), null);
      // Another project's registry is the same 404 as an unknown one.
      await assert.rejects(db.registries.get(mine(project()), r.uuid), (e: unknown) => {
        assert.ok(e instanceof RegistryNotFound);
        assert.equal(e.status, 404);
        assert.equal(e.message, `Registry ${r.uuid} could not be found.`);
        return true;
      });
      await assert.rejects(db.registries.get(mine(project()), 'private'), RegistryNotFound);
      await assert.rejects(db.registries.create(newRegistry({ uuid: r.uuid })), Conflict);
      await assert.rejects(db.registries.create(newRegistry({ domain: '' })), InvalidValue);
    });

    void test('a name two registries of the scope share is a 409; in another project it is not seen', async () => {
      const p = project();
      const q = project();
      await db.registries.create(newRegistry({ project_id: p, name: 'twin' }));
      await db.registries.create(newRegistry({ project_id: p, name: 'twin' }));
      const other = await db.registries.create(newRegistry({ project_id: q, name: 'twin' }));
      await assert.rejects(db.registries.get(mine(p), 'twin'), (e: unknown) => {
        assert.ok(e instanceof Conflict);
        assert.equal(e.status, 409);
        assert.equal(e.message, 'Multiple registries exist with same name. Please use the registry uuid instead.');
        return true;
      });
      assert.equal((await db.registries.get(mine(q), 'twin')).uuid, other.uuid);
    });

    void test('list: scope, filters, pages by marker, sort keys; bad options are 400, an unknown marker 404', async () => {
      const p = project();
      const made = [];
      for (const u of ['carol', 'alice', 'bob']) made.push(await db.registries.create(newRegistry({ project_id: p, username: u, domain: `${u}.example.com` })));
      await db.registries.create(newRegistry({ project_id: project() }));
      assert.deepEqual((await db.registries.list(mine(p))).map((r) => r.uuid), made.map((r) => r.uuid));
      assert.deepEqual((await db.registries.list(mine(p), { username: 'bob' })).map((r) => r.uuid), [made[2]?.uuid]);
      assert.deepEqual((await db.registries.list(mine(p), { domain: 'alice.example.com', username: 'alice' })).map((r) => r.uuid), [made[1]?.uuid]);
      assert.equal((await db.registries.list(mine(p), { user_id: 'nobody' })).length, 0);
      const first = await db.registries.list(mine(p), {}, { limit: 2 });
      assert.deepEqual(first.map((r) => r.uuid), made.slice(0, 2).map((r) => r.uuid));
      const rest = await db.registries.list(mine(p), {}, { limit: 2, marker: first[1]?.uuid ?? null });
      assert.deepEqual(rest.map((r) => r.uuid), [made[2]?.uuid]);
      const byName = await db.registries.list(mine(p), {}, { sortKey: 'username', sortDir: 'desc' });
      assert.deepEqual(byName.map((r) => r.username), ['carol', 'bob', 'alice']);
      assert.ok((await db.registries.list(ALL)).length >= 4);
      await assert.rejects(db.registries.list(mine(p), {}, { sortKey: 'nope' }), InvalidValue);
      await assert.rejects(db.registries.list(mine(p), {}, { sortDir: 'up' }), InvalidValue);
      await assert.rejects(db.registries.list(mine(p), {}, { limit: 0 }), InvalidValue);
      await assert.rejects(db.registries.list(mine(p), {}, { marker: randomUUID() }), MarkerNotFound);
      await assert.rejects(db.registries.list(mine(p), { ['password' as 'name']: 'x' }), InvalidValue);
    });

    void test('update changes the given fields and stamps updated_at; unknown rows are 404', async () => {
      const r = await db.registries.create(newRegistry({ username: 'old', password: 'zun1:a:b:c:d' }));
      const u = await db.registries.update(r.uuid, { username: 'new', password: 'zun1:e:f:g:h', name: 'renamed' });
      assert.equal(u.username, 'new');
      assert.equal(u.password, 'zun1:e:f:g:h');
      assert.equal(u.name, 'renamed');
      assert.equal(u.domain, r.domain);
      assert.ok(u.updated_at instanceof Date);
      await assert.rejects(db.registries.update(randomUUID(), { name: 'x' }), RegistryNotFound);
      // A guarded write (key rotation) only while the stored password is the one read.
      await assert.rejects(db.registries.update(r.uuid, { password: 'zun1:x:x:x:x' }, { password: 'zun1:a:b:c:d' }), Conflict);
      assert.equal((await db.registries.getById(r.id))?.password, 'zun1:e:f:g:h');
      assert.equal((await db.registries.update(r.uuid, { password: 'zun1:i:j:k:l' }, { password: 'zun1:e:f:g:h' })).password, 'zun1:i:j:k:l');
      await assert.rejects(db.registries.update(r.uuid, { domain: '' }), InvalidValue);
      await assert.rejects(db.registries.update(r.uuid, { ['uuid' as 'name']: 'x' }), InvalidValue);
    });

    void test('destroy removes the row; a registry a container names is a 409 and stays; all() sees every project', async () => {
      const p = project();
      const free = await db.registries.create(newRegistry({ project_id: p }));
      const used = await db.registries.create(newRegistry({ project_id: p }));
      const c = await db.quotas.createContainer({ ...newContainer(), project_id: p, registry_id: used.id }, { containers: 1, cpu: 0, memory: 0, disk: 0 }, NO_LIMITS);
      await db.registries.destroy(free.uuid);
      await assert.rejects(db.registries.get(ALL, free.uuid), RegistryNotFound);
      await assert.rejects(db.registries.destroy(free.uuid), RegistryNotFound);
      await assert.rejects(db.registries.destroy(used.uuid), (e: unknown) => {
        assert.ok(e instanceof RegistryInUse);
        assert.equal(e.status, 409);
        assert.equal(e.message, `Registry ${used.uuid} is in use by container ${c.uuid}.`);
        return true;
      });
      assert.equal((await db.registries.get(ALL, used.uuid)).id, used.id);
      await db.containers.destroy(c.uuid);
      await db.registries.destroy(used.uuid);
      const everyone = await db.registries.all();
      assert.ok(everyone.every((r) => r.uuid !== used.uuid));
      assert.ok(everyone.some((r) => r.project_id !== p));
    });
  });
}
