import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SecretBox } from '@zun-ts/common';
import { ADMIN, ALT, ContainerApi, DEMO, zunError } from '../../../tests/fixtures/container-api.fixture';

type View = Record<string, unknown>;
const KEY = 'k'.repeat(32);
const PASSWORD = 'S3cret-pa55word';

describe('/v1/registries: requests and answers', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start({ flags: ['--api.auth_strategy=noauth', `--DEFAULT.auth_encryption_key=${KEY}`] });
  });
  after(() => api.close());

  const all = { projectId: null, allProjects: true };
  const count = async (): Promise<number> => (await api.db.registries.list(all)).length;
  const create = async (registry: Record<string, unknown>, headers = DEMO): Promise<View> => {
    const r = await api.request('POST', '/v1/registries', { body: { registry }, headers });
    assert.equal(r.status, 201, r.text);
    return (r.body as { registry: View }).registry;
  };

  test('create: 201 with the wrapped view and Location; the password is "***" and stored sealed', async () => {
    const r = await api.request('POST', '/v1/registries', { body: { registry: { name: 'ctl-a', domain: 'reg.example.com:5000', username: 'alice', password: PASSWORD } }, headers: DEMO });
    assert.equal(r.status, 201, r.text);
    assert.ok(!r.text.includes(PASSWORD));
    const v = (r.body as { registry: View }).registry;
    assert.deepEqual(Object.keys(r.body as object), ['registry']);
    assert.deepEqual(Object.keys(v), ['uuid', 'links', 'user_id', 'project_id', 'name', 'domain', 'username', 'password']);
    assert.equal(r.headers.get('location'), `${api.url}/v1/registries/${v['uuid'] as string}`);
    assert.deepEqual(v['links'], [
      { href: `${api.url}/v1/registries/${v['uuid'] as string}`, rel: 'self' },
      { href: `${api.url}/registries/${v['uuid'] as string}`, rel: 'bookmark' },
    ]);
    assert.equal(v['password'], '***');
    assert.equal(v['project_id'], 'pdemo');
    assert.equal(v['user_id'], 'demo');
    const row = await api.db.registries.get(all, String(v['uuid']));
    const sealed = row.password ?? '';
    assert.ok(sealed.startsWith('zun1:'));
    assert.ok(!sealed.includes(PASSWORD));
    assert.equal(new SecretBox(KEY).open(sealed), PASSWORD);
    const bare = await create({ domain: 'bare.example.com' });
    assert.equal(bare['name'], null);
    assert.equal(bare['username'], null);
    assert.equal(bare['password'], '***');
    assert.equal((await api.db.registries.get(all, String(bare['uuid']))).password, null);
  });

  test('create: bad bodies are 400 in Zun\'s format, never echo the password, and write nothing', async () => {
    const before = await count();
    const cases: [unknown, string][] = [
      [{ registry: { username: 'u', password: PASSWORD } }, "Invalid input for field 'registry'.Value: '{'username': 'u', 'password': '***'}'. 'domain' is a required property"],
      [{ registry: { domain: '' } }, "Invalid input for field 'domain'.Value: ''. '' should be non-empty"],
      [{ registry: { domain: 'd', name: 'bad name' } }, "Invalid input for field 'name'.Value: 'bad name'. 'bad name' does not match '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$'"],
      [{ registry: { domain: 'd', foo: 1 } }, "Invalid input for field 'registry'.Value: '{'domain': 'd', 'foo': 1}'. Additional properties are not allowed ('foo' was unexpected)"],
      [{ registry: { domain: 'd' }, foo: 1 }, "Additional properties are not allowed ('foo' was unexpected)"],
      [{ domain: 'd' }, "'registry' is a required property"],
      [{ registry: { domain: 'd', password: PASSWORD.repeat(20) } }, `Invalid input for field 'password'.Value: '***'. '***' is too long`],
    ];
    for (const [body, detail] of cases) {
      const r = await api.request('POST', '/v1/registries', { body, headers: DEMO });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(zunError(r.body).code, 'container.schema-validation-error');
      assert.equal(zunError(r.body).detail, detail, `${JSON.stringify(body)} → ${zunError(r.body).detail}`);
      assert.ok(!r.text.includes(PASSWORD));
    }
    const plain = await api.request('POST', '/v1/registries', { body: '{"registry": {"domain": "d"}}', contentType: 'text/plain', headers: DEMO });
    assert.equal(plain.status, 415);
    assert.equal(await count(), before);
  });

  test('list: {registries, next}, filters, paging; unknown parameters are 400; all_projects is admin-only', async () => {
    const tag = randomUUID().slice(0, 8);
    const mine = [await create({ domain: `${tag}.a`, username: 'u1' }), await create({ domain: `${tag}.b`, username: 'u2' })];
    await create({ domain: `${tag}.a` }, ALT);
    const r = await api.request('GET', '/v1/registries', { headers: DEMO });
    assert.equal(r.status, 200);
    const body = r.body as { registries: View[]; next: string | null };
    assert.deepEqual(Object.keys(body), ['registries', 'next']);
    assert.ok(body.registries.every((v) => v['project_id'] === 'pdemo' && v['password'] === '***'));
    const filtered = await api.request('GET', `/v1/registries?domain=${tag}.a`, { headers: DEMO });
    assert.deepEqual((filtered.body as typeof body).registries.map((v) => v['uuid']), [mine[0]?.['uuid']]);
    const byUser = await api.request('GET', `/v1/registries?username=u2&project_id=pdemo&user_id=demo`, { headers: DEMO });
    assert.deepEqual((byUser.body as typeof body).registries.map((v) => v['uuid']), [mine[1]?.['uuid']]);
    const page = await api.request('GET', '/v1/registries?limit=1', { headers: DEMO });
    assert.match(String((page.body as typeof body).next), /\/v1\/registries\?sort_key=id&sort_dir=asc&limit=1&marker=/);
    const everyone = await api.request('GET', `/v1/registries?all_projects=True&domain=${tag}.a`, { headers: ADMIN });
    assert.equal((everyone.body as typeof body).registries.length, 2);
    const cases: [string, number, string][] = [
      ['/v1/registries?foo=1', 400, 'Unknown parameters: foo'],
      ['/v1/registries?password=x', 400, 'Unknown parameters: password'],
      ['/v1/registries?limit=0', 400, 'Limit must be positive integer'],
      ['/v1/registries?sort_dir=up', 400, "Invalid sort direction: up. Acceptable values are 'asc' or 'desc'"],
      ['/v1/registries?all_projects=1', 403, "Policy doesn't allow registry:get_all_all_projects to be performed."],
      ['/v1/registries?marker=00000000-0000-4000-8000-000000000000', 404, 'Registry 00000000-0000-4000-8000-000000000000 could not be found.'],
    ];
    for (const [path, status, detail] of cases) {
      const e = await api.request('GET', path, { headers: DEMO });
      assert.equal(e.status, status, path);
      assert.equal(zunError(e.body).detail, detail, path);
    }
  });

  test('show, update, delete: by uuid or name; another project\'s registry is 404; a shared name is 409', async () => {
    const name = `r-${randomUUID().slice(0, 8)}`;
    const v = await create({ name, domain: 'show.example.com', username: 'bob', password: PASSWORD });
    const shown = await api.request('GET', `/v1/registries/${name}`, { headers: DEMO });
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body, { registry: v });
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const other = await api.request(method, `/v1/registries/${String(v['uuid'])}`, { headers: ALT, ...(method === 'PATCH' ? { body: { registry: { username: 'x' } } } : {}) });
      assert.equal(other.status, 404, method);
      assert.deepEqual(zunError(other.body), {
        request_id: '', code: 'container.registry-not-found', status: 404,
        title: `Registry ${String(v['uuid'])} could not be found.`, detail: `Registry ${String(v['uuid'])} could not be found.`, links: [],
      });
    }
    assert.equal((await api.request('GET', `/v1/registries/${String(v['uuid'])}`, { headers: ADMIN })).status, 200, 'admins see every project');
    const patched = await api.request('PATCH', `/v1/registries/${name}`, { headers: DEMO, body: { registry: { username: 'carol', password: 'n3w-pass' } } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((patched.body as { registry: View }).registry['username'], 'carol');
    assert.equal((patched.body as { registry: View }).registry['password'], '***');
    assert.equal(new SecretBox(KEY).open((await api.db.registries.get(all, String(v['uuid']))).password ?? ''), 'n3w-pass');
    const badPatch = await api.request('PATCH', `/v1/registries/${name}`, { headers: DEMO, body: { registry: { uuid: 'x' } } });
    assert.equal(badPatch.status, 400);
    await create({ name, domain: 'twin.example.com' });
    const twin = await api.request('GET', `/v1/registries/${name}`, { headers: DEMO });
    assert.equal(twin.status, 409);
    assert.equal(zunError(twin.body).detail, 'Multiple registries exist with same name. Please use the registry uuid instead.');
    const del = await api.request('DELETE', `/v1/registries/${String(v['uuid'])}`, { headers: DEMO, contentType: 'application/octet-stream' });
    assert.equal(del.status, 204);
    assert.equal((await api.request('GET', `/v1/registries/${String(v['uuid'])}`, { headers: DEMO })).status, 404);
  });

  test('a container create names a registry of its project (1.31); the view shows its uuid; delete while in use is 409', async () => {
    const name = `r-${randomUUID().slice(0, 8)}`;
    const v = await create({ name, domain: 'pull.example.com', username: 'u', password: PASSWORD });
    const low = await api.request('POST', '/v1/containers', { body: { image: 'busybox', registry: name }, headers: DEMO, version: '1.30' });
    assert.equal(low.status, 400);
    assert.equal(zunError(low.body).code, 'container.invalid-param-in-version');
    const alt = await api.request('POST', '/v1/containers', { body: { image: 'busybox', registry: name }, headers: ALT });
    assert.equal(alt.status, 404);
    assert.equal(zunError(alt.body).detail, `Registry ${name} could not be found.`);
    const made = await api.request('POST', '/v1/containers', { body: { image: 'busybox', registry: name }, headers: DEMO, version: '1.31' });
    assert.equal(made.status, 202, made.text);
    const c = made.body as View;
    assert.equal(c['registry_id'], v['uuid']);
    const row = await api.db.containers.getByIdent({ projectId: null, allProjects: true }, String(c['uuid']));
    assert.equal(row.registry_id, (await api.db.registries.get(all, String(v['uuid']))).id);
    const listed = await api.request('GET', '/v1/containers', { headers: DEMO });
    assert.equal((listed.body as { containers: View[] }).containers.find((x) => x['uuid'] === c['uuid'])?.['registry_id'], v['uuid']);
    const del = await api.request('DELETE', `/v1/registries/${name}`, { headers: DEMO });
    assert.equal(del.status, 409);
    assert.equal(zunError(del.body).code, 'container.registry-in-use');
    assert.equal(zunError(del.body).detail, `Registry ${String(v['uuid'])} is in use by container ${String(c['uuid'])}.`);
  });
});
