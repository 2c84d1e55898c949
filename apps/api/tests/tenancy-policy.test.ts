// Policy with real Keystone roles: Zun's defaults on create parameters, services and availability zones, and a
// policy.yaml changed while the API runs, which applies from the next request on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { type Identity, type Reply, startTenancyEnv, TEST_HOST, type TenancyEnv, zunError } from './fixtures/tenancy-env';

const CREATE = { image: 'busybox', command: [], labels: {}, environment: {}, hints: {}, nets: [], mounts: [], auto_remove: false };
const denied = (rule: string): string => `Policy doesn't allow ${rule} to be performed.`;

describe('policy with real Keystone roles', () => {
  let env: TenancyEnv;
  const create = (who: Identity, extra: Record<string, unknown>): Promise<Reply> => env.request(who, 'POST', '/v1/containers', { body: { ...CREATE, ...extra } });
  /** Writes the override file; a new mtime/size is what the API notices. */
  const writePolicy = (text: string): void => writeFileSync(env.policyFile, text);

  before(async () => {
    env = await startTenancyEnv();
    await env.db.services.upsert({ host: 'pol-cn-2', binary: 'zun-compute', topic: 'zun-compute', availability_zone: 'az2' });
    await env.db.services.heartbeat('pol-cn-2', 'zun-compute');
  });

  after(async () => {
    await env?.close();
  });

  test('admin-only create parameters: runtime, image_pull_policy and host are refused to members; privileged to everybody', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ runtime: 'runc' }, 'container:create:runtime'],
      [{ image_pull_policy: 'always' }, 'container:create:image_pull_policy'],
      [{ host: TEST_HOST }, 'container:create:requested_destination'],
      [{ privileged: true }, 'container:create:privileged'],
    ];
    const before = await env.db.containers.list({ projectId: null, allProjects: true });
    for (const [extra, rule] of cases) {
      const r = await create(env.demo, extra);
      assert.equal(r.status, 403, `${rule}: ${r.text}`);
      assert.equal(zunError(r).code, 'container.policy-not-authorized');
      assert.equal(zunError(r).title, denied(rule));
    }
    const priv = await create(env.admin, { privileged: true });
    assert.equal(priv.status, 403, 'deny_everybody holds for admins too');
    assert.equal(zunError(priv).title, denied('container:create:privileged'));
    assert.equal((await env.db.containers.list({ projectId: null, allProjects: true })).length, before.length, 'nothing was created');
    for (const extra of [{ runtime: 'runc' }, { image_pull_policy: 'always' }, { host: TEST_HOST }]) {
      const r = await create(env.admin, extra);
      assert.equal(r.status, 202, `${JSON.stringify(extra)}: ${r.text}`);
    }
  });

  test('a policy.yaml written at run time takes effect on the next request, and removing it restores the defaults', async () => {
    const c = await env.addContainer(env.demo, { name: 'pol-demo' });
    const quotaUrl = `/v1/quotas/${env.demo.projectId}`;
    try {
      assert.equal((await env.request(env.demo, 'GET', quotaUrl)).status, 200);
      writePolicy('"quota:get": "rule:admin_api"\n');
      const r = await env.request(env.demo, 'GET', quotaUrl);
      assert.equal(r.status, 403);
      assert.equal(zunError(r).title, denied('quota:get'));
      assert.equal((await env.request(env.admin, 'GET', quotaUrl)).status, 200);

      // Overrides replace the whole set: quota:get is back to its default, members may now see the host field.
      writePolicy('"container:get_one:host": "rule:admin_or_owner"\n"container:create:privileged": "rule:admin_api"\n');
      assert.equal((await env.request(env.demo, 'GET', quotaUrl)).status, 200);
      const shown = (await env.request(env.demo, 'GET', `/v1/containers/${c.uuid}`)).body as Record<string, unknown>;
      assert.equal(shown['host'], TEST_HOST);
      assert.equal((await env.request(env.demo, 'GET', `/v1/containers?host=${TEST_HOST}`)).status, 200, 'filtering by host is allowed with the field');
      assert.equal((await create(env.admin, { privileged: true })).status, 202, 'privileged opened to admins');
      assert.equal((await create(env.demo, { privileged: true })).status, 403, 'but not to members');

      writePolicy('"container:get_one": "rule:admin_api"\n"availability_zones:get_all": "!"\n');
      const show = await env.request(env.demo, 'GET', `/v1/containers/${c.uuid}`);
      assert.equal(show.status, 403);
      assert.equal(zunError(show).title, denied('container:get_one'));
      assert.equal((await env.request(env.alt, 'GET', `/v1/containers/${c.uuid}`)).status, 404, 'other projects still get 404: the lookup comes first');
      const az = await env.request(env.admin, 'GET', '/v1/availability_zones');
      assert.equal(az.status, 403);
      assert.equal(zunError(az).title, denied('availability_zones:get_all'));
    } finally {
      rmSync(env.policyFile, { force: true });
    }
    assert.equal((await env.request(env.demo, 'GET', `/v1/containers/${c.uuid}`)).status, 200);
    const hidden = (await env.request(env.demo, 'GET', `/v1/containers/${c.uuid}`)).body as Record<string, unknown>;
    assert.ok(!('host' in hidden), 'host hidden again');
    assert.equal((await create(env.admin, { privileged: true })).status, 403);
  });

  test('availability zones: any project member; one entry per zone of the service rows', async () => {
    for (const who of [env.demo, env.alt, env.admin]) {
      const r = await env.request(who, 'GET', '/v1/availability_zones');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { availability_zones: [{ availability_zone: 'az2' }, { availability_zone: 'nova' }], next: null });
    }
    assert.equal((await env.request(env.demo, 'GET', '/v1/availability_zones?limit=0')).status, 400);
    assert.equal((await env.request(env.demo, 'GET', '/v1/availability_zones?sort_dir=up')).status, 400);
    assert.equal((await env.request(env.demo, 'GET', '/v1/availability_zones?sort_key=nope')).status, 400);
    const desc = await env.request(env.demo, 'GET', '/v1/availability_zones?sort_dir=desc');
    assert.deepEqual(desc.body, { availability_zones: [{ availability_zone: 'nova' }, { availability_zone: 'az2' }], next: null });
  });

  test('services are admin-only: members get 403 on every route and nothing changes', async () => {
    const before = await env.db.services.list();
    const q = 'host=pol-cn-2&binary=zun-compute';
    const routes: [string, string, string][] = [
      ['GET', '/v1/services', 'zun-service:get_all'],
      ['PUT', `/v1/services/disable?${q}&disabled_reason=mine`, 'zun-service:disable'],
      ['PUT', `/v1/services/enable?${q}`, 'zun-service:enable'],
      ['PUT', `/v1/services/force_down?${q}&forced_down=True`, 'zun-service:force_down'],
      ['DELETE', `/v1/services?${q}`, 'zun-service:delete'],
    ];
    for (const [method, path, rule] of routes) {
      const r = await env.request(env.demo, method, path);
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(zunError(r).title, denied(rule));
    }
    assert.deepEqual(await env.db.services.list(), before);
  });

  test('admins disable, force down, enable and delete a service; a disabled or forced-down compute is shown so', async () => {
    const q = 'host=pol-cn-2&binary=zun-compute';
    const dis = await env.request(env.admin, 'PUT', `/v1/services/disable?${q}&disabled_reason=maintenance`);
    assert.equal(dis.status, 200, dis.text);
    assert.deepEqual(dis.body, { service: { host: 'pol-cn-2', binary: 'zun-compute', disabled: true, disabled_reason: 'maintenance' } });
    const down = await env.request(env.admin, 'PUT', `/v1/services/force_down?${q}&forced_down=True`);
    assert.deepEqual(down.body, { service: { host: 'pol-cn-2', binary: 'zun-compute', forced_down: true } });
    const list = (await env.request(env.admin, 'GET', '/v1/services')).body as { services: { host: string; state: string; disabled: boolean; forced_down: boolean }[] };
    const row = list.services.find((s) => s.host === 'pol-cn-2');
    assert.deepEqual([row?.state, row?.disabled, row?.forced_down], ['down', true, true]);
    await env.request(env.admin, 'PUT', `/v1/services/force_down?${q}&forced_down=False`);
    const en = await env.request(env.admin, 'PUT', `/v1/services/enable?${q}`);
    assert.deepEqual(en.body, { service: { host: 'pol-cn-2', binary: 'zun-compute', disabled: false, disabled_reason: null } });
    const s = await env.db.services.get('pol-cn-2', 'zun-compute');
    assert.deepEqual([s?.disabled, s?.forced_down], [false, false]);
    assert.equal((await env.request(env.admin, 'PUT', `/v1/services/enable?host=pol-cn-2`)).status, 400, 'binary is required');
    const del = await env.request(env.admin, 'DELETE', `/v1/services?${q}`);
    assert.equal(del.status, 200);
    assert.equal(await env.db.services.get('pol-cn-2', 'zun-compute'), null);
    const again = await env.request(env.admin, 'DELETE', `/v1/services?${q}`);
    assert.equal(again.status, 404);
    assert.equal(zunError(again).title, 'Zun service zun-compute on host pol-cn-2 could not be found.');
  });
});
