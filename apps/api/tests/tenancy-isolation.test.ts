// Project isolation with real Keystone projects: alt_demo acting on a demo container is told it does not exist
// (404, never 403), and nothing changes in the database, on the RPC queues or in Docker; lists never leak;
// admins see every project only when they ask for it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Container } from '@zun-ts/objects';
import { TEST_AUTH_ENCRYPTION_KEY } from '@zun-ts/testing';
import { dockerContainerNames, startTenancyEnv, TEST_HOST, type TenancyEnv, zunError } from './fixtures/tenancy-env';

/** Every container route, with parameters that pass validation (so only the lookup can refuse). */
function containerRoutes(id: string): { method: string; path: string; version?: string; body?: unknown }[] {
  const c = `/v1/containers/${id}`;
  return [
    { method: 'GET', path: c },
    { method: 'GET', path: `${c}?all_projects=True` },
    { method: 'PATCH', path: c, body: { name: 'stolen' } },
    { method: 'PATCH', path: c, body: { cpu: '0.5', memory: '256' } },
    { method: 'DELETE', path: `${c}?force=False&stop=False&all_projects=False` },
    { method: 'DELETE', path: `${c}?stop=True` },
    { method: 'POST', path: `${c}/rename?name=stolen`, version: '1.13' },
    { method: 'POST', path: `${c}/resize_container`, body: { memory: '256' } },
    { method: 'GET', path: `${c}/network_list` },
    { method: 'POST', path: `${c}/start` },
    { method: 'POST', path: `${c}/stop?timeout=10` },
    { method: 'POST', path: `${c}/reboot?timeout=10` },
    { method: 'POST', path: `${c}/pause` },
    { method: 'POST', path: `${c}/unpause` },
    { method: 'POST', path: `${c}/kill?signal=None` },
    { method: 'POST', path: `${c}/rebuild` },
    { method: 'GET', path: `${c}/logs?stdout=True&stderr=True&timestamps=False&tail=all` },
    { method: 'POST', path: `${c}/execute?run=True&interactive=False&command=ls` },
    { method: 'POST', path: `${c}/execute_resize?exec_id=${'a'.repeat(64)}&w=80&h=24` },
    { method: 'GET', path: `${c}/attach` },
    { method: 'POST', path: `${c}/resize?w=80&h=24` },
    { method: 'GET', path: `${c}/top?ps_args=None` },
    { method: 'GET', path: `${c}/stats` },
    { method: 'GET', path: `${c}/get_archive?path=/etc` },
    { method: 'POST', path: `${c}/put_archive?path=/tmp`, body: { data: 'aGVsbG8=' } },
    { method: 'POST', path: `${c}/commit?repository=stolen&tag=latest` },
    { method: 'GET', path: `${c}/container_actions` },
    { method: 'GET', path: `${c}/container_actions/req-00000000-0000-0000-0000-000000000000` },
  ];
}

describe('project isolation with real Keystone projects', () => {
  let env: TenancyEnv;
  let demoC: Container;
  let altC: Container;
  let adminC: Container;

  before(async () => {
    // With a key: registries (which seal their passwords with it) are among the routes checked.
    env = await startTenancyEnv([`--auth_encryption_key=${TEST_AUTH_ENCRYPTION_KEY}`]);
    demoC = await env.addContainer(env.demo, { name: 'demo-web' });
    altC = await env.addContainer(env.alt, { name: 'alt-web' });
    adminC = await env.addContainer(env.admin, { name: 'admin-web' });
    await env.db.actions.start({ userId: env.demo.userId, projectId: env.demo.projectId }, demoC.uuid, 'create', 'req-demo-create');
  });

  after(async () => {
    await env?.close();
  });

  test('the Keystone projects are distinct', () => {
    assert.equal(new Set([env.admin.projectId, env.demo.projectId, env.alt.projectId]).size, 3);
  });

  test('the owner reaches its container (control): show, actions', async () => {
    const r = await env.request(env.demo, 'GET', `/v1/containers/${demoC.uuid}`);
    assert.equal(r.status, 200, r.text);
    assert.equal((r.body as { uuid: string }).uuid, demoC.uuid);
    const a = await env.request(env.demo, 'GET', `/v1/containers/demo-web/container_actions`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual((a.body as { containerActions: { request_id: string }[] }).containerActions.map((x) => x.request_id), ['req-demo-create']);
  });

  test('alt_demo on a demo container: 404 on every container route, by uuid and by name; nothing changes anywhere', async () => {
    const before = await env.db.containers.getByUuid({ projectId: null, allProjects: true }, demoC.uuid);
    const actionsBefore = await env.db.actions.list(demoC.uuid);
    const dockerBefore = await dockerContainerNames();
    env.received.length = 0;
    for (const ident of [demoC.uuid, 'demo-web']) {
      for (const route of containerRoutes(ident)) {
        const what = `${route.method} ${route.path}`;
        const r = await env.request(env.alt, route.method, route.path, { ...(route.version ? { version: route.version } : {}), ...(route.body !== undefined ? { body: route.body } : {}) });
        // all_projects is admin-only: alt is refused by policy before any lookup, as in Zun.
        if (route.path.includes('all_projects=True')) {
          assert.equal(r.status, 403, `${what}: ${r.text}`);
          continue;
        }
        assert.equal(r.status, 404, `${what}: ${r.status} ${r.text}`);
        const e = zunError(r);
        assert.equal(e.code, 'container.container-not-found', what);
        assert.equal(e.title, `Container ${ident} could not be found.`, what);
      }
    }
    assert.deepEqual(await env.db.containers.getByUuid({ projectId: null, allProjects: true }, demoC.uuid), before, 'the row is unchanged');
    assert.deepEqual(await env.db.actions.list(demoC.uuid), actionsBefore, 'no action was recorded');
    assert.deepEqual(env.received, [], 'no message reached the conductor or the compute host');
    const dockerAfter = await dockerContainerNames();
    assert.ok(!dockerAfter.includes(`zun-${demoC.uuid}`), 'no Docker container appeared for it');
    assert.deepEqual(dockerAfter.filter((n) => !dockerBefore.includes(n) && n.startsWith('zun-') && n.includes(demoC.uuid)), []);
  });

  test('lists never leak: each project sees its own; all_projects is admin-only', async () => {
    const names = (r: { body: unknown }): string[] => (r.body as { containers: { name: string }[] }).containers.map((c) => c.name).sort();
    const demo = await env.request(env.demo, 'GET', '/v1/containers');
    assert.equal(demo.status, 200);
    assert.deepEqual(names(demo), ['demo-web']);
    const alt = await env.request(env.alt, 'GET', '/v1/containers');
    assert.deepEqual(names(alt), ['alt-web']);
    // Filters cannot reach into another project either.
    assert.deepEqual(names(await env.request(env.alt, 'GET', `/v1/containers?name=demo-web`)), []);
    assert.deepEqual(names(await env.request(env.alt, 'GET', `/v1/containers?project_id=${env.demo.projectId}`)), []);
    for (const who of [env.demo, env.alt]) {
      const r = await env.request(who, 'GET', '/v1/containers?all_projects=1');
      assert.equal(r.status, 403);
      assert.equal(zunError(r).title, "Policy doesn't allow container:get_all_all_projects to be performed.");
    }
    assert.deepEqual(names(await env.request(env.admin, 'GET', '/v1/containers')), ['admin-web'], 'admins list their own project by default');
    const all = await env.request(env.admin, 'GET', '/v1/containers?all_projects=1');
    assert.equal(all.status, 200);
    assert.deepEqual(names(all), ['admin-web', 'alt-web', 'demo-web']);
  });

  test('admins reach any project’s container by uuid or name without all_projects', async () => {
    for (const c of [demoC, altC]) {
      const r = await env.request(env.admin, 'GET', `/v1/containers/${c.uuid}`);
      assert.equal(r.status, 200, r.text);
      assert.equal((r.body as { project_id: string }).project_id, c.project_id);
    }
    assert.equal((await env.request(env.admin, 'GET', '/v1/containers/alt-web')).status, 200);
    assert.equal((await env.request(env.demo, 'GET', `/v1/containers/${adminC.uuid}`)).status, 404, 'but not the other way round');
  });

  test('non-admins never see host, runtime, privileged, image_pull_policy and may not filter by host', async () => {
    const hidden = ['host', 'runtime', 'privileged', 'image_pull_policy'];
    const show = (await env.request(env.demo, 'GET', `/v1/containers/${demoC.uuid}`)).body as Record<string, unknown>;
    const list = ((await env.request(env.demo, 'GET', '/v1/containers')).body as { containers: Record<string, unknown>[] }).containers;
    for (const field of hidden) {
      assert.ok(!(field in show), `show has ${field}`);
      assert.ok(list.every((c) => !(field in c)), `list has ${field}`);
    }
    const asAdmin = (await env.request(env.admin, 'GET', `/v1/containers/${demoC.uuid}`)).body as Record<string, unknown>;
    assert.equal(asAdmin['host'], TEST_HOST);
    for (const field of hidden) assert.ok(field in asAdmin, `admin view lacks ${field}`);
    const r = await env.request(env.demo, 'GET', `/v1/containers?host=${TEST_HOST}`);
    assert.equal(r.status, 403);
    assert.equal(zunError(r).title, "Policy doesn't allow container:get_one:host to be performed.");
    assert.equal((await env.request(env.admin, 'GET', `/v1/containers?host=${TEST_HOST}&all_projects=1`)).status, 200);
  });

  test('hosts are admin-only; a member is refused (403)', async () => {
    for (const path of ['/v1/hosts', `/v1/hosts/${TEST_HOST}`]) {
      const r = await env.request(env.demo, 'GET', path);
      assert.equal(r.status, 403, path);
      assert.match(zunError(r).title, /^Policy doesn't allow host:get(_all)? to be performed\.$/);
      assert.equal((await env.request(env.admin, 'GET', path)).status, 200, path);
    }
  });

  test('create stamps the caller’s project; the new container is invisible to the other project', async () => {
    const r = await env.request(env.alt, 'POST', '/v1/containers', { body: { image: 'busybox', name: 'alt-new', command: [], labels: {}, environment: {}, hints: {}, nets: [], mounts: [], auto_remove: false } });
    assert.equal(r.status, 202, r.text);
    const uuid = (r.body as { uuid: string }).uuid;
    const row = await env.db.containers.getByUuid({ projectId: null, allProjects: true }, uuid);
    assert.equal(row.project_id, env.alt.projectId);
    assert.equal(row.user_id, env.alt.userId);
    assert.equal((await env.request(env.demo, 'GET', `/v1/containers/${uuid}`)).status, 404);
    assert.equal((await env.request(env.demo, 'GET', `/v1/containers/${uuid}/container_actions`)).status, 404);
    assert.equal((await env.request(env.alt, 'GET', `/v1/containers/${uuid}/container_actions`)).status, 200);
  });

  test("alt_demo on demo's capsule, volume, network and registry: 404 on every route by uuid and name, absent from lists, nothing written", async () => {
    const made = async (path: string, body: unknown): Promise<string> => {
      const r = await env.request(env.demo, 'POST', path, { body });
      assert.ok(r.status === 201 || r.status === 202, `${path}: ${r.status} ${r.text}`);
      const doc = r.body as Record<string, { uuid?: string } | string>;
      const inner = typeof doc['uuid'] === 'string' ? doc : (Object.values(doc)[0] as Record<string, string>);
      return String(inner['uuid']);
    };
    const capsule = await made('/v1/capsules', {
      template: { kind: 'capsule', metadata: { name: 'demo-capsule' }, spec: { containers: [{ image: 'busybox', resources: { requests: { cpu: 0.1, memory: 64 } } }] } },
    });
    const volume = await made('/v1/volumes', { name: 'demo-vol', size: 1 });
    const network = await made('/v1/networks', { name: 'demo-net', cidr: '10.93.7.0/24' });
    const registry = await made('/v1/registries', { registry: { name: 'demo-reg', domain: 'reg.example:5000', username: 'u', password: 'demo-registry-password' } });
    const routes: [string, string, string, unknown?][] = [];
    for (const [collection, uuid, name, patch] of [
      ['capsules', capsule, 'demo-capsule', undefined],
      ['volumes', volume, 'demo-vol', undefined],
      ['networks', network, 'demo-net', undefined],
      ['registries', registry, 'demo-reg', { registry: { name: 'stolen', password: 'x' } }],
    ] as const) {
      for (const ident of [uuid, name]) {
        routes.push([collection, 'GET', `/v1/${collection}/${ident}`], [collection, 'DELETE', `/v1/${collection}/${ident}`]);
        if (patch) routes.push([collection, 'PATCH', `/v1/${collection}/${ident}`, patch]);
      }
    }
    const before = await env.db.contentDigests();
    env.received.length = 0;
    for (const [collection, method, path, body] of routes) {
      const r = await env.request(env.alt, method, path, body === undefined ? {} : { body });
      assert.equal(r.status, 404, `${method} ${path}: ${r.status} ${r.text}`);
      assert.match(zunError(r).title, /could not be found|not found/i, `${method} ${path}`);
      assert.doesNotMatch(r.text, /demo-registry-password|reg\.example/, `${method} ${path} tells nothing of the ${collection.slice(0, -1)}`);
    }
    for (const [collection, uuid] of [['capsules', capsule], ['volumes', volume], ['networks', network], ['registries', registry]] as const) {
      const list = await env.request(env.alt, 'GET', `/v1/${collection}`);
      assert.equal(list.status, 200, `${collection}: ${list.text}`);
      assert.ok(!list.text.includes(uuid), `alt's ${collection} list leaks demo's`);
    }
    assert.deepEqual(await env.db.contentDigests(), before, 'nothing was written');
    assert.deepEqual(env.received, [], 'no message was sent');
  });

  test("a member reads only its own project's quota; changing any quota is admin-only", async () => {
    const own = await env.request(env.alt, 'GET', `/v1/quotas/${env.alt.projectId}`);
    assert.equal(own.status, 200, own.text);
    const before = await env.db.contentDigests();
    for (const [method, path, body] of [
      ['GET', `/v1/quotas/${env.demo.projectId}`],
      ['GET', `/v1/quotas/${env.demo.projectId}?usages=True`],
      ['PUT', `/v1/quotas/${env.demo.projectId}`, { containers: 1 }],
      ['DELETE', `/v1/quotas/${env.demo.projectId}`],
      ['PUT', `/v1/quotas/${env.alt.projectId}`, { containers: 1000 }],
      ['PUT', '/v1/quota_classes/default', { containers: 1000 }],
    ] as const) {
      const r = await env.request(env.alt, method, path, body === undefined ? {} : { body });
      assert.equal(r.status, 403, `${method} ${path}: ${r.status} ${r.text}`);
      assert.equal(zunError(r).code, 'container.policy-not-authorized', `${method} ${path}`);
    }
    assert.deepEqual(await env.db.contentDigests(), before, 'nothing was written');
  });
});
