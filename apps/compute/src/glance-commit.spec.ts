import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { adminContext, KeyedLock, type RequestContext, silentLogger } from '@zun-ts/common';
import { DockerError, FakeContainerDriver } from '@zun-ts/compute-driver';
import { defaultConf } from '@zun-ts/config';
import { type GlanceImage } from '@zun-ts/glance-client';
import { FakeNetworkDriver } from '@zun-ts/network-driver';
import { FakeVolumeDriver } from '@zun-ts/volume-driver';
import { fakeContainer, FakeConductor } from '../tests/fixtures/fake-conductor';
import { ComputeManager } from './compute.manager';
import { ContainerRecords } from './conductor-api';
import { ContainerBuilder, EVENTS } from './container-builder';
import { ContainerNetworks } from './container-networks';
import { ContainerOperations } from './container-operations';
import { ContainerVolumes } from './container-volumes';
import { GlanceCommit, type GlanceWriter } from './glance-commit';

const HOST = 'cn1';
const GID = '3b9d6c1e-5f2a-4c3b-9d8e-7a6b5c4d3e2f';
const ctx: RequestContext = { ...adminContext('req-commit'), isAdmin: false, roles: ['member'] };

/** A Glance with one queued image; what was uploaded and deleted is recorded. */
function fakeGlance(opts: { status?: string; uploadFails?: boolean } = {}): GlanceWriter & { uploaded: string[]; deleted: string[] } {
  const uploaded: string[] = [];
  const deleted: string[] = [];
  const img: GlanceImage = { id: GID, name: 'snap', status: opts.status ?? 'queued', visibility: 'shared', owner: 'p1', container_format: 'docker', disk_format: 'raw', size: null, checksum: null, tags: ['v1'] };
  return {
    uploaded,
    deleted,
    findImage: (id) => Promise.resolve(id === GID && !deleted.includes(id) ? img : null),
    uploadImage: async (id, data) => {
      let text = '';
      for await (const c of data as Readable) text += String(c);
      if (opts.uploadFails) throw new Error('glance store full');
      uploaded.push(`${id}:${text}`);
    },
    deleteImage: (id) => {
      deleted.push(id);
      return Promise.resolve();
    },
  };
}

function rig(glance: GlanceWriter) {
  const driver = FakeContainerDriver.simulated({ defaultRegistry: '127.0.0.1:5050', localImages: ['127.0.0.1:5050/busybox:latest'] });
  const conductor = new FakeConductor();
  const records = new ContainerRecords(conductor.client(HOST), HOST, silentLogger());
  const volumes = new ContainerVolumes(FakeVolumeDriver.simulated({ host: HOST }), records, silentLogger());
  const networks = new ContainerNetworks(new FakeNetworkDriver(), records, { publishIp: '127.0.0.1' }, silentLogger());
  const builder = new ContainerBuilder(driver, records, volumes, networks, silentLogger());
  const ops = new ContainerOperations(driver, records, builder, volumes, networks, new KeyedLock(), silentLogger());
  const commits = new GlanceCommit(driver, records, ops, () => glance, silentLogger());
  const manager = new ComputeManager(defaultConf({ DEFAULT: { host: HOST } }), driver, ops, { glanceCommit: commits });
  const c = conductor.put(fakeContainer({ host: HOST, status: 'Running', container_id: 'cid-1' }));
  return { driver, conductor, commits, manager, c };
}

void describe('zun commit to Glance on the host', () => {
  test('commits, answers, then uploads the saved image; the event ends Success after the upload', async () => {
    const glance = fakeGlance();
    const r = rig(glance);
    r.driver.stub('commit', async () => ({ image_id: 'sha256:1', ref: 'snap:v1' }));
    r.driver.stub('saveImage', async (_c, ref) => Readable.from([Buffer.from(`tar of ${ref}`)]));
    const out = await r.manager.containerCommit(ctx, { container_uuid: r.c.uuid, repository: 'snap', tag: 'v1', glance_image_id: GID });
    assert.equal(out.image_id, 'sha256:1');
    await r.commits.settled();
    assert.deepEqual(glance.uploaded, [`${GID}:tar of snap:v1`]);
    assert.deepEqual(r.conductor.events, [`start ${EVENTS.commit}`, `Success ${EVENTS.commit}`, 'finish action']);
  });

  test('a failed upload deletes the Glance image and records Error with the reason', async () => {
    const glance = fakeGlance({ uploadFails: true });
    const r = rig(glance);
    r.driver.stub('commit', async () => ({ image_id: 'sha256:1', ref: 'snap:v1' }));
    r.driver.stub('saveImage', async () => Readable.from([Buffer.from('tar')]));
    await r.manager.containerCommit(ctx, { container_uuid: r.c.uuid, repository: 'snap', tag: 'v1', glance_image_id: GID });
    await r.commits.settled();
    assert.deepEqual(glance.deleted, [GID]);
    assert.deepEqual(r.conductor.events, [`start ${EVENTS.commit}`, `Error ${EVENTS.commit}`, 'finish action']);
  });

  test('a failed engine commit deletes the Glance image and answers the error', async () => {
    const glance = fakeGlance();
    const r = rig(glance);
    r.driver.stub('commit', async () => Promise.reject(new DockerError('cannot commit')));
    await assert.rejects(r.manager.containerCommit(ctx, { container_uuid: r.c.uuid, repository: 'snap', tag: null, glance_image_id: GID }), /cannot commit/);
    assert.deepEqual(glance.deleted, [GID]);
    assert.deepEqual(r.conductor.events, [`start ${EVENTS.commit}`, `Error ${EVENTS.commit}`, 'finish action']);
  });

  test('delivered again after the upload started: the engine image id again, no second commit or upload', async () => {
    const glance = fakeGlance({ status: 'active' });
    const r = rig(glance);
    r.driver.stub('imageInspect', async (_c, ref) => ({ id: `id-of-${ref}`, repo_tags: [], repo_digests: [], size: 1, created: '', architecture: '', os: '', command: null, entrypoint: null, workdir: null, exposed_ports: [], labels: {} }));
    const out = await r.manager.containerCommit(ctx, { container_uuid: r.c.uuid, repository: 'snap', tag: null, glance_image_id: GID });
    assert.equal(out.image_id, 'id-of-snap:latest');
    assert.deepEqual([r.driver.callsOf('commit').length, glance.uploaded.length, r.conductor.events.length], [0, 0, 0]);
  });

  test('a host without the glance image driver refuses a commit to Glance', async () => {
    const r = rig(fakeGlance());
    const bare = new ComputeManager(defaultConf({ DEFAULT: { host: HOST } }), r.driver, {} as ContainerOperations);
    await assert.rejects(bare.containerCommit(ctx, { container_uuid: r.c.uuid, repository: 'snap', tag: null, glance_image_id: GID }), /not enabled on this host/);
  });
});
