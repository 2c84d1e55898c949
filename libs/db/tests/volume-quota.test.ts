import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { VolumeInUse, VolumeNotFound } from '@zun-ts/common';
import { type Container } from '@zun-ts/objects';
import { Database, OverQuota, QUOTAS_OFF, type PlannedMount, type QuotaDeltas, type QuotaLimits, type VolumeScope } from '../src';
import { newContainer } from './fixtures/containers';
import { existingMount, fileMount, newMount, newVolume } from './fixtures/volumes';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const DEFAULTS: QuotaLimits = { containers: 40, memory: -1, cpu: -1, disk: 100 };
const ALL: VolumeScope = { projectId: null, allProjects: true };
const deltas = (disk = 0): QuotaDeltas => ({ containers: 1, cpu: 0, memory: 0, disk });

for (const engine of ENGINES) {
  describeOn(engine, `volumes under quota on ${engine}`, () => {
    let t: TestDb;
    let db: Database;
    /** A second handle on the same database, as another API worker would have. */
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

    const create = (handle: Database, projectId: string, mounts: PlannedMount[], disk = 0): Promise<Container> =>
      handle.quotas.createContainer({ ...newContainer(), project_id: projectId }, deltas(disk), DEFAULTS, { mounts });

    /** Nothing of a refused create is in the database: no container, no mapping, no new volume. */
    const assertNothingWritten = async (containerUuid: string, mounts: readonly PlannedMount[]): Promise<void> => {
      await assert.rejects(db.containers.getByUuid({ projectId: null, allProjects: true, containerType: null }, containerUuid));
      assert.deepEqual(await db.volumes.mountsOf(containerUuid), []);
      for (const m of mounts) {
        if (m.kind === 'new') await assert.rejects(db.volumes.getByUuid(ALL, m.volume.uuid), VolumeNotFound);
      }
    };

    void test('12 racing creates over two connections reserving one volume: exactly one wins, the others write nothing', async () => {
      const p = project();
      const v = await db.volumes.create(newVolume({ project_id: p }));
      const attempts = Array.from({ length: 12 }, (_, i) => {
        const uuid = randomUUID();
        const mounts = [newMount(p, 1, '/scratch'), existingMount(v.uuid), fileMount()];
        const run = (i % 2 ? db : other).quotas
          .createContainer({ ...newContainer({ uuid }), project_id: p }, deltas(1), DEFAULTS, { mounts })
          .then(
            () => 'ok' as const,
            (e: unknown) => {
              if (e instanceof VolumeInUse) {
                assert.equal(e.message, `Volume ${v.uuid} is in use by another container.`);
                return 'in-use' as const;
              }
              throw e;
            },
          );
        return { uuid, mounts, run };
      });
      const results = await Promise.all(attempts.map((a) => a.run));
      assert.equal(results.filter((r) => r === 'ok').length, 1);
      assert.equal(results.filter((r) => r === 'in-use').length, 11);
      for (const [i, a] of attempts.entries()) {
        if (results[i] === 'ok') {
          assert.equal((await db.volumes.mountsOf(a.uuid)).length, 3);
        } else {
          await assertNothingWritten(a.uuid, a.mounts);
        }
      }
      assert.equal((await db.volumes.getByUuid(ALL, v.uuid)).status, 'in-use');
      assert.deepEqual(await db.quotas.usage(p), { containers: 1, cpu: 1, memory: 512, disk: 2 });
    });

    void test('a shareable volume may be reserved by several containers; deleting or error volumes by none', async () => {
      const p = project();
      const shared = await db.volumes.create(newVolume({ project_id: p, shareable: true }));
      const a = await create(db, p, [existingMount(shared.uuid)]);
      const b = await create(other, p, [existingMount(shared.uuid)]);
      assert.equal((await db.volumes.attachmentsOf([shared.id])).get(shared.id)?.length, 2);
      assert.notEqual(a.uuid, b.uuid);
      for (const status of ['deleting', 'error'] as const) {
        const v = await db.volumes.create(newVolume({ project_id: p, shareable: true }));
        await db.volumes.update(v.uuid, { status });
        const uuid = randomUUID();
        await assert.rejects(
          db.quotas.createContainer({ ...newContainer({ uuid }), project_id: p }, deltas(), DEFAULTS, { mounts: [existingMount(v.uuid)] }),
          VolumeInUse,
        );
        await assertNothingWritten(uuid, []);
        assert.equal((await db.volumes.getByUuid(ALL, v.uuid)).status, status);
      }
    });

    void test('containers sharing a volume released at once over two connections leave it available', async () => {
      for (let round = 0; round < 5; round++) {
        const p = project();
        const shared = await db.volumes.create(newVolume({ project_id: p, shareable: true }));
        const a = await create(db, p, [existingMount(shared.uuid)]);
        const b = await create(db, p, [existingMount(shared.uuid)]);
        const [ra, rb] = await Promise.all([db.volumes.releaseMounts(a.uuid), other.volumes.releaseMounts(b.uuid)]);
        assert.deepEqual([ra![0]!.remaining, rb![0]!.remaining].sort(), [0, 1]);
        assert.equal((await db.volumes.getByUuid(ALL, shared.uuid)).status, 'available');
      }
    });

    void test("reserving another project's volume (or none) is VolumeNotFound and writes nothing", async () => {
      const p = project();
      const theirs = await db.volumes.create(newVolume({ project_id: project() }));
      for (const volumeUuid of [theirs.uuid, randomUUID()]) {
        const uuid = randomUUID();
        const mounts = [newMount(p), fileMount(), existingMount(volumeUuid)];
        await assert.rejects(
          db.quotas.createContainer({ ...newContainer({ uuid }), project_id: p }, deltas(1), DEFAULTS, { mounts }),
          (e: unknown) => {
            assert.ok(e instanceof VolumeNotFound);
            assert.equal(e.status, 404);
            assert.equal(e.message, `Volume ${volumeUuid} could not be found.`);
            return true;
          },
        );
        await assertNothingWritten(uuid, mounts);
      }
      assert.equal((await db.volumes.getByUuid(ALL, theirs.uuid)).status, 'available');
      assert.deepEqual(await db.quotas.usage(p), { containers: 0, cpu: 0, memory: 0, disk: 0 });
    });

    void test("disk usage counts every volume of the project, any status, with the containers' disk", async () => {
      const p = project();
      await db.volumes.create(newVolume({ project_id: p, size: 3 }));
      const gone = await db.volumes.create(newVolume({ project_id: p, size: 4 }));
      await db.volumes.update(gone.uuid, { status: 'deleting' });
      await db.volumes.create(newVolume({ project_id: project(), size: 50 }));
      await db.containers.create(newContainer({ project_id: p, disk: 2 }));
      assert.equal((await db.quotas.usage(p)).disk, 9);
      await db.quotas.check(p, { containers: 0, cpu: 0, memory: 0, disk: 91 }, DEFAULTS);
      await assert.rejects(db.quotas.check(p, { containers: 0, cpu: 0, memory: 0, disk: 92 }, DEFAULTS), OverQuota);
    });

    void test('createVolume checks the disk limit only, atomically; past it OverQuota writes nothing', async () => {
      const p = project();
      await db.quotas.setProjectLimits(p, { disk: 5, containers: 0 });
      const v = await db.quotas.createVolume({ ...newVolume({ size: 3, status: 'in-use', host: 'x' }), project_id: p }, DEFAULTS);
      assert.equal(v.status, 'available');
      assert.equal(v.host, null);
      assert.deepEqual(await db.volumes.getByUuid(ALL, v.uuid), v);
      const refused = newVolume({ project_id: p, size: 3 });
      await assert.rejects(db.quotas.createVolume({ ...refused, project_id: p }, DEFAULTS), (e: unknown) => {
        assert.ok(e instanceof OverQuota);
        assert.equal(e.message, "Quota exceeded for resources: ['disk']");
        return true;
      });
      await assert.rejects(db.volumes.getByUuid(ALL, refused.uuid), VolumeNotFound);
      // Racing creates of 1 GiB each over two connections: exactly the 2 that fit land.
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? db : other).quotas.createVolume({ ...newVolume({ project_id: p }), project_id: p }, DEFAULTS).then(
            () => 'ok',
            (e: unknown) => (e instanceof OverQuota ? 'over' : Promise.reject(e as Error)),
          ),
        ),
      );
      assert.equal(results.filter((r) => r === 'ok').length, 2);
      assert.equal((await db.quotas.usage(p)).disk, 5);
    });

    void test('createContainer with a new 5 GiB volume past a 4 GiB disk limit is OverQuota and writes nothing', async () => {
      const p = project();
      await db.quotas.setProjectLimits(p, { disk: 4 });
      const uuid = randomUUID();
      const mounts = [newMount(p, 5), fileMount()];
      await assert.rejects(
        db.quotas.createContainer({ ...newContainer({ uuid }), project_id: p }, deltas(5), DEFAULTS, { mounts }),
        (e: unknown) => e instanceof OverQuota && e.message === "Quota exceeded for resources: ['disk']",
      );
      await assertNothingWritten(uuid, mounts);
      assert.deepEqual(await db.quotas.usage(p), { containers: 0, cpu: 0, memory: 0, disk: 0 });
      const fits = await create(db, p, [newMount(p, 4)], 4);
      assert.equal((await db.volumes.mountsOf(fits.uuid))[0]?.volume?.size, 4);
      assert.equal((await db.quotas.usage(p)).disk, 4);
    });

    void test('with quotas off (no-op driver) no limit is checked, not even a stored override (regression: overrides applied under the no-op driver)', async () => {
      const p = project();
      await db.quotas.setProjectLimits(p, { containers: 0, disk: 0 });
      const c = await db.quotas.createContainer({ ...newContainer(), project_id: p }, deltas(2), QUOTAS_OFF, { mounts: [newMount(p, 2)] });
      assert.equal((await db.volumes.mountsOf(c.uuid))[0]?.volume?.size, 2);
      const v = await db.quotas.createVolume({ ...newVolume({ size: 3 }), project_id: p }, QUOTAS_OFF);
      assert.equal(v.size, 3);
      await assert.rejects(create(db, p, [], 0), OverQuota);
    });
  });
}
