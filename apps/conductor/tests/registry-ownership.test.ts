// containerRegistry across a real RPC hop: the conductor on a real SQLite database, served on a real Redis, called by
// compute clients whose transports declare host A or host B.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, ContainerNotFound, NotAuthorized, RegistryNotFound, SecretBox } from '@zun-ts/common';
import { Database } from '@zun-ts/db';
import { CONDUCTOR, type ConductorClient, rpcClient, RpcServer, RpcTransport } from '@zun-ts/rpc';
import { deleteRedisKeys, requireEnv, uniqueName } from '@zun-ts/testing';
import { conductorManagerOn } from './fixtures/conductor-manager';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');

describe('containerRegistry: a compute host reads the registry of its own containers, password still sealed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-registry-own-'));
  const prefix = uniqueName('reg');
  const hostA = uniqueName('cna');
  const hostB = uniqueName('cnb');
  const transports: RpcTransport[] = [];
  const box = new SecretBox('r'.repeat(32));
  let db: Database;
  let asA: ConductorClient;
  let asApi: ConductorClient;

  const connect = (host: string, binary = 'zun-compute'): RpcTransport => {
    const t = RpcTransport.connect({ redisUrl, prefix, callTimeoutMs: 10_000, identity: { host, binary } });
    transports.push(t);
    return t;
  };

  before(async () => {
    db = await Database.open(`sqlite:///${join(dir, 'zun.sqlite')}`);
    await db.migrate();
    const conductor = connect('cond-1', 'zun-conductor');
    const manager = conductorManagerOn(db, conductor);
    await new RpcServer(conductor).serve(CONDUCTOR, manager);
    asA = rpcClient(connect(hostA), CONDUCTOR);
    asApi = rpcClient(connect('api-1', 'zun-api'), CONDUCTOR);
  });

  after(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await db?.close();
    await deleteRedisKeys(redisUrl, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

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
