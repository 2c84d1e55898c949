import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestServer } from '../../tests/fixtures/test-api';

describe('version documents', () => {
  let api: TestServer;
  before(async () => {
    api = await startTestApi();
  });
  after(() => api.close());

  test('GET / is exactly Zun\'s root document', async () => {
    const res = await fetch(`${api.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const v1 = { id: 'v1', links: [{ href: `${api.url}/v1/`, rel: 'self' }], status: 'CURRENT', max_version: '1.40', min_version: '1.1' };
    assert.deepEqual(await res.json(), {
      name: 'OpenStack Zun API',
      description: 'Zun is an OpenStack project which aims to provide containers service.',
      versions: [v1],
      default_version: v1,
    });
  });

  test('GET /v1 (with or without slash) lists media types and resource links', async () => {
    for (const path of ['/v1', '/v1/']) {
      const res = await fetch(`${api.url}${path}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('openstack-api-version'), 'container 1.1');
      const doc = (await res.json()) as Record<string, unknown>;
      assert.equal(doc['id'], 'v1');
      assert.deepEqual(doc['media_types'], [{ base: 'application/json', type: 'application/vnd.openstack.zun.v1+json' }]);
      assert.deepEqual(doc['links'], [
        { href: `${api.url}/v1/`, rel: 'self' },
        { href: 'https://docs.openstack.org/developer/zun/dev/api-spec-v1.html', rel: 'describedby', type: 'text/html' },
      ]);
      for (const r of ['services', 'containers', 'images', 'networks', 'hosts', 'capsules', 'availability_zones', 'quotas', 'quota_classes', 'registries']) {
        assert.deepEqual(doc[r], [
          { href: `${api.url}/v1/${r}/`, rel: 'self' },
          { href: `${api.url}/${r}/`, rel: 'bookmark' },
        ], r);
      }
    }
  });

  test('other methods on the documents are 405', async () => {
    assert.equal((await fetch(`${api.url}/`, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${api.url}/v1`, { method: 'DELETE' })).status, 405);
  });
});
