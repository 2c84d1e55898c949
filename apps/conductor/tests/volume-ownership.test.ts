// Volumes across a real RPC hop: a ConductorManager on a real database (SQLite, then MariaDB), served on a real
// Redis, called by compute clients whose transports declare host A or host B. A host reads, binds, releases and
// destroys the volumes of its own containers, and is refused those of the other host, which stay as they were.
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, Conflict, ContainerNotFound, VolumeNotFound } from '@zun-ts/common';
import { type Database, type QuotaLimits } from '@zun-ts/db';
import { type Container, type Volume } from '@zun-ts/objects';
import { type ConductorClient } from '@zun-ts/rpc';
import { requireEnv, uniqueName } from '@zun-ts/testing';
import { type ConductorOnBus, conductorOnBus } from './fixtures/conductor-manager';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
const ANY_VOLUME = { projectId: null, allProjects: true } as const;
const UNLIMITED: QuotaLimits = { containers: -1, memory: -1, cpu: -1, disk: -1 };
const ONE = { containers: 1, memory: 0, cpu: 0, disk: 0 };

for (const engine of ['sqlite', 'mariadb'] as const) {
  describe(`volumes over RPC on ${engine}: a compute host acts on the volumes of its own containers only`, () => {
    const hostA = uniqueName('cna');
    const hostB = uniqueName('cnb');
    let bus: ConductorOnBus;
    let db: Database;
    let asA: ConductorClient;
    let asB: ConductorClient;
    let ofA: Container;
    let ofB: Container;
    /** Made for ofA's `size=` mount (auto_remove). */
    let newOfA: Volume;
    /** A named volume ofA mounts. */
    let namedOfA: Volume;
    /** Made for ofB's `size=` mount. */
    let newOfB: Volume;
    const volume = (uuid: string): Promise<Volume> => db.volumes.getByUuid(ANY_VOLUME, uuid);

    /** A container on `host` mounting a new 1 GiB volume, then `existing` (when given), then an injected file. */
    async function containerOn(host: string, existing: Volume | null): Promise<{ c: Container; made: Volume }> {
      const uuid = randomUUID();
      const project = `p-${host}`;
      const c = await db.quotas.createContainer({ uuid, status: 'Creating', name: `of-${host}`, project_id: project, user_id: 'u', image: 'busybox', host },
        ONE, UNLIMITED, {
          mounts: [
            { kind: 'new', mapping_uuid: randomUUID(), container_path: '/data', volume: { uuid: randomUUID(), size: 1, project_id: project, auto_remove: true } },
            ...(existing ? [{ kind: 'existing' as const, mapping_uuid: randomUUID(), container_path: '/named', volume_uuid: existing.uuid }] : []),
            { kind: 'file', mapping_uuid: randomUUID(), container_path: '/etc/motd', contents: Buffer.from('hi').toString('base64') },
          ],
        });
      const made = (await db.volumes.mountsOf(uuid))[0]?.volume;
      assert.ok(made);
      return { c, made };
    }

    before(async () => {
      bus = await conductorOnBus(redisUrl, 'vol', engine);
      db = bus.db;
      asA = bus.as(hostA);
      asB = bus.as(hostB);
      namedOfA = await db.volumes.create({ uuid: randomUUID(), name: 'named', size: 1, project_id: `p-${hostA}` });
      ({ c: ofA, made: newOfA } = await containerOn(hostA, namedOfA));
      ({ c: ofB, made: newOfB } = await containerOn(hostB, null));
    });

    after(() => bus?.close());

    test('host A reads its container\'s mounts in request order; B\'s container is ContainerNotFound', async () => {
      const mounts = await asA.call('containerMounts', adminContext(), { container_uuid: ofA.uuid });
      assert.deepEqual(mounts.map((m) => [m.mapping.container_path, m.volume?.uuid ?? null]), [['/data', newOfA.uuid], ['/named', namedOfA.uuid], ['/etc/motd', null]]);
      await assert.rejects(asA.call('containerMounts', adminContext(), { container_uuid: ofB.uuid }), ContainerNotFound);
    });

    test('host A binds the volumes its container mounts (again: unchanged), and is refused B\'s, which stays on no host', async () => {
      const ctx = adminContext();
      assert.equal((await asA.call('volumeBind', ctx, { volume_uuid: newOfA.uuid })).host, hostA);
      assert.equal((await asA.call('volumeBind', ctx, { volume_uuid: newOfA.uuid })).host, hostA);
      assert.equal((await asA.call('volumeBind', ctx, { volume_uuid: namedOfA.uuid })).host, hostA);
      await assert.rejects(asA.call('volumeBind', ctx, { volume_uuid: newOfB.uuid }),
        (e: unknown) => e instanceof VolumeNotFound && e.message === `Volume ${newOfB.uuid} could not be found.`);
      await assert.rejects(asA.call('volumeSave', ctx, { volume_uuid: newOfB.uuid, patch: { status: 'error', status_reason: 'hijacked' } }), VolumeNotFound);
      const b = await volume(newOfB.uuid);
      assert.deepEqual([b.host, b.status, b.status_reason], [null, newOfB.status, null]);
      assert.deepEqual((await asA.call('volumesOnHost', ctx, {})).map((h) => h.volume.uuid).sort(), [newOfA.uuid, namedOfA.uuid].sort());
      assert.deepEqual(await asB.call('volumesOnHost', ctx, {}), []);
    });

    test('host A cannot release B\'s container\'s mounts nor destroy B\'s volume; B\'s records stay', async () => {
      const ctx = adminContext();
      assert.deepEqual(await asA.call('volumeRelease', ctx, { container_uuid: ofB.uuid }), []);
      assert.equal((await asB.call('containerMounts', ctx, { container_uuid: ofB.uuid })).length, 2);
      assert.equal((await asB.call('volumeBind', ctx, { volume_uuid: newOfB.uuid })).host, hostB);
      assert.deepEqual(await asB.call('volumeRelease', ctx, { container_uuid: ofB.uuid }).then((r) => r.map((x) => x.volume.status)), ['deleting']);
      await asA.call('volumeDestroy', ctx, { volume_uuid: newOfB.uuid });
      assert.equal((await volume(newOfB.uuid)).status, 'deleting', 'still there');
    });

    test('host A releases its mounts once, destroys its deleting volume once, and may not destroy one in use', async () => {
      const ctx = adminContext();
      await assert.rejects(asA.call('volumeDestroy', ctx, { volume_uuid: newOfA.uuid }), Conflict);
      const released = await asA.call('volumeRelease', ctx, { container_uuid: ofA.uuid });
      assert.deepEqual(released.map((r) => [r.volume.uuid, r.volume.status, r.remaining]).sort(),
        [[newOfA.uuid, 'deleting', 0], [namedOfA.uuid, 'available', 0]].sort());
      assert.deepEqual(await asA.call('volumeRelease', ctx, { container_uuid: ofA.uuid }), []);
      await asA.call('volumeDestroy', ctx, { volume_uuid: newOfA.uuid });
      await asA.call('volumeDestroy', ctx, { volume_uuid: newOfA.uuid });
      await assert.rejects(volume(newOfA.uuid), VolumeNotFound);
      await assert.rejects(asA.call('volumeDestroy', ctx, { volume_uuid: namedOfA.uuid }), Conflict);
      assert.equal((await volume(namedOfA.uuid)).host, hostA);
    });
  });
}
