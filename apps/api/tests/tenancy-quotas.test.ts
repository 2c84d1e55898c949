// Quotas and quota classes with real Keystone projects: who may read and change them, the shapes the client
// reads, enforcement on create and update, and the create race over real parallel HTTP requests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMariadbDatabase, type Identity, type Reply, startTenancyEnv, type TenancyEnv, zunError } from './fixtures/tenancy-env';

/** What the python client sends on create. */
const CREATE = { image: 'busybox', command: [], labels: {}, environment: {}, hints: {}, nets: [], mounts: [], auto_remove: false };
const CONFIG_DEFAULTS = { containers: 40, memory: 51200, cpu: 20, disk: 100 };

describe('quotas and quota classes with real Keystone projects', () => {
  let env: TenancyEnv;
  const create = (who: Identity, extra: Record<string, unknown> = {}): Promise<Reply> => env.request(who, 'POST', '/v1/containers', { body: { ...CREATE, ...extra } });
  const usage = async (who: Identity): Promise<number> => (await env.db.quotas.usage(who.projectId)).containers;

  before(async () => {
    env = await startTenancyEnv();
  });

  after(async () => {
    await env?.close();
  });

  test('quota-defaults: the [quota] values for admin and for the project itself; another project is refused', async () => {
    for (const who of [env.admin, env.demo]) {
      const r = await env.request(who, 'GET', `/v1/quotas/${env.demo.projectId}/defaults`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, CONFIG_DEFAULTS);
    }
    const r = await env.request(env.demo, 'GET', `/v1/quotas/${env.alt.projectId}/defaults`);
    assert.equal(r.status, 403);
    assert.equal(zunError(r).title, "Policy doesn't allow quota:get_default to be performed.");
  });

  test('quota-get: flat limits, or {limit, in_use} with usages; only admin or the project itself', async () => {
    const plain = await env.request(env.demo, 'GET', `/v1/quotas/${env.demo.projectId}`);
    assert.equal(plain.status, 200, plain.text);
    assert.deepEqual(plain.body, CONFIG_DEFAULTS);
    assert.deepEqual(Object.keys(plain.body as object), ['containers', 'memory', 'cpu', 'disk'], 'the order Zun prints');
    await env.addContainer(env.demo, { cpu: 0.5, memory: '256', disk: 3 });
    const withUsage = await env.request(env.admin, 'GET', `/v1/quotas/${env.demo.projectId}?usages=True`);
    assert.equal(withUsage.status, 200, withUsage.text);
    assert.deepEqual(withUsage.body, {
      containers: { limit: 40, in_use: 1 },
      memory: { limit: 51200, in_use: 256 },
      cpu: { limit: 20, in_use: 0.5 },
      disk: { limit: 100, in_use: 3 },
    });
    const other = await env.request(env.alt, 'GET', `/v1/quotas/${env.demo.projectId}?usages=True`);
    assert.equal(other.status, 403);
    assert.equal(zunError(other).title, "Policy doesn't allow quota:get to be performed.");
  });

  test('quota-update and quota-delete are admin-only; members get 403 and nothing changes', async () => {
    const r = await env.request(env.demo, 'PUT', `/v1/quotas/${env.demo.projectId}`, { body: { containers: 1000 } });
    assert.equal(r.status, 403);
    assert.equal(zunError(r).title, "Policy doesn't allow quota:update to be performed.");
    const d = await env.request(env.demo, 'DELETE', `/v1/quotas/${env.demo.projectId}`);
    assert.equal(d.status, 403);
    assert.equal(zunError(d).title, "Policy doesn't allow quota:delete to be performed.");
    assert.deepEqual(await env.db.quotas.projectOverrides(env.demo.projectId), []);
  });

  test('quota-update validates its body (400) like Zun', async () => {
    const cases: [unknown, RegExp][] = [
      [{ containers: 'ten' }, /^Invalid input for field 'containers'\.Value: 'ten'\. 'ten' does not match/],
      [{ cpu: -2 }, /^Invalid input for field 'cpu'\.Value: '-2'\. -2 is less than the minimum of -1$/],
      [{ memory: 1.5 }, /^Invalid input for field 'memory'\.Value: '1\.5'\. 1\.5 is not of type 'integer', 'string'$/],
      [{ floating_ips: 3 }, /^Additional properties are not allowed \('floating_ips' was unexpected\)$/],
    ];
    for (const [body, title] of cases) {
      const r = await env.request(env.admin, 'PUT', `/v1/quotas/${env.demo.projectId}`, { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(zunError(r).code, 'container.schema-validation-error');
      assert.match(zunError(r).title, title);
    }
    const cls = await env.request(env.admin, 'PUT', '/v1/quota_classes/default', { body: { containers: 'x' } });
    assert.equal(cls.status, 400);
    assert.equal((await env.request(env.admin, 'GET', `/v1/quotas/${'p'.repeat(256)}`)).status, 400);
  });

  test('20 parallel creates with room for 5: exactly 5 accepted, 15 get 403 "Quota exceeded"; alt_demo is unaffected', async () => {
    const demoHas = await usage(env.demo);
    const set = await env.request(env.admin, 'PUT', `/v1/quotas/${env.demo.projectId}`, { body: { containers: demoHas + 5 } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, { ...CONFIG_DEFAULTS, containers: demoHas + 5 });
    const altHas = await usage(env.alt);
    const replies = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => create(env.demo, { name: `race-${i}` })),
      ...Array.from({ length: 8 }, (_, i) => create(env.alt, { name: `alt-race-${i}` })),
    ]);
    const demo = replies.slice(0, 20);
    assert.equal(demo.filter((r) => r.status === 202).length, 5, demo.map((r) => r.status).join(' '));
    const refused = demo.filter((r) => r.status !== 202);
    assert.equal(refused.length, 15);
    for (const r of refused) {
      assert.equal(r.status, 403, r.text);
      assert.equal(zunError(r).code, 'container.over-quota');
      assert.equal(zunError(r).title, "Quota exceeded for resources: ['containers']");
    }
    assert.deepEqual(replies.slice(20).map((r) => r.status), Array.from({ length: 8 }, () => 202), 'the other project is not limited by it');
    assert.equal(await usage(env.demo), demoHas + 5);
    assert.equal(await usage(env.alt), altHas + 8);
  });

  test('quota-update below current usage is accepted; further creates are refused until it is raised or deleted', async () => {
    const inUse = await usage(env.demo);
    assert.ok(inUse >= 2);
    const r = await env.request(env.admin, 'PUT', `/v1/quotas/${env.demo.projectId}`, { body: { containers: '1', disk: 50 } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { containers: 1, memory: 51200, cpu: 20, disk: 50 });
    const got = await env.request(env.demo, 'GET', `/v1/quotas/${env.demo.projectId}?usages=True`);
    assert.deepEqual((got.body as Record<string, unknown>)['containers'], { limit: 1, in_use: inUse });
    const refused = await create(env.demo);
    assert.equal(refused.status, 403);
    assert.equal(zunError(refused).title, "Quota exceeded for resources: ['containers']");
    assert.equal(await usage(env.demo), inUse, 'nothing was inserted');
    const del = await env.request(env.admin, 'DELETE', `/v1/quotas/${env.demo.projectId}`);
    assert.equal(del.status, 200);
    assert.equal(del.text, 'null');
    assert.deepEqual((await env.request(env.demo, 'GET', `/v1/quotas/${env.demo.projectId}`)).body, CONFIG_DEFAULTS);
    assert.equal((await create(env.demo)).status, 202, 'the defaults apply again');
  });

  test('resources: memory, cpu and disk are checked with the requested amounts; several overs are listed sorted', async () => {
    const p = env.alt.projectId;
    const inUse = await env.db.quotas.usage(p);
    await env.request(env.admin, 'PUT', `/v1/quotas/${p}`, { body: { memory: inUse.memory + 512, cpu: Math.ceil(inUse.cpu) + 1, disk: inUse.disk + 10 } });
    const over = await create(env.alt, { memory: '1024', cpu: '2', disk: 1 });
    assert.equal(over.status, 403);
    assert.equal(zunError(over).title, "Quota exceeded for resources: ['cpu', 'memory']");
    const fits = await create(env.alt, { memory: '512', cpu: '0.5', disk: 10 });
    assert.equal(fits.status, 202, fits.text);
    const full = await create(env.alt, { disk: 1 });
    assert.equal(full.status, 403);
    assert.equal(zunError(full).title, "Quota exceeded for resources: ['disk']");
    await env.request(env.admin, 'DELETE', `/v1/quotas/${p}`);
  });

  test('PATCH cpu/memory is checked against the quota before the host is called', async () => {
    const c = await env.addContainer(env.alt, { cpu: 1, memory: '512' });
    const inUse = await env.db.quotas.usage(env.alt.projectId);
    await env.request(env.admin, 'PUT', `/v1/quotas/${env.alt.projectId}`, { body: { memory: inUse.memory } });
    env.received.length = 0;
    const r = await env.request(env.alt, 'PATCH', `/v1/containers/${c.uuid}`, { body: { memory: '1024' } });
    assert.equal(r.status, 403, r.text);
    assert.equal(zunError(r).title, "Quota exceeded for resources: ['memory']");
    assert.deepEqual(env.received, [], 'the compute host was not asked');
    await env.request(env.admin, 'DELETE', `/v1/quotas/${env.alt.projectId}`);
  });

  test('quota classes: admin-only; the default class seeds every project’s defaults; other classes are stored only', async () => {
    for (const [method, body] of [['GET', undefined], ['PUT', { containers: 1 }]] as const) {
      const r = await env.request(env.demo, method, '/v1/quota_classes/default', body ? { body } : {});
      assert.equal(r.status, 403);
      assert.equal(zunError(r).title, `Policy doesn't allow quota_class:${method === 'GET' ? 'get' : 'update'} to be performed.`);
    }
    const initial = await env.request(env.admin, 'GET', '/v1/quota_classes/default');
    assert.equal(initial.status, 200);
    assert.deepEqual(initial.body, CONFIG_DEFAULTS);
    const gold = await env.request(env.admin, 'PUT', '/v1/quota_classes/gold', { body: { containers: 500 } });
    assert.deepEqual(gold.body, { ...CONFIG_DEFAULTS, containers: 500 });
    assert.deepEqual((await env.request(env.admin, 'GET', '/v1/quota_classes/gold')).body, { ...CONFIG_DEFAULTS, containers: 500 });
    assert.deepEqual((await env.request(env.demo, 'GET', `/v1/quotas/${env.demo.projectId}`)).body, CONFIG_DEFAULTS, 'gold is not enforced');
    const def = await env.request(env.admin, 'PUT', '/v1/quota_classes/default', { body: { containers: 33, cpu: -1 } });
    assert.equal(def.status, 200);
    assert.deepEqual(def.body, { ...CONFIG_DEFAULTS, containers: 33, cpu: -1 });
    assert.deepEqual((await env.request(env.demo, 'GET', `/v1/quotas/${env.demo.projectId}/defaults`)).body, { ...CONFIG_DEFAULTS, containers: 33, cpu: -1 });
    assert.deepEqual((await env.request(env.alt, 'GET', `/v1/quotas/${env.alt.projectId}`)).body, { ...CONFIG_DEFAULTS, containers: 33, cpu: -1 });
    await env.request(env.admin, 'PUT', `/v1/quotas/${env.alt.projectId}`, { body: { containers: 7 } });
    assert.deepEqual((await env.request(env.alt, 'GET', `/v1/quotas/${env.alt.projectId}`)).body, { ...CONFIG_DEFAULTS, containers: 7, cpu: -1 }, 'a project override wins over the class');
    await env.request(env.admin, 'DELETE', `/v1/quotas/${env.alt.projectId}`);
    await env.request(env.admin, 'PUT', '/v1/quota_classes/default', { body: CONFIG_DEFAULTS });
  });
});

// The same race where the database does real I/O between statements (so requests interleave): MariaDB.
describe('the create race with the API on MariaDB', () => {
  let env: TenancyEnv;
  let database: { url: string; drop(): Promise<void> };

  before(async () => {
    database = await createMariadbDatabase();
    env = await startTenancyEnv([], database.url);
  });

  after(async () => {
    await env?.close();
    await database?.drop();
  });

  test('20 parallel creates with room for 5: exactly 5 accepted, 15 get 403; alt_demo is unaffected', async () => {
    const set = await env.request(env.admin, 'PUT', `/v1/quotas/${env.demo.projectId}`, { body: { containers: 5 } });
    assert.equal(set.status, 200, set.text);
    const create = (who: Identity, name: string): Promise<Reply> => env.request(who, 'POST', '/v1/containers', { body: { ...CREATE, name } });
    const replies = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => create(env.demo, `race-${i}`)),
      ...Array.from({ length: 8 }, (_, i) => create(env.alt, `alt-race-${i}`)),
    ]);
    const demo = replies.slice(0, 20);
    assert.equal(demo.filter((r) => r.status === 202).length, 5, demo.map((r) => r.status).join(' '));
    for (const r of demo.filter((x) => x.status !== 202)) {
      assert.equal(r.status, 403, r.text);
      assert.equal(zunError(r).title, "Quota exceeded for resources: ['containers']");
    }
    assert.deepEqual(replies.slice(20).map((r) => r.status), Array.from({ length: 8 }, () => 202));
    assert.equal((await env.db.quotas.usage(env.demo.projectId)).containers, 5);
    assert.equal((await env.db.quotas.usage(env.alt.projectId)).containers, 8);
  });
});
