// End to end with Glance (image_driver glance): the stack's busybox, saved with `docker save` and uploaded to the
// stack's Glance as the demo project, runs with `zun run --image-driver glance`; a file written in it survives
// `zun commit` into a new Glance image, which runs in turn. An unknown image, and an image of another project, end
// the container in Error. Glance is started (tools/glance/glance-ctl) when it does not run: never skipped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { GlanceClient, type GlanceImage, findEndpoint, KeystonePasswordAuth } from '@zun-ts/glance-client';
import { ensureGlance, openrcEnv, parseShow, requireEnv, uniqueName, waitFor } from '@zun-ts/testing';
import { Cleanup, createdUuid, docker, dockerHost, LONG_RUNNING, ok, stackState, type StackUser, testName, zun, ZunPoller } from './fixtures/stack-cli';

/** A Glance client acting as a stack user (its openrc), on the catalog's public image endpoint. */
function glanceAs(user: StackUser): GlanceClient {
  const rc = openrcEnv(stackState(), user);
  const auth = new KeystonePasswordAuth({
    authUrl: rc['OS_AUTH_URL'] ?? '',
    username: rc['OS_USERNAME'] ?? user,
    password: rc['OS_PASSWORD'] ?? '',
    projectName: rc['OS_PROJECT_NAME'] ?? user,
  });
  const endpoint = async (): Promise<string> => {
    const url = findEndpoint(await auth.catalog(), 'image', 'public', null);
    assert.ok(url, 'the catalog has no public image endpoint (tools/glance/glance-ctl registers it)');
    return url;
  };
  return new GlanceClient({ endpoint, auth });
}

/** `docker save <ref>` of the stack's engine, streamed into a new Glance image (container format docker). */
async function uploadSaved(glance: GlanceClient, ref: string, name: string): Promise<GlanceImage> {
  const img = await glance.createImage({ name, container_format: 'docker', disk_format: 'raw', visibility: 'private' });
  const save = spawn('docker', ['-H', dockerHost(), 'save', ref], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  save.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => save.on('close', resolve));
  await glance.uploadImage(img.id, save.stdout);
  assert.equal(await exited, 0, `docker save ${ref}: ${stderr}`);
  const shown = await glance.getImage(img.id);
  assert.equal(shown.status, 'active');
  return shown;
}

void describe('zun with Glance images: run, commit, run the commit', { concurrency: 1 }, () => {
  const cleanup = new Cleanup();
  const glanceImages: Array<[GlanceClient, string]> = [];
  let poller: ZunPoller;
  let demo: GlanceClient;
  let alt: GlanceClient;
  let base: GlanceImage;

  before(async () => {
    await ensureGlance();
    poller = await ZunPoller.login('demo');
    demo = glanceAs('demo');
    alt = glanceAs('alt_demo');
    const busybox = `${requireEnv('ZUN_TEST_REGISTRY', '127.0.0.1:5050')}/busybox:latest`;
    ok(await docker('image', 'inspect', busybox), `the stack's ${busybox} (tools/stack up seeds it)`);
    base = await uploadSaved(demo, busybox, uniqueName('busybox'));
    glanceImages.push([demo, base.id]);
  });

  after(async () => {
    await cleanup.run(poller);
    for (const [client, id] of glanceImages) await client.deleteImage(id);
  });

  const name = testName('glance');
  let uuid = '';

  test('zun run --image-driver glance <name>: Running from the image loaded out of Glance', async () => {
    uuid = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--image-driver', 'glance', '--name', name, base.name ?? '', ...LONG_RUNNING), 'zun run')));
    await poller.settled(uuid, 'Running', 120_000);
    const shown = parseShow(ok(await zun('demo', 'show', name), 'zun show'));
    assert.deepEqual([shown['image'], shown['image_driver']], [base.name, 'glance']);
    // the engine keeps it under the Glance id and checksum: a second container finds it without a download
    ok(await docker('image', 'inspect', cleanup.image(`glance/${base.id}:${base.checksum}`)), 'the loaded image is tagged with its Glance id and checksum');
  });

  let committed = '';
  test('zun commit <container> <repo>:<tag>: a new Glance image, active, container format docker, holding the written file', async () => {
    ok(await zun('demo', 'exec', name, 'sh', '-c', 'echo made-in-glance-run > /tmp/made'), 'zun exec');
    const repo = uniqueName('committed');
    cleanup.image(`${repo}:v1`);
    const out = ok(await zun('demo', 'commit', name, `${repo}:v1`), 'zun commit');
    const m = /The image is ([0-9a-f-]{36})\./.exec(out);
    assert.ok(m?.[1], out);
    committed = m[1];
    glanceImages.push([demo, committed]);
    const img = await waitFor(async () => {
      const i = await demo.getImage(committed);
      return i.status === 'active' ? i : null;
    }, { what: `Glance image ${committed} to become active`, timeoutMs: 120_000, intervalMs: 250 });
    assert.deepEqual([img.name, img.tags, img.container_format, img.disk_format, img.owner], [repo, ['v1'], 'docker', 'raw', base.owner]);
    assert.ok((img.size ?? 0) > 100_000, `a docker save archive of ${img.size} bytes`);
    await poller.settled(uuid, 'Running');
    // the commit's action and its event, finished once the upload ended
    const actions = ok(await zun('demo', 'action-list', name), 'zun action-list');
    assert.match(actions, /\| commit +\| None +\|/);
  });

  test('zun run --image-driver glance <new image id>: the container sees the file', async () => {
    const second = testName('glance-commit');
    const u = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--image-driver', 'glance', '--name', second, committed, 'cat', '/tmp/made'), 'zun run')));
    await poller.settled(u, 'Stopped', 120_000);
    assert.equal(ok(await zun('demo', 'logs', second), 'zun logs').trim(), 'made-in-glance-run');
    const img = await demo.getImage(committed);
    cleanup.image(`glance/${committed}:${img.checksum}`);
  });

  /** A run the API refuses (400, image validation) or a container that ends in Error: the reason. */
  async function refused(user: StackUser, image: string): Promise<string> {
    const r = await zun(user, 'run', '--image-driver', 'glance', '--name', testName('glance-bad'), image, 'true');
    if (r.code !== 0) return r.stderr;
    const u = cleanup.container(createdUuid(r.stdout));
    const c = await poller.settled(u, 'Error', 60_000);
    return String(c.status_reason);
  }

  test('an image Glance does not have: not found', async () => {
    assert.match(await refused('demo', uniqueName('no-such-image')), /could not be found|not found/i);
  });

  test('a private image of another project is not visible, by id or by name', async () => {
    const theirs = await alt.createImage({ name: uniqueName('alt-private'), visibility: 'private' });
    glanceImages.push([alt, theirs.id]);
    assert.match(await refused('demo', theirs.id), /could not be found|not found/i);
    assert.match(await refused('demo', theirs.name ?? ''), /could not be found|not found/i);
  });
});
