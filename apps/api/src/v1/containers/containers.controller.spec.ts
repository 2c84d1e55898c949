import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerNotFound, MessagingUnavailable } from '@zun-ts/common';
import { ADMIN, ALT, ContainerApi, zunError } from '../../../tests/fixtures/container-api.fixture';

const CLIENT_CREATE = { auto_remove: false, labels: {}, environment: {}, hints: {}, nets: [], mounts: [], command: [] };

type View = Record<string, unknown>;

describe('POST /v1/containers', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start();
  });
  after(() => api.close());
  beforeEach(() => {
    api.rpc.sent.length = 0;
    api.rpc.castError = null;
  });

  test('create as the client sends it: 202, Location, Creating row, create action, buildContainer cast', async () => {
    const r = await api.request('POST', '/v1/containers?run=true', { body: { ...CLIENT_CREATE, image: 'busybox', name: 'web-1', command: ['sleep', '60'], cpu: '0.5', memory: '256', hints: { 'label:zone': 'a' }, availability_zone: 'nova' } });
    assert.equal(r.status, 202);
    const v = r.body as View;
    assert.equal(r.headers.get('location'), `${api.url}/v1/containers/${v['uuid'] as string}`);
    assert.equal(v['status'], 'Creating');
    assert.equal(v['task_state'], null);
    assert.equal(v['name'], 'web-1');
    assert.equal(v['cpu'], 0.5);
    assert.equal(v['memory'], '256');
    assert.deepEqual(v['command'], ['sleep', '60']);
    assert.equal(v['addresses'], null);
    assert.ok(!('host' in v), 'host is admin-only');
    assert.match(String(v['created_at']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);

    const row = await api.db.containers.getByUuid({ projectId: 'pdemo', allProjects: false }, v['uuid'] as string);
    assert.equal(row.status, 'Creating');
    assert.equal(row.host, null);
    assert.equal(row.project_id, 'pdemo');
    const requestId = r.headers.get('x-openstack-request-id');
    assert.match(requestId ?? '', /^req-[0-9a-f-]{36}$/);
    const actions = await api.db.actions.list(row.uuid);
    assert.deepEqual(actions.map((a) => [a.action, a.request_id, a.user_id, a.project_id]), [['create', requestId, 'demo', 'pdemo']]);

    assert.equal(api.rpc.sent.length, 1);
    const [m] = api.rpc.sent;
    assert.equal(m?.kind, 'cast');
    assert.equal(m?.topic, 'conductor');
    assert.equal(m?.method, 'buildContainer');
    assert.equal(m?.ctx.requestId, requestId);
    assert.deepEqual(m?.args, { container_uuid: row.uuid, run: true, hints: { 'label:zone': 'a' }, availability_zone: 'nova', requested_host: null });
  });

  test('bad input is 400 in Zun\'s format and writes nothing', async () => {
    const before = await api.counts();
    const cases: [Record<string, unknown> | string, string, string, string?][] = [
      [{ image: 'busybox', name: 'a' }, "Invalid input for field 'name'.Value: 'a'. 'a' is too short", '1.40'],
      [{ image: 'busybox', name: 'bad name' }, "Invalid input for field 'name'.Value: 'bad name'. 'bad name' does not match '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$'", '1.40'],
      [{ image: 'busybox', memory: '512M' }, "Invalid input for field 'memory'.Value: '512M'. '512M' does not match '^[0-9]+$'", '1.40'],
      [{ image: 'busybox', memory: '2' }, "Invalid input for field 'memory'.Value: '2'. 2 is less than the minimum of 4", '1.40'],
      [{ image: 'busybox', cpu: '32' }, "Invalid input for field 'cpu'.Value: '32'. 32 is greater than the maximum of 16.0", '1.40'],
      [{ image: 'busybox', cpu: 'two' }, "Invalid input for field 'cpu'.Value: 'two'. 'two' does not match '^[0-9]*(\\\\.([0-9]+))?$'", '1.40'],
      [{ image: 'busybox', host: 'cn1' }, "Additional properties are not allowed ('host' was unexpected)", '1.38'],
      [{ image: 'busybox', entrypoint: ['sh'] }, "Additional properties are not allowed ('entrypoint' was unexpected)", '1.39'],
      [{ image: 'busybox', auto_remove: false }, 'Invalid param auto_remove because current request version is 1.2. auto_remove is only supported from version 1.3', '1.2', 'container.invalid-param-in-version'],
      [{ name: 'noimage' }, "'image' is a required property", '1.40'],
      ['{"image": "busybox",', 'Malformed request body: it is not valid JSON.', '1.40'],
      ['["busybox"]', 'Malformed request body: it must be a JSON object.', '1.40'],
    ];
    for (const [body, detail, version, code] of cases) {
      const r = await api.request('POST', '/v1/containers', { body, version });
      assert.equal(r.status, 400, JSON.stringify(body));
      const e = zunError(r.body);
      assert.equal(e.detail, detail);
      assert.equal(e.title, detail);
      assert.equal(e.code, code ?? 'container.schema-validation-error');
    }
    const q = await api.request('POST', '/v1/containers?run=maybe', { body: { image: 'busybox' } });
    assert.equal(q.status, 400);
    assert.match(zunError(q.body).detail, /^Invalid input for query parameters 'run'\. Value: 'maybe'\. 'maybe' is not one of \[True, /);
    const extra = await api.request('POST', '/v1/containers?foo=1', { body: { image: 'busybox' } });
    assert.equal(zunError(extra.body).detail, "Additional properties are not allowed ('foo' was unexpected)");
    assert.deepEqual(await api.counts(), before);
    assert.equal(api.rpc.sent.length, 0);
  });

  test('415 unless the body is declared JSON (charset allowed)', async () => {
    const r = await api.request('POST', '/v1/containers', { body: '{"image": "busybox"}', contentType: 'text/plain' });
    assert.equal(r.status, 415);
    assert.deepEqual(zunError(r.body), { request_id: '', code: 'container.', status: 415, title: 'Unsupported Media Type', detail: "Unexpected content type: text/plain. Expected content types are: ['application/json']", links: [] });
    const ok = await api.request('POST', '/v1/containers', { body: '{"image": "busybox"}', contentType: 'application/json; charset=UTF-8' });
    assert.equal(ok.status, 202);
  });

  test('admin-only parameters: runtime and image_pull_policy need admin, privileged is denied to all', async () => {
    const before = await api.counts();
    for (const [extra, rule, who] of [
      [{ runtime: 'runc' }, 'container:create:runtime', {}],
      [{ image_pull_policy: 'always' }, 'container:create:image_pull_policy', {}],
      [{ privileged: true }, 'container:create:privileged', ADMIN],
      [{ host: 'cn1' }, 'container:create:requested_destination', {}],
    ] as const) {
      const r = await api.request('POST', '/v1/containers', { body: { image: 'busybox', ...extra }, headers: who });
      assert.equal(r.status, 403, rule);
      assert.equal(zunError(r.body).detail, `Policy doesn't allow ${rule} to be performed.`);
    }
    assert.deepEqual(await api.counts(), before);
  });

  test('requested host (1.39, admin): unknown → 404, known → handed to the conductor', async () => {
    await api.addComputeHost('cn-req');
    const missing = await api.request('POST', '/v1/containers', { body: { image: 'busybox', host: 'nowhere' }, headers: ADMIN });
    assert.equal(missing.status, 404);
    assert.equal(zunError(missing.body).detail, 'Requested host nowhere could not be found.');
    const ok = await api.request('POST', '/v1/containers', { body: { image: 'busybox', host: 'cn-req', runtime: 'runc' }, headers: ADMIN });
    assert.equal(ok.status, 202);
    assert.equal((ok.body as View)['runtime'], 'runc', 'admins see runtime');
    assert.equal((ok.body as View)['host'], null);
    assert.equal(api.rpc.of('buildContainer')[0]?.args['requested_host'], 'cn-req');
  });

  test('a cast that fails for an unknown reason: obfuscated 500, and the container it wrote is gone again', async () => {
    api.rpc.castError = new Error('something broke');
    const r = await api.request('POST', '/v1/containers', { body: { image: 'busybox', name: 'cast-fails' } });
    assert.equal(r.status, 500);
    const e = zunError(r.body);
    assert.equal(e.code, 'container.');
    assert.match(e.detail, /^Your request could not be handled because of a problem in the server\. Error Correlation id is: /);
    await assert.rejects(api.db.containers.getByName({ projectId: 'pdemo', allProjects: false }, 'cast-fails'), ContainerNotFound);
  });

  test('redis down mid-create (the cast fails unavailable): 503 with a clear message, nothing left in the database', async () => {
    api.rpc.castError = new MessagingUnavailable('The message bus is unavailable (Redis cannot be reached): nothing was done. Please try again later.');
    const before = (await api.db.containers.list({ projectId: 'pdemo', allProjects: false }, {})).length;
    const r = await api.request('POST', '/v1/containers', { body: { image: 'busybox', name: 'bus-down-mid-create' } });
    assert.equal(r.status, 503);
    const e = zunError(r.body);
    assert.equal(e.code, 'container.messaging-unavailable');
    assert.match(e.title, /message bus is unavailable/);
    await assert.rejects(api.db.containers.getByName({ projectId: 'pdemo', allProjects: false }, 'bus-down-mid-create'), ContainerNotFound);
    assert.equal((await api.db.containers.list({ projectId: 'pdemo', allProjects: false }, {})).length, before);
  });

  test('redis known down before create: 503, no cast attempted and nothing written', async () => {
    api.rpc.readyError = new MessagingUnavailable('The message bus is unavailable (Redis cannot be reached): nothing was done. Please try again later.');
    try {
      const sent = api.rpc.sent.length;
      const r = await api.request('POST', '/v1/containers', { body: { image: 'busybox', name: 'bus-down-before-create' } });
      assert.equal(r.status, 503);
      assert.equal(zunError(r.body).code, 'container.messaging-unavailable');
      assert.equal(api.rpc.sent.length, sent);
      await assert.rejects(api.db.containers.getByName({ projectId: 'pdemo', allProjects: false }, 'bus-down-before-create'), ContainerNotFound);
    } finally {
      api.rpc.readyError = null;
    }
  });

  test('a field nested 10,000 deep answers 400, not 500 (the error message overflowed the stack)', async () => {
    const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
    const r = await api.request('POST', '/v1/containers', { body: `{"image":"busybox","cpu":${deep}}` });
    assert.equal(r.status, 400, r.text);
    assert.equal(zunError(r.body).code, 'container.schema-validation-error');
    assert.match(zunError(r.body).title, /\[\.\.\.\]/);
  });

  test('1.19 splits a string command; 1.20–1.35 copy interactive into tty', async () => {
    const legacy = await api.request('POST', '/v1/containers', { body: { image: 'busybox', command: '"sh" "-c" "echo a b"' }, version: '1.19' });
    assert.deepEqual((legacy.body as View)['command'], ['sh', '-c', 'echo a b']);
    const v130 = await api.request('POST', '/v1/containers', { body: { image: 'busybox', interactive: true, tty: false }, version: '1.30' });
    assert.equal((v130.body as View)['tty'], true);
    const v136 = await api.request('POST', '/v1/containers', { body: { image: 'busybox', interactive: true, tty: false }, version: '1.36' });
    assert.equal((v136.body as View)['tty'], false);
  });
});

describe('GET /v1/containers', () => {
  let api: ContainerApi;
  const uuids: string[] = [];
  before(async () => {
    api = await ContainerApi.start({ flags: ['--api.auth_strategy=noauth', '--api.max_limit=3'] });
    for (let i = 0; i < 4; i++) uuids.push((await api.addContainer({ name: `d${i}`, status: i % 2 ? 'Running' : 'Stopped', host: 'cn1' })).uuid);
    await api.addContainer({ name: 'alt-1', project_id: 'palt', user_id: 'alt' });
    await api.addContainer({ name: 'adm-1', project_id: 'padmin', user_id: 'admin' });
  });
  after(() => api.close());

  const names = (body: unknown): string[] => (body as { containers: View[] }).containers.map((c) => c['name'] as string);

  test('callers see their own project; admins see all projects only with all_projects', async () => {
    const demo = await api.request('GET', '/v1/containers?limit=10');
    assert.deepEqual(names(demo.body), ['d0', 'd1', 'd2']);
    assert.deepEqual(names((await api.request('GET', '/v1/containers', { headers: ADMIN })).body), ['adm-1']);
    assert.deepEqual(names((await api.request('GET', '/v1/containers?all_projects=1&sort_key=name', { headers: ADMIN })).body), ['adm-1', 'alt-1', 'd0']);
    const denied = await api.request('GET', '/v1/containers?all_projects=True');
    assert.equal(denied.status, 403);
    assert.equal(zunError(denied.body).detail, "Policy doesn't allow container:get_all_all_projects to be performed.");
    const bad = await api.request('GET', '/v1/containers?all_projects=maybe');
    assert.equal(zunError(bad.body).detail, 'Valid all_projects values are: 1, t, true, on, y, yes, 0, f, false, off, n, no');
    const trailing = await api.request('GET', '/v1/containers/?all_projects=False');
    assert.equal(trailing.status, 200);
  });

  test('pages: limit capped at max_limit, next link only for a full page, marker continues', async () => {
    const p1 = await api.request('GET', '/v1/containers?limit=2');
    const b1 = p1.body as { containers: View[]; next: string | null };
    assert.deepEqual(names(b1), ['d0', 'd1']);
    assert.equal(b1.next, `${api.url}/v1/containers?sort_key=id&sort_dir=asc&limit=2&marker=${uuids[1] as string}`);
    assert.ok(!('links' in (b1.containers[0] as View)), 'list items carry no links (as in Zun)');
    const p2 = await api.request('GET', `/v1/containers?limit=2&marker=${uuids[1] as string}`);
    assert.deepEqual(names(p2.body), ['d2', 'd3']);
    const capped = await api.request('GET', '/v1/containers?limit=100');
    assert.equal((capped.body as { containers: unknown[] }).containers.length, 3);
    const desc = await api.request('GET', '/v1/containers?sort_key=name&sort_dir=desc&limit=10');
    assert.deepEqual(names(desc.body), ['d3', 'd2', 'd1']);
    assert.equal((desc.body as { next: unknown }).next, `${api.url}/v1/containers?sort_key=name&sort_dir=desc&limit=3&marker=${uuids[1] as string}`, 'full page at the cap');
    const last = await api.request('GET', `/v1/containers?sort_key=name&sort_dir=desc&marker=${uuids[1] as string}`);
    assert.deepEqual(names(last.body), ['d0']);
    assert.equal((last.body as { next: unknown }).next, null);
  });

  test('filters, and their per-field policy (host is admin-only)', async () => {
    assert.deepEqual(names((await api.request('GET', '/v1/containers?status=Running')).body), ['d1', 'd3']);
    assert.deepEqual(names((await api.request('GET', '/v1/containers?name=d2')).body), ['d2']);
    const host = await api.request('GET', '/v1/containers?host=cn1');
    assert.equal(host.status, 403);
    assert.equal(zunError(host.body).detail, "Policy doesn't allow container:get_one:host to be performed.");
    const adminHost = await api.request('GET', '/v1/containers?host=cn1&all_projects=1', { headers: ADMIN });
    assert.equal((adminHost.body as { containers: unknown[] }).containers.length, 3);
  });

  test('bad list parameters are 400/404 in Zun\'s words', async () => {
    const cases: [string, number, string][] = [
      ['?foo=1&bar=2', 400, 'Unknown parameters: foo, bar'],
      ['?limit=0', 400, 'Limit must be positive integer'],
      ['?limit=abc', 400, 'Limit must be positive integer'],
      ['?sort_dir=up', 400, "Invalid sort direction: up. Acceptable values are 'asc' or 'desc'"],
      ['?sort_key=nope', 400, 'The sort_key value "nope" is an invalid field for sorting'],
      ['?marker=00000000-0000-4000-8000-000000000000', 404, 'Container 00000000-0000-4000-8000-000000000000 could not be found.'],
    ];
    for (const [q, status, detail] of cases) {
      const r = await api.request('GET', `/v1/containers${q}`);
      assert.equal(r.status, status, q);
      assert.equal(zunError(r.body).detail, detail, q);
    }
  });
});

describe('GET /v1/containers/{id}', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start();
  });
  after(() => api.close());

  test('by uuid or by name, with links; admins see other projects and hidden fields', async () => {
    const c = await api.addContainer({ name: 'shown', host: 'cn1', runtime: 'runc' });
    const byUuid = await api.request('GET', `/v1/containers/${c.uuid}?all_projects=False`);
    assert.equal(byUuid.status, 200);
    const v = byUuid.body as View;
    assert.equal(v['uuid'], c.uuid);
    assert.deepEqual(v['links'], [
      { href: `${api.url}/v1/containers/${c.uuid}`, rel: 'self' },
      { href: `${api.url}/containers/${c.uuid}`, rel: 'bookmark' },
    ]);
    assert.ok(!('host' in v) && !('runtime' in v));
    assert.equal(((await api.request('GET', '/v1/containers/shown')).body as View)['uuid'], c.uuid);
    assert.equal(((await api.request('GET', `/v1/containers/${c.uuid.toUpperCase()}`)).body as View)['uuid'], c.uuid);
    const admin = (await api.request('GET', `/v1/containers/${c.uuid}`, { headers: ADMIN })).body as View;
    assert.equal(admin['host'], 'cn1');
    assert.equal(admin['runtime'], 'runc');
    // Bookmark links resolve too.
    assert.equal((await api.request('GET', `/containers/${c.uuid}`)).status, 200);
  });

  test('404 outside the project, 409 for an ambiguous name, 403 for all_projects as non-admin', async () => {
    const other = await api.addContainer({ name: 'theirs', project_id: 'palt' });
    const nf = await api.request('GET', `/v1/containers/${other.uuid}`);
    assert.equal(nf.status, 404);
    assert.deepEqual(zunError(nf.body), { request_id: '', code: 'container.container-not-found', status: 404, title: `Container ${other.uuid} could not be found.`, detail: `Container ${other.uuid} could not be found.`, links: [] });
    assert.equal((await api.request('GET', '/v1/containers/theirs', { headers: ALT })).status, 200);
    await api.addContainer({ name: 'twin' });
    await api.addContainer({ name: 'twin' });
    const dup = await api.request('GET', '/v1/containers/twin');
    assert.equal(dup.status, 409);
    assert.equal(zunError(dup.body).detail, 'Multiple containers exist with same name. Please use the container uuid instead.');
    const ap = await api.request('GET', `/v1/containers/${other.uuid}?all_projects=1`);
    assert.equal(ap.status, 403);
    assert.equal(zunError(ap.body).detail, "Policy doesn't allow container:get_one_all_projects to be performed.");
  });
});

describe('PATCH /v1/containers/{id}', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start();
    await api.addComputeHost('cn1');
    await api.db.services.upsert({ host: 'cn-down', binary: 'zun-compute', topic: 'zun-compute', availability_zone: null });
    await api.db.services.update('cn-down', 'zun-compute', { forced_down: true });
  });
  after(() => api.close());
  beforeEach(() => {
    api.rpc.sent.length = 0;
  });

  test('name and auto_heal are saved directly', async () => {
    const c = await api.addContainer({ name: 'old-name', status: 'Running', host: 'cn1' });
    const r = await api.request('PATCH', `/v1/containers/${c.uuid}`, { body: { name: 'new-name', auto_heal: 'true' } });
    assert.equal(r.status, 200);
    assert.equal((r.body as View)['name'], 'new-name');
    assert.equal((r.body as View)['auto_heal'], true);
    assert.ok('links' in (r.body as View));
    const row = await api.db.containers.getByUuid({ projectId: 'pdemo', allProjects: false }, c.uuid);
    assert.equal(row.name, 'new-name');
    assert.equal(api.rpc.sent.length, 0);
  });

  test('cpu/memory go to the host synchronously (containerUpdate) and its answer is shown', async () => {
    const c = await api.addContainer({ status: 'Running', host: 'cn1' });
    api.rpc.onCall = (method, args) => (method === 'containerUpdate' ? { ...c, cpu: args['cpu'], memory: args['memory'] } : null);
    const r = await api.request('PATCH', `/v1/containers/${c.uuid}`, { body: { cpu: '2', memory: 1024 } });
    assert.equal(r.status, 200);
    assert.deepEqual(api.rpc.sent.map((m) => [m.kind, m.topic, m.method, m.args]), [['call', 'compute.cn1', 'containerUpdate', { container_uuid: c.uuid, cpu: 2, memory: '1024' }]]);
    assert.equal((r.body as View)['cpu'], 2);
    assert.equal((r.body as View)['memory'], '1024');
  });

  test('host down → 500 (obfuscated), nothing called; wrong state → 409; bad input → 400; nothing changes', async () => {
    const down = await api.addContainer({ status: 'Running', host: 'cn-down' });
    const r500 = await api.request('PATCH', `/v1/containers/${down.uuid}`, { body: { memory: '1024' } });
    assert.equal(r500.status, 500);
    assert.equal(zunError(r500.body).title, 'Internal Server Error');
    assert.doesNotMatch(r500.text, /cn-down/);
    assert.equal(api.rpc.sent.length, 0);

    const creating = await api.addContainer({ status: 'Creating' });
    const r409 = await api.request('PATCH', `/v1/containers/${creating.uuid}`, { body: { name: 'renamed' } });
    assert.equal(r409.status, 409);
    assert.deepEqual(zunError(r409.body), { request_id: '', code: 'container.invalid-state-exception', status: 409, title: `Cannot update container ${creating.uuid} in Creating state`, detail: `Cannot update container ${creating.uuid} in Creating state`, links: [] });

    const c = await api.addContainer({ name: 'stable', status: 'Stopped', host: 'cn1' });
    for (const [body, detail] of [
      [{ memory: '4G' }, "Invalid input for field 'memory'.Value: '4G'. '4G' does not match '^[0-9]+$'"],
      [{ cpu: 100 }, "Invalid input for field 'cpu'.Value: '100'. 100 is greater than the maximum of 16.0"],
      [{ image: 'alpine' }, "Additional properties are not allowed ('image' was unexpected)"],
      [{ name: '_x' }, "Invalid input for field 'name'.Value: '_x'. '_x' does not match '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$'"],
      ['{"name": ', 'Malformed request body: it is not valid JSON.'],
    ] as const) {
      const r = await api.request('PATCH', `/v1/containers/${c.uuid}`, { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(zunError(r.body).detail, detail);
    }
    const row = await api.db.containers.getByUuid({ projectId: 'pdemo', allProjects: false }, c.uuid);
    assert.equal(row.name, 'stable');
    assert.equal(row.updated_at, null);
  });
});

describe('DELETE /v1/containers/{id}', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start();
    await api.addComputeHost('cn1');
    await api.db.services.upsert({ host: 'cn-down', binary: 'zun-compute', topic: 'zun-compute', availability_zone: null });
    await api.db.services.update('cn-down', 'zun-compute', { forced_down: true });
  });
  after(() => api.close());
  beforeEach(() => {
    api.rpc.sent.length = 0;
  });

  const del = (id: string, q = '?force=False&stop=False&all_projects=False', opts: { version?: string; headers?: Record<string, string> } = {}): ReturnType<ContainerApi['request']> =>
    api.request('DELETE', `/v1/containers/${id}${q}`, opts);

  test('never scheduled: the row is destroyed at once (204, no body)', async () => {
    const c = await api.addContainer({ status: 'Error' });
    const r = await del(c.uuid);
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    await assert.rejects(api.db.containers.getByUuid({ projectId: null, allProjects: true }, c.uuid), /could not be found/);
    assert.equal(api.rpc.sent.length, 0);
  });

  test('placed on a host: Deleting, delete action, containerDelete cast to that host', async () => {
    const c = await api.addContainer({ status: 'Running', host: 'cn1' });
    const r = await del(c.uuid, '?force=False&stop=True&all_projects=False');
    assert.equal(r.status, 204);
    const row = await api.db.containers.getByUuid({ projectId: null, allProjects: true }, c.uuid);
    assert.equal(row.status, 'Deleting');
    assert.equal(row.task_state, 'container_deleting');
    assert.deepEqual((await api.db.actions.list(c.uuid)).map((a) => [a.action, a.request_id]), [['delete', r.headers.get('x-openstack-request-id')]]);
    assert.deepEqual(api.rpc.sent.map((m) => [m.kind, m.topic, m.method, m.args]), [['cast', 'compute.cn1', 'containerDelete', { container_uuid: c.uuid, force: false, stop: true }]]);
  });

  test('state and version rules for force and stop', async () => {
    const running = await api.addContainer({ status: 'Running', host: 'cn1' });
    const plain = await del(running.uuid);
    assert.equal(plain.status, 409);
    assert.equal(zunError(plain.body).detail, `Cannot delete container ${running.uuid} in Running state`);
    const oldForce = await del(running.uuid, '?force=True', { version: '1.6', headers: ADMIN });
    assert.equal(zunError(oldForce.body).detail, 'Invalid param force because current request version is 1.6. force is only supported from version 1.7');
    const demoForce = await del(running.uuid, '?force=True');
    assert.equal(demoForce.status, 403);
    assert.equal(zunError(demoForce.body).detail, "Policy doesn't allow container:delete_force to be performed.");
    const oldStop = await del(running.uuid, '?stop=True', { version: '1.11' });
    assert.equal(zunError(oldStop.body).detail, 'Invalid param stop because current request version is 1.11. stop is only supported from version 1.12');
    const paused = await api.addContainer({ status: 'Paused', host: 'cn1' });
    assert.equal(zunError((await del(paused.uuid, '?stop=True')).body).detail, `Cannot delete_after_stop container ${paused.uuid} in Paused state`);
    // Zun's delete_force states leave out Paused too.
    assert.equal((await del(paused.uuid, '?force=True', { headers: ADMIN })).status, 409);
    const forced = await del(running.uuid, '?force=True', { headers: ADMIN });
    assert.equal(forced.status, 204);
    assert.equal(api.rpc.of('containerDelete')[0]?.args['force'], true);
    const stopped = await api.addContainer({ status: 'Stopped', host: 'cn1' });
    const badQuery = await del(stopped.uuid, '?purge=1');
    assert.equal(zunError(badQuery.body).detail, "Additional properties are not allowed ('purge' was unexpected)");
    const badBool = await del(stopped.uuid, '?force=perhaps');
    assert.equal(badBool.status, 400);
    assert.equal((await api.db.containers.getByUuid({ projectId: null, allProjects: true }, stopped.uuid)).status, 'Stopped');
  });

  test('host down: 500 and the container is left as it was', async () => {
    const c = await api.addContainer({ status: 'Stopped', host: 'cn-down' });
    const r = await del(c.uuid);
    assert.equal(r.status, 500);
    const row = await api.db.containers.getByUuid({ projectId: null, allProjects: true }, c.uuid);
    assert.equal(row.status, 'Stopped');
    assert.equal((await api.db.actions.list(c.uuid)).length, 0);
  });
});

describe('rename, resize_container, network_list', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start();
    await api.addComputeHost('cn1');
  });
  after(() => api.close());

  test('POST rename exists up to 1.13: same name → 409, 1.14 → 406', async () => {
    const c = await api.addContainer({ name: 'first' });
    const r = await api.request('POST', `/v1/containers/${c.uuid}/rename?name=second`, { version: '1.13' });
    assert.equal(r.status, 200);
    assert.equal((r.body as View)['name'], 'second');
    const same = await api.request('POST', `/v1/containers/${c.uuid}/rename?name=second`, { version: '1.13' });
    assert.equal(same.status, 409);
    assert.equal(zunError(same.body).detail, 'The new name for the container is the same as the old name.');
    const bad = await api.request('POST', `/v1/containers/${c.uuid}/rename?name=x`, { version: '1.13' });
    assert.equal(zunError(bad.body).detail, "Invalid input for query parameters 'name'. Value: 'x'. 'x' is too short");
    const gone = await api.request('POST', `/v1/containers/${c.uuid}/rename?name=third`, { version: '1.14' });
    assert.equal(gone.status, 406);
    assert.equal(zunError(gone.body).detail, 'Version 1.14 was requested but the requested API is not supported for this version.');
  });

  test('resize_container (1.19+) calls the host and answers 202 with the container', async () => {
    const c = await api.addContainer({ status: 'Running', host: 'cn1' });
    api.rpc.onCall = () => c;
    assert.equal((await api.request('POST', `/v1/containers/${c.uuid}/resize_container`, { body: { memory: '1024' }, version: '1.18' })).status, 406);
    const r = await api.request('POST', `/v1/containers/${c.uuid}/resize_container`, { body: { memory: '1024' }, version: '1.19' });
    assert.equal(r.status, 202);
    assert.equal((r.body as View)['uuid'], c.uuid);
    assert.deepEqual(api.rpc.of('containerUpdate').at(-1)?.args, { container_uuid: c.uuid, cpu: null, memory: '1024' });
  });

  test('network_list: flat before 1.18, grouped by port from 1.18, 406 before 1.13', async () => {
    const c = await api.addContainer({
      status: 'Running',
      addresses: { n1: [{ addr: '10.0.0.5', version: 4, port: 'p1', subnet_id: 's1' }, { addr: 'fd00::5', version: 6, port: 'p1', subnet_id: 's6' }] },
    });
    assert.equal((await api.request('GET', `/v1/containers/${c.uuid}/network_list`, { version: '1.12' })).status, 406);
    const legacy = await api.request('GET', `/v1/containers/${c.uuid}/network_list`, { version: '1.13' });
    assert.deepEqual(legacy.body, { networks: [
      { net_id: 'n1', subnet_id: 's1', port_id: 'p1', version: 4, ip_address: '10.0.0.5' },
      { net_id: 'n1', subnet_id: 's6', port_id: 'p1', version: 6, ip_address: 'fd00::5' },
    ] });
    const grouped = await api.request('GET', `/v1/containers/${c.uuid}/network_list`);
    assert.deepEqual(grouped.body, { networks: [{ net_id: 'n1', port_id: 'p1', fixed_ips: [{ subnet_id: 's1', version: 4, ip_address: '10.0.0.5' }, { subnet_id: 's6', version: 6, ip_address: 'fd00::5' }] }] });
  });

  test('unknown sub-resources are 404, wrong methods 405', async () => {
    const c = await api.addContainer();
    assert.equal((await api.request('POST', `/v1/containers/${c.uuid}/explode`)).status, 404);
    const r = await api.request('PUT', `/v1/containers/${c.uuid}`, { body: {} });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, PATCH, DELETE');
  });
});
