import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { adminContext, ImageNotFound, InvalidValue, silentLogger } from '@zun-ts/common';
import { FakeContainerDriver } from '@zun-ts/compute-driver';
import { type GlanceImage } from '@zun-ts/glance-client';
import { type Container } from '@zun-ts/objects';
import { fakeContainer } from '../tests/fixtures/fake-conductor';
import { DockerImageDriver, findVisibleImage, type GlanceReader, GlanceImageDriver, ImageDrivers } from './image-drivers';

const ID = '0b9d6c1e-5f2a-4c3b-9d8e-7a6b5c4d3e2f';
const ctx = adminContext();

function image(over: Partial<GlanceImage> = {}): GlanceImage {
  return { id: ID, name: 'web', status: 'active', visibility: 'private', owner: 'p1', container_format: 'docker', disk_format: 'raw', size: 3, checksum: 'abc', tags: [], ...over };
}

/** A Glance holding `images`, with `members` (imageId → project → status); downloads are counted. */
function glance(images: GlanceImage[], members: Record<string, Record<string, string>> = {}): GlanceReader & { downloads: string[] } {
  const downloads: string[] = [];
  return {
    downloads,
    findImage: (id) => Promise.resolve(images.find((i) => i.id === id) ?? null),
    findImagesByName: (name) => Promise.resolve(images.filter((i) => i.name === name)),
    memberStatus: (id, project) => Promise.resolve(members[id]?.[project] ?? null),
    downloadImage: (id) => {
      downloads.push(id);
      return Promise.resolve(Readable.from([Buffer.from('tar')]));
    },
  };
}

function container(over: Partial<Container> = {}): Container {
  return fakeContainer({ image: ID, image_driver: 'glance', project_id: 'p1', image_pull_policy: null, ...over });
}

void describe('GlanceImageDriver', () => {
  test('downloads, loads and tags an image not on the host yet; the next create uses the tag', async () => {
    const g = glance([image()]);
    const driver = new FakeContainerDriver()
      .expect('imageInspect', () => Promise.reject(new ImageNotFound('no')))
      .expect('loadImage', () => Promise.resolve({ image_id: 'sha256:1', refs: ['busybox:latest'] }))
      .expect('tagImage')
      .expect('imageInspect', (_c, ref) => Promise.resolve({ id: 'sha256:1', repo_tags: [ref], repo_digests: [], size: 3, created: '', architecture: '', os: '', command: null, entrypoint: null, workdir: null, exposed_ports: [], labels: {} }));
    const d = new GlanceImageDriver(driver, () => g, silentLogger());
    assert.deepEqual(await d.pull(ctx, container()), { ref: `glance/${ID}:abc`, driver: 'glance' });
    assert.deepEqual(driver.callsOf('tagImage')[0]?.slice(1), ['sha256:1', `glance/${ID}`, 'abc']);
    assert.deepEqual(await d.pull(ctx, container({ image: 'web' })), { ref: `glance/${ID}:abc`, driver: 'glance' });
    assert.deepEqual(g.downloads, [ID]);
    driver.verify();
  });

  test('pull policy never: only what the host has', async () => {
    const driver = new FakeContainerDriver().expect('imageInspect', () => Promise.reject(new ImageNotFound('no')));
    const d = new GlanceImageDriver(driver, () => glance([image()]), silentLogger());
    await assert.rejects(d.pull(ctx, container({ image_pull_policy: 'never' })), /not present with pull policy of Never/);
    driver.verify();
  });

  test('an image that is not active, not a docker image, or not visible is refused before any download', async () => {
    const d = (img: GlanceImage): GlanceImageDriver => new GlanceImageDriver(new FakeContainerDriver(), () => glance([img]), silentLogger());
    await assert.rejects(d(image({ status: 'queued' })).pull(ctx, container()), /not active in Glance \(status queued\)/);
    await assert.rejects(d(image({ container_format: 'bare' })).pull(ctx, container()), InvalidValue);
    await assert.rejects(d(image({ owner: 'p2' })).pull(ctx, container()), (e: Error) => e instanceof ImageNotFound && /could not be found/.test(e.message));
  });
});

void describe('findVisibleImage', () => {
  test('own, public and community images by id or name; shared ones for members; others read as absent', async () => {
    const shared = image({ id: '1b9d6c1e-5f2a-4c3b-9d8e-7a6b5c4d3e2f', name: 'shared', owner: 'p2', visibility: 'shared' });
    const g = glance([image({ owner: 'p2', visibility: 'public' }), shared], { [shared.id]: { p1: 'pending', p3: 'accepted' } });
    assert.equal((await findVisibleImage(g, 'web', 'p1')).id, ID);
    assert.equal((await findVisibleImage(g, shared.id, 'p1')).id, shared.id); // by id: any membership
    await assert.rejects(findVisibleImage(g, 'shared', 'p1'), ImageNotFound); // listed only once accepted
    assert.equal((await findVisibleImage(g, 'shared', 'p3')).id, shared.id);
    await assert.rejects(findVisibleImage(g, shared.id, 'p4'), ImageNotFound);
  });

  test('two visible images of one name: use the id, as Zun says', async () => {
    const g = glance([image(), image({ id: '2b9d6c1e-5f2a-4c3b-9d8e-7a6b5c4d3e2f' })]);
    await assert.rejects(findVisibleImage(g, 'web', 'p1'), /Multiple images exist with same name/);
  });
});

void describe('ImageDrivers', () => {
  test('by the container\'s image_driver, the default for none; a driver this host has not enabled is refused', async () => {
    const driver = new FakeContainerDriver().expect('pullImage', () =>
      Promise.resolve({ repo: 'r/busybox', tag: 'latest', ref: 'r/busybox:latest', image_id: 'sha256:2', size: 1, pulled: true, driver: 'docker' as const }),
    );
    const drivers = new ImageDrivers([new DockerImageDriver(driver)]);
    assert.equal(drivers.for({ image_driver: null }).name, 'docker');
    assert.equal(drivers.for({ image_driver: 'None' }).name, 'docker');
    assert.throws(() => drivers.for({ image_driver: 'glance' }), /Image driver glance is not enabled on this host/);
    const pulled = await drivers.for({ image_driver: 'docker' }).pull(ctx, container({ image: 'busybox', image_driver: 'docker', image_pull_policy: 'always' }));
    assert.deepEqual([pulled.ref, pulled.driver], ['r/busybox:latest', 'docker']);
    assert.deepEqual(driver.callsOf('pullImage')[0]?.[1], { image: 'busybox', image_pull_policy: 'always' });
  });
});
