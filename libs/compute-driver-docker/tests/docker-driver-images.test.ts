import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '@zun-ts/common';
import { DockerContainerDriver } from '../src';
import { DockerUnavailable, ImageNotFound } from '../src/driver-contract';
import { dockerTestEnv, type DockerTestEnv, TEST_LABEL } from './fixtures/docker-env';

let env: DockerTestEnv;
/** `busybox:<tag>` exists only in the registry (pushed here, removed from the engine). */
let tag: string;
let fullRef: string;
/** Manifests pushed to the registry here (removed afterwards). */
const digests: string[] = [];

async function followProgress(stream: NodeJS.ReadableStream): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const errors: string[] = [];
    env.docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve(errors)),
      (e: { error?: string }) => void (e.error && errors.push(e.error)),
    );
  });
}

async function present(ref: string): Promise<boolean> {
  return env.docker
    .getImage(ref)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

before(async () => {
  env = await dockerTestEnv();
  tag = `zt-${env.runId}`;
  fullRef = `${env.registry}/busybox:${tag}`;
  // An image of its own (a label makes the manifest unique), so deleting it from the registry afterwards
  // cannot take busybox:latest with it.
  const c = await env.docker.createContainer({ Image: env.busybox, Labels: { [TEST_LABEL]: env.runId } });
  await c.commit({ repo: `${env.registry}/busybox`, tag, changes: `LABEL ${TEST_LABEL}=${env.runId}` });
  await c.remove({ force: true });
  const errors = await followProgress(await env.docker.getImage(fullRef).push({ authconfig: {} }));
  assert.deepEqual(errors, [], 'push of the test image');
  const head = await fetch(`http://${env.registry}/v2/busybox/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  const digest = head.headers.get('docker-content-digest');
  if (digest) digests.push(digest);
  await env.docker.getImage(fullRef).remove();
  assert.equal(await present(fullRef), false);
  env.images.add(fullRef);
});

after(async () => {
  for (const digest of digests) {
    // Best effort: the registry may not allow deletes.
    await fetch(`http://${env.registry}/v2/busybox/manifests/${digest}`, { method: 'DELETE' }).catch(() => undefined);
  }
  await env?.cleanup();
});

describe('pullImage against a real registry', () => {
  test('never, image absent → ImageNotFound', async () => {
    await assert.rejects(env.driver.pullImage(env.ctx, { image: `busybox:${tag}`, image_pull_policy: 'never' }), (e: unknown) => {
      assert.ok(e instanceof ImageNotFound);
      assert.equal(e.message, `Image ${env.registry}/busybox not present with pull policy of Never`);
      return true;
    });
  });

  test('ifnotpresent pulls an absent image, resolving `busybox` against default_registry', async () => {
    const r = await env.driver.pullImage(env.ctx, { image: `busybox:${tag}`, image_pull_policy: 'IfNotPresent' });
    assert.deepEqual([r.repo, r.tag, r.ref, r.pulled, r.driver], [`${env.registry}/busybox`, tag, fullRef, true, 'docker']);
    const img = await env.driver.imageInspect(env.ctx, fullRef);
    assert.equal(img.id, r.image_id);
    assert.equal(img.labels[TEST_LABEL], env.runId);
    assert.ok(r.size > 0);
  });

  test('ifnotpresent and never use the local copy once present', async () => {
    const a = await env.driver.pullImage(env.ctx, { image: `busybox:${tag}`, image_pull_policy: 'ifnotpresent' });
    const b = await env.driver.pullImage(env.ctx, { image: `busybox:${tag}`, image_pull_policy: 'never' });
    assert.deepEqual([a.pulled, b.pulled], [false, false]);
  });

  test('always: an image the host has whose tag the registry still names is not pulled again; once the tag names another image, it is', async () => {
    const same = await env.driver.pullImage(env.ctx, { image: `busybox:${tag}`, image_pull_policy: 'always' });
    assert.equal(same.pulled, false);
    // Move the tag in the registry to another image, then give this engine's old image the tag back.
    const c = await env.docker.createContainer({ Image: env.busybox, Labels: { [TEST_LABEL]: env.runId } });
    await c.commit({ repo: `${env.registry}/busybox`, tag, changes: `LABEL ${TEST_LABEL}=${env.runId}-moved` });
    await c.remove({ force: true });
    assert.deepEqual(await followProgress(await env.docker.getImage(fullRef).push({ authconfig: {} })), [], 'push of the moved tag');
    const moved = (await env.docker.getImage(fullRef).inspect()).Id;
    digests.push(...(await env.docker.getImage(fullRef).inspect()).RepoDigests.map((d) => d.slice(d.indexOf('@') + 1)));
    await env.docker.getImage(same.image_id).tag({ repo: `${env.registry}/busybox`, tag });
    assert.equal((await env.docker.getImage(fullRef).inspect()).Id, same.image_id);

    const r = await env.driver.pullImage(env.ctx, { image: `busybox:${tag}`, image_pull_policy: 'always' });
    assert.deepEqual([r.pulled, r.image_id], [true, moved]);
    assert.equal((await env.driver.imageInspect(env.ctx, fullRef)).labels[TEST_LABEL], `${env.runId}-moved`);
    await env.docker.getImage(same.image_id).remove().catch(() => undefined);
  });

  test('unset policy: ifnotpresent for a pinned tag, always for latest (which the host has, unchanged)', async () => {
    assert.equal((await env.driver.pullImage(env.ctx, { image: `busybox:${tag}` })).pulled, false);
    const latest = await env.driver.pullImage(env.ctx, { image: 'busybox' });
    assert.deepEqual([latest.ref, latest.pulled], [`${env.registry}/busybox:latest`, false]);
  });

  test("the container's registry wins over default_registry; a full reference is used as is", async () => {
    const elsewhere = new DockerContainerDriver({ host: env.dockerHost, defaultRegistry: 'registry.invalid:1' });
    const viaRegistry = await elsewhere.pullImage(env.ctx, { image: `busybox:${tag}`, registry: { domain: env.registry }, image_pull_policy: 'always' });
    assert.equal(viaRegistry.ref, fullRef);
    const full = await elsewhere.pullImage(env.ctx, { image: fullRef, image_pull_policy: 'always' });
    assert.equal(full.ref, fullRef);
  });

  test('a tag the registry does not have → ImageNotFound', async () => {
    await assert.rejects(env.driver.pullImage(env.ctx, { image: `busybox:zt-missing-${env.runId}`, image_pull_policy: 'always' }), ImageNotFound);
  });

  test('removeImage removes, and removing again is not an error', async () => {
    await env.driver.removeImage(env.ctx, fullRef);
    assert.equal(await present(fullRef), false);
    await assert.rejects(env.driver.imageInspect(env.ctx, fullRef), ImageNotFound);
    await env.driver.removeImage(env.ctx, fullRef);
  });
});

describe('engine connection', () => {
  test('a socket nobody listens on → DockerUnavailable (retryable)', async () => {
    const gone = new DockerContainerDriver({ host: `unix://${join(tmpdir(), `zt-no-such-docker-${env.runId}.sock`)}` });
    await assert.rejects(gone.ping(), (e: unknown) => e instanceof DockerUnavailable && e.retryable);
  });

  test('tcp:// is refused at construction', () => {
    assert.throws(() => new DockerContainerDriver({ host: 'tcp://127.0.0.1:2375' }), ConfigError);
  });
});
