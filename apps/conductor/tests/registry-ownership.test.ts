// containerRegistry across a real RPC hop: the conductor on a real SQLite database, served on a real Redis, called by
// compute clients whose transports declare host A or host B.
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, ContainerNotFound, NotAuthorized, RegistryNotFound, SecretBox } from '@zun-ts/common';
import { type Database } from '@zun-ts/db';
import { type ConductorClient } from '@zun-ts/rpc';
import { requireEnv, uniqueName } from '@zun-ts/testing';
import { type ConductorOnBus, conductorOnBus } from './fixtures/conductor-manager';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');

describe('containerRegistry: a compute host reads the registry of its own containers, password still sealed', () => {
  const hostA = uniqueName('cna');
  const hostB = uniqueName('cnb');
  const box = new SecretBox('r'.repeat(32));
  let bus: ConductorOnBus;
  let db: Database;
  let asA: ConductorClient;
  let asApi: ConductorClient;

  before(async () => {
    bus = await conductorOnBus(redisUrl, 'reg', 'sqlite');
    db = bus.db;
    asA = bus.as(hostA);
    asApi = bus.as('api-1', 'zun-api');
  });

  after(() => bus?.close());

  const container = async (host: string, registryId: number | null) =>
    db.containers.create({ uuid: randomUUID(), status: 'Creating', name: 'c', project_id: 'p', user_id: 'u', image: 'busybox', host, registry_id: registryId });

  test('the own container\'s registry, sealed; null without one; twice the same answer', async () => {
    const sealed = box.seal('pw-secret');
    const r = await db.registries.create({ uuid: randomUUID(), domain: '127.0.0.1:5999', username: 'alice', password: sealed, project_id: 'p', user_id: 'u' });
    const mine = await container(hostA, r.id);
    const first = await asA.call('containerRegistry', adminContext(), { container_uuid: mine.uuid });
    assert.deepEqual(first, { domain: '127.0.0.1:5999', username: 'alice', sealed_password: sealed });
    assert.deepEqual(await asA.call('containerRegistry', adminContext(), { container_uuid: mine.uuid }), first);
    assert.equal(box.open(first?.sealed_password ?? ''), 'pw-secret');
    const plain = await container(hostA, null);
    assert.equal(await asA.call('containerRegistry', adminContext(), { container_uuid: plain.uuid }), null);
    const orphan = await container(hostA, r.id + 1000);
    await assert.rejects(asA.call('containerRegistry', adminContext(), { container_uuid: orphan.uuid }), RegistryNotFound);
  });

  test('another host\'s container is ContainerNotFound; a caller that is not a compute host is refused', async () => {
    const r = await db.registries.create({ uuid: randomUUID(), domain: 'd', username: 'u', password: box.seal('x'), project_id: 'p', user_id: 'u' });
    const ofB = await container(hostB, r.id);
    await assert.rejects(asA.call('containerRegistry', adminContext(), { container_uuid: ofB.uuid }), ContainerNotFound);
    await assert.rejects(asApi.call('containerRegistry', adminContext(), { container_uuid: ofB.uuid }), NotAuthorized);
    await assert.rejects(asA.call('containerRegistry', adminContext(), { container_uuid: randomUUID() }), ContainerNotFound);
  });
});
