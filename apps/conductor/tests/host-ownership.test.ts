// Host ownership across a real RPC hop: a ConductorManager on a real SQLite database, served on a real Redis,
// called by compute clients whose transports declare host A or host B.
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, ContainerNotFound, NotAuthorized } from '@zun-ts/common';
import { type Database } from '@zun-ts/db';
import { type Container } from '@zun-ts/objects';
import { type ConductorClient } from '@zun-ts/rpc';
import { requireEnv, uniqueName } from '@zun-ts/testing';
import { type ConductorOnBus, conductorOnBus } from './fixtures/conductor-manager';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
const ANY = { projectId: null, allProjects: true, containerType: null } as const;

describe('host ownership: the conductor confines each compute host to its own records', () => {
  const hostA = uniqueName('cna');
  const hostB = uniqueName('cnb');
  let bus: ConductorOnBus;
  let db: Database;
  let asA: ConductorClient;
  let asB: ConductorClient;
  let ofB: Container;

  before(async () => {
    bus = await conductorOnBus(redisUrl, 'hostown', 'sqlite');
    db = bus.db;
    asA = bus.as(hostA);
    asB = bus.as(hostB);
    ofB = await db.containers.create({ uuid: randomUUID(), status: 'Running', name: 'of-b', project_id: 'p-b', user_id: 'u-b', image: 'busybox',
      host: hostB, container_id: 'engine-b', labels: { owner: 'b' } });
  });

  after(() => bus?.close());

  const unchanged = async (): Promise<void> => {
    const row = await db.containers.getByUuid(ANY, ofB.uuid);
    assert.deepEqual([row.status, row.host, row.container_id, row.labels, row.updated_at], [ofB.status, ofB.host, ofB.container_id, ofB.labels, ofB.updated_at]);
  };

  test('host A cannot read, save, destroy or list a container of host B, which stays as it was', async () => {
    const ctx = adminContext();
    await assert.rejects(asA.call('containerGet', ctx, { container_uuid: ofB.uuid }), ContainerNotFound);
    await assert.rejects(
      asA.call('containerSave', ctx, { container_uuid: ofB.uuid, patch: { status: 'Stopped', container_id: 'hijacked' } }),
      (err: unknown) => err instanceof ContainerNotFound && err.message === `Container ${ofB.uuid} could not be found.`,
    );
    // Answered as for an absent record (destroy is idempotent), and nothing is deleted.
    await asA.call('containerDestroy', ctx, { container_uuid: ofB.uuid });
    await assert.rejects(asA.call('containersOnHost', ctx, { host: hostB }), NotAuthorized);
    assert.deepEqual(await asA.call('containersOnHost', ctx, { host: hostA }), []);
    await assert.rejects(asA.call('execInstanceCreate', ctx, { container_uuid: ofB.uuid, exec_id: 'e'.repeat(64), token: 't', url: 'ws://a' }), ContainerNotFound);
    await unchanged();
  });

  test('a container that does not exist and one of another host get the same answer', async () => {
    const ghost = randomUUID();
    const errOf = (p: Promise<unknown>): Promise<[string, number, string]> =>
      p.then(() => assert.fail('expected a refusal'), (e: { name: string; status: number; message: string }) => [e.name, e.status, e.message.replace(/[0-9a-f-]{36}/, 'UUID')]);
    assert.deepEqual(
      await errOf(asA.call('containerGet', adminContext(), { container_uuid: ofB.uuid })),
      await errOf(asA.call('containerGet', adminContext(), { container_uuid: ghost })),
    );
  });

  test('host B, the owner, reads, lists, saves and destroys its container', async () => {
    const ctx = adminContext();
    assert.equal((await asB.call('containerGet', ctx, { container_uuid: ofB.uuid })).uuid, ofB.uuid);
    assert.deepEqual((await asB.call('containersOnHost', ctx, { host: hostB })).map((c) => c.uuid), [ofB.uuid]);
    const saved = await asB.call('containerSave', ctx, { container_uuid: ofB.uuid, patch: { status: 'Stopped' }, expected: { status: ['Running'] } });
    assert.equal(saved.status, 'Stopped');
    assert.equal((await db.containers.getByUuid(ANY, ofB.uuid)).status, 'Stopped');
    await asB.call('containerDestroy', ctx, { container_uuid: ofB.uuid });
    await assert.rejects(db.containers.getByUuid(ANY, ofB.uuid), ContainerNotFound);
  });
});
