import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { VolumeInUse } from '@zun-ts/common';
import { CONTAINER_TYPES } from '@zun-ts/objects';
import { Database, type NewCapsule, OverQuota, type QuotaLimits, type VolumeScope } from '../src';
import { newContainer } from './fixtures/containers';
import { newVolume } from './fixtures/volumes';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const LIMITS: QuotaLimits = { containers: 2, memory: -1, cpu: 4, disk: 10 };
const ALL_VOLUMES: VolumeScope = { projectId: null, allProjects: true };
const ANY = { projectId: null, allProjects: true, containerType: null };

for (const engine of ENGINES) {
  describeOn(engine, `capsule create on ${engine}`, () => {
    let t: TestDb;
    let db: Database;
    const project = (): string => `p-${randomUUID().slice(0, 8)}`;

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url, { poolSize: 5 });
      await db.migrate();
    });
    after(async () => {
      await db?.close();
      await t?.drop();
    });

    /** A capsule of an init container and two containers sharing a new volume and mounting the project's `existing` one. */
    const capsule = async (p: string, existing: string): Promise<{ rows: NewCapsule; members: string[]; newVolume: string }> => {
      const net = await db.networks.ensureDefault(p, 'u1', { pool: '10.250.0.0/16', prefix: 26, segmentationMin: 7000 });
      const members = [randomUUID(), randomUUID(), randomUUID()];
      const newVolumeUuid = randomUUID();
      const rows: NewCapsule = {
        capsule: { ...newContainer({ status: 'Creating', cpu: 2, memory: '256' }), project_id: p },
        members: members.map((uuid, i) => ({ ...newContainer({ uuid, status: 'Creating', cpu: 1, memory: '128' }), init: i === 0 })),
        volumes: [
          { name: 'scratch', kind: 'new', volume: { uuid: newVolumeUuid, size: 2, project_id: p } },
          { name: 'data', kind: 'existing', volume_uuid: existing },
        ],
        mounts: [
          { member_uuid: members[0] as string, mapping_uuid: randomUUID(), volume: 'scratch', container_path: '/work' },
          { member_uuid: members[1] as string, mapping_uuid: randomUUID(), volume: 'scratch', container_path: '/srv' },
          { member_uuid: members[2] as string, mapping_uuid: randomUUID(), volume: 'data', container_path: '/data' },
        ],
        ports: { ports: [{ port_uuid: randomUUID(), network_uuid: net.uuid, requested_ip: null }] },
      };
      return { rows, members, newVolume: newVolumeUuid };
    };

    void test('writes the capsule, its members, its volumes, mappings and port; counts as one container', async () => {
      const p = project();
      const existing = await db.volumes.create(newVolume({ project_id: p, size: 1 }));
      const { rows, members, newVolume: nv } = await capsule(p, existing.uuid);
      const made = await db.quotas.createCapsule(rows, { containers: 1, cpu: 2, memory: 256, disk: 2 }, LIMITS);
      assert.equal(made.capsule.container_type, CONTAINER_TYPES.capsule);
      assert.deepEqual(made.members.map((m) => m.container_type), [CONTAINER_TYPES.capsuleInitContainer, CONTAINER_TYPES.capsuleContainer, CONTAINER_TYPES.capsuleContainer]);
      for (const m of made.members) {
        assert.equal(m.capsule_id, made.capsule.id);
        assert.equal(m.project_id, p);
      }
      // Members are not containers of the project's lists; the capsule neither.
      assert.deepEqual(await db.containers.list({ projectId: p, allProjects: false }), []);
      const listed = await db.containers.list({ projectId: p, allProjects: false, containerType: CONTAINER_TYPES.capsuleContainer }, { filters: { capsule_id: made.capsule.id } });
      assert.deepEqual(listed.map((m) => m.uuid).sort(), (members.slice(1) as string[]).sort());
      const scratch = await db.volumes.getByUuid(ALL_VOLUMES, nv);
      assert.equal(scratch.status, 'in-use');
      assert.equal(scratch.auto_remove, true);
      assert.equal((await db.volumes.getByUuid(ALL_VOLUMES, existing.uuid)).status, 'in-use');
      assert.equal((await db.volumes.mountsOf(members[1] as string))[0]?.volume?.uuid, nv);
      assert.equal((await db.volumes.mountsOf(members[0] as string))[0]?.mapping.container_path, '/work');
      assert.equal((await db.volumes.mountsOf(members[2] as string))[0]?.volume?.uuid, existing.uuid);
      assert.equal((await db.networks.portsOf(made.capsule.uuid)).length, 1);
      for (const m of members) assert.equal((await db.networks.portsOf(m)).length, 0);
      // The capsule is one container with its cpu and memory; its new volume counts as disk beside the existing one.
      assert.deepEqual(await db.quotas.usage(p), { containers: 1, cpu: 2, memory: 256, disk: 3 });
    });

    void test('over quota or a volume in use: nothing is written', async () => {
      const p = project();
      const existing = await db.volumes.create(newVolume({ project_id: p, size: 1 }));
      const first = await capsule(p, existing.uuid);
      await assert.rejects(db.quotas.createCapsule(first.rows, { containers: 1, cpu: 5, memory: 256, disk: 2 }, LIMITS), OverQuota);
      const nothing = async (c: { rows: NewCapsule; members: string[]; newVolume: string }): Promise<void> => {
        await assert.rejects(db.containers.getByUuid(ANY, c.rows.capsule.uuid));
        for (const m of c.members) await assert.rejects(db.containers.getByUuid(ANY, m));
        await assert.rejects(db.volumes.getByUuid(ALL_VOLUMES, c.newVolume));
        assert.equal((await db.networks.portsOf(c.rows.capsule.uuid)).length, 0);
      };
      await nothing(first);
      assert.equal((await db.volumes.getByUuid(ALL_VOLUMES, existing.uuid)).status, 'available');
      await db.quotas.createCapsule(first.rows, { containers: 1, cpu: 2, memory: 256, disk: 2 }, LIMITS);
      const second = await capsule(p, existing.uuid);
      await assert.rejects(db.quotas.createCapsule(second.rows, { containers: 1, cpu: 1, memory: 0, disk: 2 }, LIMITS), VolumeInUse);
      await nothing(second);
    });
  });
}
