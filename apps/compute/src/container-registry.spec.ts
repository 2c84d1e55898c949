import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, KeyedLock, type RequestContext, SecretBox, silentLogger } from '@zun-ts/common';
import { FakeContainerDriver, type ImagePullRequest } from '@zun-ts/compute-driver';
import { defaultConf } from '@zun-ts/config';
import { FakeNetworkDriver } from '@zun-ts/network-driver';
import { type BuildRetry } from '@zun-ts/rpc';
import { FakeVolumeDriver } from '@zun-ts/volume-driver';
import { fakeContainer, FakeConductor } from '../tests/fixtures/fake-conductor';
import { ComputeManager } from './compute.manager';
import { ContainerRecords } from './conductor-api';
import { ContainerBuilder } from './container-builder';
import { ContainerNetworks } from './container-networks';
import { ContainerOperations } from './container-operations';
import { DockerImageDriver, ImageDrivers } from './image-drivers';
import { ContainerRegistries } from './container-registry';
import { ContainerVolumes } from './container-volumes';

const HOST = 'cn1';
const ctx: RequestContext = adminContext('req-registry');
const retry: BuildRetry = { request: { container_uuid: 'x', run: true, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: [HOST] };
const HOST_KEY = 'h'.repeat(32);
const C1 = '22222222-0000-4000-8000-000000000001';

function rig(hostKey = HOST_KEY) {
  const engine = FakeContainerDriver.simulated();
  const conductor = new FakeConductor();
  const records = new ContainerRecords(conductor.client(HOST), HOST, silentLogger());
  const volumes = new ContainerVolumes(FakeVolumeDriver.simulated({ host: HOST, mountPrefix: '/srv' }), records, silentLogger());
  const networks = new ContainerNetworks(new FakeNetworkDriver(), records, { publishIp: '127.0.0.1' }, silentLogger());
  const box = new SecretBox(hostKey);
  const builder = new ContainerBuilder(engine, records, volumes, networks, silentLogger(), () => null, new ImageDrivers([new DockerImageDriver(engine)]), new ContainerRegistries(records.api, () => box));
  const ops = new ContainerOperations(engine, records, builder, volumes, networks, new KeyedLock(), silentLogger());
  const manager = new ComputeManager(defaultConf({ DEFAULT: { host: HOST } }), engine, ops);
  return { engine, conductor, manager };
}

async function create(r: ReturnType<typeof rig>, registryId: number | null) {
  const c = r.conductor.put(fakeContainer({ uuid: C1, image: 'private/app', registry_id: registryId }));
  await r.manager.containerCreate(ctx, { container_uuid: c.uuid, container: c, run: true, retry });
  return r.conductor.row(c.uuid);
}

const pulls = (r: ReturnType<typeof rig>): ImagePullRequest[] => r.engine.callsOf('pullImage').map((a) => a[1] as ImagePullRequest);

describe('pull credentials of a container\'s registry', () => {
  test('the sealed password is opened with the host\'s key and handed to the pull with the registry\'s domain', async () => {
    const r = rig();
    r.conductor.registries.set(C1, { domain: '127.0.0.1:5999', username: 'alice', sealed_password: new SecretBox(HOST_KEY).seal('pw-1') });
    const c = await create(r, 7);
    assert.equal(c.status, 'Running');
    assert.deepEqual(pulls(r)[0]?.registry, { domain: '127.0.0.1:5999', username: 'alice', password: 'pw-1' });
    assert.ok(r.engine.images.has('127.0.0.1:5999/private/app:latest'), 'the name got the registry\'s domain');
  });

  test('a container without a registry pulls anonymously and asks the conductor nothing', async () => {
    const r = rig();
    r.conductor.registries.set(C1, { domain: 'never.used', username: 'x', sealed_password: null });
    const c = await create(r, null);
    assert.equal(c.status, 'Running');
    assert.equal(pulls(r)[0]?.registry, undefined);
  });

  test('a password this host\'s key does not open is a create failure with the reason (not retried elsewhere), and nothing is pulled', async () => {
    const r = rig('w'.repeat(32));
    r.conductor.registries.set(C1, { domain: 'reg.example.com', username: 'alice', sealed_password: new SecretBox(HOST_KEY).seal('pw-1') });
    await create(r, 7);
    // The conductor is told, not to retry elsewhere: it sets the container Error with this reason.
    const [report] = r.conductor.reports;
    assert.equal(report?.retryable, false);
    assert.match(String(report?.reason), /sealed with key [0-9a-f]{8}, which is not configured/);
    assert.equal(pulls(r).length, 0);
  });
});
