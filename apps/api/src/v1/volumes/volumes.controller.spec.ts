import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, ContainerApi, zunError } from '../../../tests/fixtures/container-api.fixture';

type View = Record<string, unknown>;

describe('/v1/volumes: requests and answers', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start();
  });
  after(() => api.close());

  const count = async (): Promise<number> => (await api.db.volumes.list({ projectId: null, allProjects: true })).length;

  test('create: 202 with the view; size as an int or a digit string; shareable defaults to false', async () => {
    const r = await api.request('POST', '/v1/volumes', { body: { name: 'ctl-a', size: '3' } });
    assert.equal(r.status, 202, r.text);
    const v = r.body as View;
    assert.equal(r.headers.get('location'), `${api.url}/v1/volumes/${v['uuid'] as string}`);
    assert.deepEqual(Object.keys(v), ['uuid', 'links', 'name', 'size', 'status', 'status_reason', 'shareable', 'auto_remove', 'volume_provider', 'project_id', 'user_id', 'attachments', 'created_at', 'updated_at']);
    assert.equal(v['size'], 3);
    assert.equal(v['status'], 'available');
    assert.equal(v['shareable'], false);
    assert.equal(v['auto_remove'], false);
    assert.equal(v['volume_provider'], 'local');
    assert.equal(v['project_id'], 'pdemo');
    assert.equal(v['user_id'], 'demo');
    assert.deepEqual(v['attachments'], []);
    assert.deepEqual(v['links'], [
      { href: `${api.url}/v1/volumes/${v['uuid'] as string}`, rel: 'self' },
      { href: `${api.url}/volumes/${v['uuid'] as string}`, rel: 'bookmark' },
    ]);
    assert.match(String(v['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const unnamed = await api.request('POST', '/v1/volumes', { body: { size: 1, shareable: true }, headers: ADMIN });
    assert.equal(unnamed.status, 202, unnamed.text);
    assert.equal((unnamed.body as View)['name'], null);
    assert.equal((unnamed.body as View)['shareable'], true);
    assert.equal((unnamed.body as View)['host'], null, 'admins see the host');
  });

  test('create: bad bodies are 400 in Zun\'s format and write nothing', async () => {
    const before = await count();
    const cases: [unknown, string][] = [
      [{ size: 1, foo: 1 }, "Additional properties are not allowed ('foo' was unexpected)"],
      [{ name: 'x' }, "'size' is a required property"],
      [{ size: 0 }, "Invalid input for field 'size'.Value: '0'. 0 is less than the minimum of 1"],
      [{ size: '0' }, "Invalid input for field 'size'.Value: '0'. 0 is less than the minimum of 1"],
      [{ size: -2 }, "Invalid input for field 'size'.Value: '-2'. -2 is less than the minimum of 1"],
      [{ size: '1.5' }, "Invalid input for field 'size'.Value: '1.5'. '1.5' does not match '^[0-9]+$'"],
      [{ size: 'abc' }, "Invalid input for field 'size'.Value: 'abc'. 'abc' does not match '^[0-9]+$'"],
      [{ size: 1.5 }, "Invalid input for field 'size'.Value: '1.5'. 1.5 is not of type 'integer', 'string'"],
      [{ size: 1, shareable: 'true' }, "Invalid input for field 'shareable'.Value: 'true'. 'true' is not of type 'boolean'"],
      [{ size: 1, name: '' }, "Invalid input for field 'name'.Value: ''. '' should be non-empty"],
      [{ size: 1, name: 'bad name' }, "Invalid input for field 'name'.Value: 'bad name'. 'bad name' does not match '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$'"],
      [{ size: 1, name: '0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c' }, 'Invalid volume name 0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c: a name must not look like a uuid.'],
    ];
    for (const [body, detail] of cases) {
      const r = await api.request('POST', '/v1/volumes', { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(zunError(r.body).detail, detail, JSON.stringify(body));
    }
    const plain = await api.request('POST', '/v1/volumes', { body: '{"size": 1}', contentType: 'text/plain' });
    assert.equal(plain.status, 415);
    assert.equal(await count(), before);
  });

  test('list: {volumes, next}; unknown parameters and bad paging are 400; all_projects is admin-only', async () => {
    const r = await api.request('GET', '/v1/volumes');
    assert.equal(r.status, 200);
    const body = r.body as { volumes: View[]; next: string | null };
    assert.deepEqual(Object.keys(body), ['volumes', 'next']);
    assert.ok(body.volumes.every((v) => v['project_id'] === 'pdemo'));
    const cases: [string, number, string][] = [
      ['/v1/volumes?foo=1', 400, 'Unknown parameters: foo'],
      ['/v1/volumes?limit=0', 400, 'Limit must be positive integer'],
      ['/v1/volumes?sort_dir=up', 400, "Invalid sort direction: up. Acceptable values are 'asc' or 'desc'"],
      ['/v1/volumes?all_projects=1', 403, "Policy doesn't allow volume:get_all_all_projects to be performed."],
      ['/v1/volumes?marker=00000000-0000-4000-8000-000000000000', 404, 'Volume 00000000-0000-4000-8000-000000000000 could not be found.'],
    ];
    for (const [path, status, detail] of cases) {
      const e = await api.request('GET', path);
      assert.equal(e.status, status, path);
      assert.equal(zunError(e.body).detail, detail, path);
    }
  });

  test('show and delete: unknown is 404; another method on the resource is 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const r = await api.request(method, '/v1/volumes/nope');
      assert.equal(r.status, 404);
      assert.deepEqual(zunError(r.body), { request_id: '', code: 'container.volume-not-found', status: 404, title: 'Volume nope could not be found.', detail: 'Volume nope could not be found.', links: [] });
    }
    const put = await api.request('PUT', '/v1/volumes/nope', { body: {} });
    assert.equal(put.status, 405);
  });
});
