import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Conflict, InvalidValue, VolumeInUse, VolumeNotFound } from '@zun-ts/common';
import { Database, MarkerNotFound, type MountPlan, type QuotaLimits, type VolumeScope } from '../src';
import { openDataSource } from '../src/database';
import { newContainer } from './fixtures/containers';
import { existingMount, fileMount, newMount, newVolume } from './fixtures/volumes';
import { createTestDb, describeOn, ENGINES, type TestDb, undoMigrationsThrough } from './test-databases';

const DEFAULTS: QuotaLimits = { containers: -1, memory: -1, cpu: -1, disk: -1 };
const ALL: VolumeScope = { projectId: null, allProjects: true };

for (const engine of ENGINES) {
  describeOn(engine, `VolumeRepository on ${engine}`, () => {
    let t: TestDb;
    let db: Database;
    const project = (): string => `p-${randomUUID().slice(0, 8)}`;
    const mine = (projectId: string): VolumeScope => ({ projectId, allProjects: false });
    /** A container of `projectId` created with `mounts` the way the API does it. */
    const createWith = (projectId: string, mounts: MountPlan['mounts']) =>
      db.quotas.createContainer({ ...newContainer(), project_id: projectId }, { containers: 1, cpu: 1, memory: 512, disk: 0 }, DEFAULTS, { mounts });

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url);
      await db.migrate();
    });
    after(async () => {
      await db?.close();
      await t?.drop();
    });

    void test('create fills the defaults; lookups by uuid (any case), name and ident stay in scope', async () => {
      const p = project();
      const v = await db.volumes.create(newVolume({ project_id: p, name: 'data', size: 2 }));
      assert.ok(v.id > 0);
      assert.equal(v.status, 'available');
      assert.equal(v.volume_provider, 'local');
      assert.equal(v.host, null);
      assert.equal(v.shareable, false);
      assert.equal(v.auto_remove, false);
      assert.deepEqual(await db.volumes.getByUuid(mine(p), v.uuid.toUpperCase()), v);
      assert.deepEqual(await db.volumes.getByName(mine(p), 'data'), v);
      assert.deepEqual(await db.volumes.getByIdent(mine(p), v.uuid), v);
      assert.deepEqual(await db.volumes.getByIdent(mine(p), 'data'), v);
      assert.deepEqual(await db.volumes.getByIdent(ALL, v.uuid), v);
      await assert.rejects(db.volumes.getByUuid(mine(project()), v.uuid), (e: unknown) => {
        assert.ok(e instanceof VolumeNotFound);
        assert.equal(e.message, `Volume ${v.uuid} could not be found.`);
        return true;
      });
      await assert.rejects(db.volumes.getByIdent(mine(p), 'nope'), (e: unknown) => e instanceof VolumeNotFound && e.message === 'Volume nope could not be found.');
      await assert.rejects(db.volumes.create(newVolume({ uuid: v.uuid })), Conflict);
      await assert.rejects(db.volumes.create(newVolume({ size: 0 })), InvalidValue);
    });

    void test('two volumes of one name in scope are a Conflict; another project of the same name is not seen', async () => {
      const p = project();
      const q = project();
      await db.volumes.create(newVolume({ project_id: p, name: 'twin' }));
      const other = await db.volumes.create(newVolume({ project_id: q, name: 'twin' }));
      assert.equal((await db.volumes.getByName(mine(p), 'twin')).project_id, p);
      await assert.rejects(db.volumes.getByName(ALL, 'twin'), (e: unknown) => {
        assert.ok(e instanceof Conflict);
        assert.equal(e.status, 409);
        assert.equal(e.message, 'Multiple volumes exist with same name. Please use the volume uuid instead.');
        return true;
      });
      assert.equal((await db.volumes.getByName(mine(q), 'twin')).uuid, other.uuid);
    });

    void test('list: the scope, pages by marker, sort keys; bad options are 400, an unknown marker 404', async () => {
      const p = project();
      const made = [];
      for (const size of [3, 1, 2]) made.push(await db.volumes.create(newVolume({ project_id: p, size })));
      await db.volumes.create(newVolume({ project_id: project() }));
      assert.deepEqual((await db.volumes.list(mine(p))).map((v) => v.uuid), made.map((v) => v.uuid));
      const first = await db.volumes.list(mine(p), { limit: 2 });
      assert.deepEqual(first.map((v) => v.uuid), made.slice(0, 2).map((v) => v.uuid));
      const rest = await db.volumes.list(mine(p), { limit: 2, marker: first[1]!.uuid });
      assert.deepEqual(rest.map((v) => v.uuid), [made[2]!.uuid]);
      assert.deepEqual((await db.volumes.list(mine(p), { sortKey: 'size', sortDir: 'desc' })).map((v) => v.size), [3, 2, 1]);
      assert.ok((await db.volumes.list(ALL)).length >= 4);
      await assert.rejects(db.volumes.list(mine(p), { sortKey: 'nope' }), InvalidValue);
      await assert.rejects(db.volumes.list(mine(p), { sortDir: 'up' }), InvalidValue);
      await assert.rejects(db.volumes.list(mine(p), { limit: 0 }), InvalidValue);
      await assert.rejects(db.volumes.list(mine(p), { marker: randomUUID() }), MarkerNotFound);
    });

    void test('update applies a patch under its expectation; a failed one is 409, a missing row 404', async () => {
      const v = await db.volumes.create(newVolume());
      const u = await db.volumes.update(v.uuid, { status: 'error', status_reason: 'mkfs failed' }, { status: ['available'], host: [null] });
      assert.equal(u.status, 'error');
      assert.equal(u.status_reason, 'mkfs failed');
      assert.ok(u.updated_at instanceof Date);
      await assert.rejects(db.volumes.update(v.uuid, { status: 'deleting' }, { status: ['available', 'in-use'] }), (e: unknown) => {
        assert.ok(e instanceof Conflict);
        assert.match(e.message, new RegExp(`^Volume ${v.uuid} is error`));
        return true;
      });
      assert.equal((await db.volumes.getByUuid(ALL, v.uuid)).status, 'error', 'a failed update changes nothing');
      await assert.rejects(db.volumes.update(randomUUID(), { status: 'error' }), VolumeNotFound);
      await assert.rejects(db.volumes.update(v.uuid, { size: 9 } as never), InvalidValue);
      await assert.rejects(db.volumes.update(v.uuid, { status: 'broken' } as never), InvalidValue);
    });

    void test('destroy: only under its expectation, twice is fine, and it takes the mappings with it', async () => {
      const v = await db.volumes.create(newVolume());
      await assert.rejects(db.volumes.destroy(v.uuid, { status: ['deleting'] }), Conflict);
      await db.volumes.destroy(v.uuid, { status: ['available'] });
      await db.volumes.destroy(v.uuid, { status: ['available'] });
      await assert.rejects(db.volumes.getByUuid(ALL, v.uuid), VolumeNotFound);
      const w = await db.volumes.create(newVolume());
      const c = await createWith('p1', [existingMount(w.uuid)]);
      await db.volumes.destroy(w.uuid);
      assert.deepEqual(await db.volumes.mountsOf(c.uuid), []);
    });

    void test('bindHost: null → host; the same host again is a no-op; another host is VolumeInUse naming it', async () => {
      const v = await db.volumes.create(newVolume());
      const bound = await db.volumes.bindHost(v.uuid, 'node-a');
      assert.equal(bound.host, 'node-a');
      assert.deepEqual(await db.volumes.bindHost(v.uuid, 'node-a'), bound);
      await assert.rejects(db.volumes.bindHost(v.uuid, 'node-b'), (e: unknown) => {
        assert.ok(e instanceof VolumeInUse);
        assert.equal(e.status, 409);
        assert.equal(e.message, `Volume ${v.uuid} is on host node-a.`);
        return true;
      });
      assert.equal((await db.volumes.getByUuid(ALL, v.uuid)).host, 'node-a');
      await assert.rejects(db.volumes.bindHost(randomUUID(), 'node-a'), VolumeNotFound);
    });

    void test('mounts in request order; releaseMounts frees them once: auto_remove → deleting, others → available', async () => {
      const p = project();
      const kept = await db.volumes.create(newVolume({ project_id: p }));
      const fresh = newMount(p, 2, '/scratch');
      const c = await createWith(p, [existingMount(kept.uuid, '/data'), fresh, fileMount('/etc/motd')]);
      const mounts = await db.volumes.mountsOf(c.uuid);
      assert.deepEqual(mounts.map((m) => m.mapping.container_path), ['/data', '/scratch', '/etc/motd']);
      assert.equal(mounts[0]!.volume?.uuid, kept.uuid);
      assert.equal(mounts[0]!.volume?.status, 'in-use');
      assert.equal(mounts[0]!.mapping.volume_id, kept.id);
      assert.equal(mounts[0]!.mapping.auto_remove, false);
      assert.equal(mounts[1]!.volume?.uuid, fresh.volume.uuid);
      assert.equal(mounts[1]!.volume?.auto_remove, true);
      assert.equal(mounts[1]!.volume?.status, 'in-use');
      assert.equal(mounts[1]!.mapping.auto_remove, true);
      assert.equal(mounts[2]!.volume, null);
      assert.equal(mounts[2]!.mapping.volume_id, null);
      assert.equal(mounts[2]!.mapping.contents, 'aGVsbG8=');
      assert.ok(mounts.every((m) => m.mapping.container_uuid === c.uuid && m.mapping.project_id === p && m.mapping.host === null));

      const released = await db.volumes.releaseMounts(c.uuid);
      assert.deepEqual(
        released.map((r) => [r.volume.uuid, r.volume.status, r.remaining]),
        [
          [kept.uuid, 'available', 0],
          [fresh.volume.uuid, 'deleting', 0],
        ],
      );
      assert.deepEqual(await db.volumes.releaseMounts(c.uuid), []);
      assert.deepEqual(await db.volumes.mountsOf(c.uuid), []);
    });

    void test('a shared volume keeps in-use while another container mounts it; attachmentsOf and onHost show the mounts', async () => {
      const p = project();
      const shared = await db.volumes.create(newVolume({ project_id: p, shareable: true }));
      const lone = await db.volumes.create(newVolume({ project_id: p }));
      const a = await createWith(p, [existingMount(shared.uuid, '/a')]);
      const b = await createWith(p, [existingMount(shared.uuid, '/b'), existingMount(lone.uuid, '/l')]);
      await db.volumes.bindHost(shared.uuid, 'node-s');
      await db.volumes.bindHost(lone.uuid, 'node-s');
      const idle = await db.volumes.create(newVolume({ project_id: p }));
      await db.volumes.bindHost(idle.uuid, 'node-s');

      const att = await db.volumes.attachmentsOf([shared.id, lone.id, idle.id]);
      assert.deepEqual(att.get(shared.id), [
        { container_uuid: a.uuid, container_path: '/a' },
        { container_uuid: b.uuid, container_path: '/b' },
      ]);
      assert.deepEqual(att.get(lone.id), [{ container_uuid: b.uuid, container_path: '/l' }]);
      assert.deepEqual(att.get(idle.id), []);
      assert.deepEqual(await db.volumes.attachmentsOf([]), new Map());

      const onHost = await db.volumes.onHost('node-s');
      assert.deepEqual(
        onHost.map((h) => [h.volume.uuid, h.container_uuids]),
        [
          [shared.uuid, [a.uuid, b.uuid]],
          [lone.uuid, [b.uuid]],
          [idle.uuid, []],
        ],
      );
      assert.deepEqual(await db.volumes.onHost('node-none'), []);

      const first = await db.volumes.releaseMounts(a.uuid);
      assert.deepEqual(first.map((r) => [r.volume.uuid, r.volume.status, r.remaining]), [[shared.uuid, 'in-use', 1]]);
      const second = await db.volumes.releaseMounts(b.uuid);
      assert.deepEqual(
        second.map((r) => [r.volume.uuid, r.volume.status, r.remaining]),
        [
          [shared.uuid, 'available', 0],
          [lone.uuid, 'available', 0],
        ],
      );
    });

    void test('destroying a container releases its mounts in the same transaction (the mappings cascade)', async () => {
      const p = project();
      const v = await db.volumes.create(newVolume({ project_id: p }));
      const fresh = newMount(p);
      const c = await createWith(p, [existingMount(v.uuid), fresh, fileMount()]);
      await db.containers.destroy(c.uuid);
      assert.deepEqual(await db.volumes.mountsOf(c.uuid), []);
      assert.equal((await db.volumes.getByUuid(ALL, v.uuid)).status, 'available');
      assert.equal((await db.volumes.getByUuid(ALL, fresh.volume.uuid)).status, 'deleting');
      await db.volumes.destroy(fresh.volume.uuid, { status: ['deleting'] });
    });

    void test('the migration goes down and up again, keeping the mapping rows', async () => {
      const d = await createTestDb(engine);
      try {
        const fresh = await Database.open(d.url);
        await fresh.migrate();
        await fresh.quotas.createContainer({ ...newContainer(), project_id: 'p1' }, { containers: 1, cpu: 0, memory: 0, disk: 0 }, DEFAULTS, {
          mounts: [fileMount('/f')],
        });
        await fresh.close();
        const { ds } = await openDataSource(d.url);
        let undone: string[] = [];
        try {
          undone = await undoMigrationsThrough(ds, 'AddVolume1732579200000');
          assert.equal(await ds.createQueryRunner().hasTable('volume'), false);
          assert.equal(await ds.createQueryRunner().hasColumn('volume_mapping', 'volume_id'), false);
          const [row] = (await ds.query('SELECT COUNT(*) AS n FROM volume_mapping')) as { n: unknown }[];
          assert.equal(Number(row!.n), 1);
        } finally {
          await ds.destroy();
        }
        const again = await Database.open(d.url);
        try {
          assert.equal(undone[0], 'AddVolume1732579200000');
          assert.deepEqual(await again.migrate(), undone);
          assert.deepEqual(await again.schemaDrift(), []);
          assert.equal((await again.quotas.usage('p1')).containers, 1);
        } finally {
          await again.close();
        }
      } finally {
        await d.drop();
      }
    });
  });
}
