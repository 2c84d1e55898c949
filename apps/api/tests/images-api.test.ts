// /v1/images over a real SQLite database with recording RPC, and image search and validation against the stack's
// registry (ZUN_TEST_REGISTRY, seeded with busybox) as [docker] default_registry.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ImageNotFound } from '@zun-ts/common';
import { requireEnv } from '@zun-ts/testing';
import { ADMIN, ContainerApi, zunError } from './fixtures/container-api.fixture';

type View = Record<string, unknown>;
const registry = requireEnv('ZUN_TEST_REGISTRY', '127.0.0.1:5050');
const HOST = 'cn-img';

describe('/v1/images', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start({ flags: ['--api.auth_strategy=noauth', `--docker.default_registry=${registry}`, '--DEFAULT.image_driver_list=docker'] });
    await api.addComputeHost(HOST);
  });
  after(() => api.close());
  beforeEach(() => {
    api.rpc.sent.length = 0;
    api.rpc.castError = null;
  });

  async function pull(body: Record<string, unknown>): Promise<View> {
    const r = await api.request('POST', '/v1/images/', { body, headers: ADMIN });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.headers.get('location'), `${api.url}/v1/images/${String((r.body as View)['uuid'])}`);
    return r.body as View;
  }
  const rows = async (): Promise<number> => (await api.db.images.list()).length;

  test('an admin pull makes a row (default registry prefixed, tag latest) and casts imagePull to that host', async () => {
    const v = await pull({ repo: 'busybox', host: HOST, image_pull_policy: 'IfNotPresent' });
    assert.deepEqual(Object.keys(v), ['uuid', 'links', 'image_id', 'repo', 'tag', 'size', 'project_id', 'host']);
    assert.deepEqual([v['repo'], v['tag'], v['host'], v['image_id'], v['size'], v['project_id']], [`${registry}/busybox`, 'latest', HOST, null, null, 'padmin']);
    const [cast] = api.rpc.of('imagePull');
    assert.equal(cast?.topic, `compute.${HOST}`);
    assert.equal((cast?.args['image'] as View)['uuid'], v['uuid']);
    assert.equal(cast?.args['image_pull_policy'], 'ifnotpresent');
    const tagged = await pull({ repo: `${registry}/busybox:1.0`, host: HOST });
    assert.deepEqual([tagged['repo'], tagged['tag']], [`${registry}/busybox`, '1.0']);
  });

  test('bad input is a 4xx in Zun\'s format and writes nothing', async () => {
    const before = await rows();
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ repo: 'a', host: HOST }, 400, /'a' is too short/],
      [{ repo: 'b'.repeat(256), host: HOST }, 400, /is too long/],
      [{ repo: 'busybox', tag: 'bad tag!', host: HOST }, 400, /Invalid input for field 'tag'/],
      [{ repo: 'busybox', host: 'nope' }, 400, /^The host nope does not exist\.$/],
      [{ repo: 'busybox', host: HOST, size: '12x' }, 400, /Invalid input for field 'size'/],
      [{ repo: 'busybox', host: HOST, colour: 'red' }, 400, /Additional properties are not allowed/],
      [{ host: HOST }, 400, /'repo' is a required property/],
      [{ repo: 'Busy/Box', host: HOST }, 400, /Invalid image reference/],
    ];
    for (const [body, status, detail] of cases) {
      const r = await api.request('POST', '/v1/images', { body, headers: ADMIN });
      assert.equal(r.status, status, JSON.stringify(body));
      assert.match(zunError(r.body).detail, detail, JSON.stringify(body));
    }
    const textBody = await api.request('POST', '/v1/images', { body: 'repo=busybox', headers: ADMIN, contentType: 'text/plain' });
    assert.equal(textBody.status, 415);
    const demo = await api.request('POST', '/v1/images', { body: { repo: 'busybox', host: HOST } });
    assert.equal(demo.status, 403);
    assert.equal(zunError(demo.body).detail, "Policy doesn't allow image:pull to be performed.");
    assert.equal(await rows(), before);
    assert.equal(api.rpc.sent.length, 0);
  });

  test('a duplicate (repo, tag, host) is 409; a cast that cannot be sent leaves no row', async () => {
    const name = `dup-${randomUUID().slice(0, 6)}`;
    await pull({ repo: name, host: HOST });
    const again = await api.request('POST', '/v1/images', { body: { repo: `${name}:latest`, host: HOST }, headers: ADMIN });
    assert.equal(again.status, 409);
    assert.equal(zunError(again.body).detail, `An image with tag latest and repo ${registry}/${name} already exists.`);
    const before = await rows();
    api.rpc.castError = new Error('redis down');
    const failed = await api.request('POST', '/v1/images', { body: { repo: `other-${name}`, host: HOST }, headers: ADMIN });
    assert.equal(failed.status, 500);
    assert.equal(await rows(), before);
  });

  test('list pages with Zun\'s next link; show by uuid only; both admin only', async () => {
    const made = [await pull({ repo: `pg-${randomUUID().slice(0, 6)}`, host: HOST }), await pull({ repo: `pg-${randomUUID().slice(0, 6)}`, host: HOST })];
    const all = (await api.request('GET', '/v1/images/', { headers: ADMIN })).body as { images: View[]; next: string | null };
    assert.ok(made.every((m) => all.images.some((i) => i['uuid'] === m['uuid'])));
    const first = made[0] as View;
    const page = (await api.request('GET', `/v1/images?limit=1&marker=${String(first['uuid'])}`, { headers: ADMIN })).body as { images: View[]; next: string | null };
    assert.deepEqual(page.images.map((i) => i['uuid']), [made[1]?.['uuid']]);
    assert.equal(page.next, `${api.url}/v1/images?sort_key=id&sort_dir=asc&limit=1&marker=${String(made[1]?.['uuid'])}`);
    const shown = await api.request('GET', `/v1/images/${String(first['uuid'])}`, { headers: ADMIN });
    assert.deepEqual(shown.body, first);
    for (const ident of ['busybox', randomUUID()]) {
      const r = await api.request('GET', `/v1/images/${ident}`, { headers: ADMIN });
      assert.equal(r.status, 404);
      assert.equal(zunError(r.body).detail, `Image ${ident} could not be found.`);
    }
    assert.equal((await api.request('GET', '/v1/images')).status, 403);
    assert.equal((await api.request('GET', `/v1/images/${String(first['uuid'])}`)).status, 403);
    assert.equal((await api.request('GET', '/v1/images?sort_key=nope', { headers: ADMIN })).status, 400);
    assert.equal((await api.request('GET', '/v1/images?limit=0', { headers: ADMIN })).status, 400);
  });

  test('delete casts imageDelete to the image\'s host; refused (409) while a container on that host uses the image', async () => {
    const name = `del-${randomUUID().slice(0, 6)}`;
    const v = await pull({ repo: name, host: HOST });
    const user = await api.addContainer({ image: name, host: HOST });
    const busy = await api.request('DELETE', `/v1/images/${String(v['uuid'])}`, { headers: ADMIN });
    assert.equal(busy.status, 409);
    assert.equal(zunError(busy.body).code, 'container.image-in-use');
    assert.equal(zunError(busy.body).detail, `Image ${registry}/${name}:latest is in use by container ${user.uuid} and cannot be deleted.`);
    assert.equal(api.rpc.of('imageDelete').length, 0);
    await api.db.containers.destroy(user.uuid);
    assert.equal((await api.request('DELETE', `/v1/images/${String(v['uuid'])}`)).status, 403);
    const ok = await api.request('DELETE', `/v1/images/${String(v['uuid'])}`, { headers: ADMIN });
    assert.equal(ok.status, 200);
    const [cast] = api.rpc.of('imageDelete');
    assert.equal(cast?.topic, `compute.${HOST}`);
    assert.equal((cast?.args['image'] as View)['uuid'], v['uuid']);
    // The host removes the row once the engine let the image go.
    assert.equal((await api.db.images.getByUuid(String(v['uuid']))).uuid, v['uuid']);
    await assert.rejects(api.db.images.getByUuid(randomUUID()), ImageNotFound);
  });

  test('search (any project member) finds repositories of the default registry by prefix or whole name', async () => {
    const byPrefix = await api.request('GET', '/v1/images/busy/search');
    assert.equal(byPrefix.status, 200, byPrefix.text);
    const found = (byPrefix.body as View[]).find((r) => r['name'] === `${registry}/busybox`);
    assert.ok(found, byPrefix.text);
    assert.deepEqual(Object.keys(found).sort(), ['id', 'metadata', 'name', 'size', 'status', 'tags']);
    assert.ok((found['tags'] as string[]).includes('latest'));
    assert.deepEqual(found['metadata'], { registry });
    const exact = await api.request('GET', '/v1/images/busybox/search?exact_match=True&image_driver=docker');
    assert.deepEqual((exact.body as View[]).map((r) => r['name']), [`${registry}/busybox`]);
    assert.deepEqual((await api.request('GET', '/v1/images/busy/search?exact_match=true')).body, []);
    const glance = await api.request('GET', '/v1/images/busy/search?image_driver=glance');
    assert.equal(glance.status, 400);
    assert.equal(zunError(glance.body).detail, 'Image driver glance is not enabled.');
    assert.equal((await api.request('GET', '/v1/images/busy/search?exact_match=maybe')).status, 400);
    assert.equal((await api.request('GET', '/v1/images/busy/search?colour=red')).status, 400);
  });

  test('image validation: a create naming an image the registry lacks is 400 at once, with nothing written', async () => {
    const before = await api.counts();
    const r = await api.request('POST', '/v1/containers', { body: { image: 'busybxo', name: 'misspelt' } });
    assert.equal(r.status, 400, r.text);
    assert.deepEqual([zunError(r.body).code, zunError(r.body).detail], ['container.image-not-found', 'Image busybxo could not be found.']);
    const tag = await api.request('POST', '/v1/containers', { body: { image: 'busybox:no-such-tag' } });
    assert.equal(tag.status, 400);
    assert.deepEqual(await api.counts(), before);
    const ok = await api.request('POST', '/v1/containers', { body: { image: 'busybox', name: 'present' } });
    assert.equal(ok.status, 202, ok.text);
  });
});

describe('image validation off, or a registry that cannot be reached', () => {
  test('with enable_image_validation false a missing image is accepted; an unreachable registry lets the create go on', async () => {
    for (const flags of [[`--docker.default_registry=${registry}`, '--api.enable_image_validation=false'], ['--docker.default_registry=127.0.0.1:1']]) {
      const api = await ContainerApi.start({ flags: ['--api.auth_strategy=noauth', ...flags] });
      try {
        const r = await api.request('POST', '/v1/containers', { body: { image: 'busybxo' } });
        assert.equal(r.status, 202, `${flags.join(' ')}: ${r.text}`);
      } finally {
        await api.close();
      }
    }
  });
});
