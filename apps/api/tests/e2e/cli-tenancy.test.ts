// End to end: the tenancy and admin commands of the real zun client against the running stack, as admin and as
// demo (who gets 403 where Zun's policy says so). Quota changes are made on the alt_demo project and removed
// again; service changes on a service row this test adds, so the stack's own services are left alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '@zun-ts/config';
import { Database } from '@zun-ts/db';
import { openrcEnv, parseShow, parseTable } from '@zun-ts/testing';
import { computeHost, ok, stackState, type StackUser, zun } from './fixtures/stack-cli';

/** The id of the project a stack user's openrc is scoped to, asked of Keystone. */
async function projectIdOf(user: StackUser): Promise<string> {
  const rc = openrcEnv(stackState(), user);
  const res = await fetch(`${(rc['OS_AUTH_URL'] ?? '').replace(/\/+$/, '')}/auth/tokens?nocatalog`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: rc['OS_USERNAME'], domain: { name: rc['OS_USER_DOMAIN_NAME'] ?? 'Default' }, password: rc['OS_PASSWORD'] } } },
        scope: { project: { name: rc['OS_PROJECT_NAME'], domain: { name: rc['OS_PROJECT_DOMAIN_NAME'] ?? 'Default' } } },
      },
    }),
  });
  if (res.status !== 201) assert.fail(`login of ${user} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: { project: { id: string } } }).token.project.id;
}

/** A refused command: exit ≠ 0 and the client's "<message> (HTTP 403)". */
function forbidden(r: { code: number; stderr: string }, rule: string, what: string): void {
  assert.notEqual(r.code, 0, `${what} should have been refused`);
  assert.match(r.stderr, new RegExp(`Policy doesn't allow ${rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} to be performed\\. \\(HTTP 403\\)`), what);
}

/** A print_dict table as numbers. */
function numbers(stdout: string): Record<string, number> {
  return Object.fromEntries(Object.entries(parseShow(stdout)).map(([k, v]) => [k, Number(v)]));
}

const RESOURCES = ['containers', 'cpu', 'disk', 'memory'];

void describe('zun CLI: quotas, quota classes, services, hosts and availability zones', () => {
  let demoProject: string;
  let altProject: string;
  let db: Database;
  const fakeHost = `e2e-tenancy-${randomUUID().slice(0, 8)}`;
  const quotaClass = `e2e-${randomUUID().slice(0, 8)}`;

  before(async () => {
    [demoProject, altProject] = await Promise.all([projectIdOf('demo'), projectIdOf('alt_demo')]);
    // A compute service row of our own (no process behind it): the service commands change it, not the stack's.
    const conf = loadConfig(['--config-file', join(stackState(), 'zun.conf')], { env: {}, warn: () => {} });
    db = await Database.open(conf.database.connection);
    await db.services.upsert({ host: fakeHost, binary: 'zun-compute', topic: 'zun-compute', availability_zone: null });
    await db.services.heartbeat(fakeHost, 'zun-compute');
  });

  after(async () => {
    await zun('admin', 'quota-delete', altProject).catch(() => undefined);
    await db?.services.delete(fakeHost, 'zun-compute').catch(() => undefined);
    await db?.close();
  });

  test('quota-defaults: admin and the project itself see the defaults; demo is refused for another project', async () => {
    const asAdmin = numbers(ok(await zun('admin', 'quota-defaults', demoProject), 'admin quota-defaults'));
    assert.deepEqual(Object.keys(asAdmin).sort(), RESOURCES);
    assert.ok(Object.values(asAdmin).every((v) => Number.isInteger(v) && v >= -1), JSON.stringify(asAdmin));
    assert.deepEqual(numbers(ok(await zun('demo', 'quota-defaults', demoProject), 'demo quota-defaults')), asAdmin);
    forbidden(await zun('demo', 'quota-defaults', altProject), 'quota:get_default', 'demo quota-defaults of alt_demo');
  });

  test('quota-get [--usages]: admin and demo for demo’s project; demo refused for alt_demo’s', async () => {
    for (const user of ['admin', 'demo'] as const) {
      const limits = numbers(ok(await zun(user, 'quota-get', demoProject), `${user} quota-get`));
      assert.deepEqual(Object.keys(limits).sort(), RESOURCES);
      const rows = parseTable(ok(await zun(user, 'quota-get', '--usages', demoProject), `${user} quota-get --usages`));
      assert.deepEqual(rows.map((r) => r['Property']).sort(), RESOURCES);
      for (const row of rows) {
        assert.equal(Number(row['limit']), limits[row['Property'] ?? ''], `limit of ${row['Property']}`);
        assert.ok(Number(row['in_use']) >= 0, `in_use of ${row['Property']}: ${row['in_use']}`);
      }
    }
    forbidden(await zun('demo', 'quota-get', altProject), 'quota:get', 'demo quota-get of alt_demo');
    forbidden(await zun('demo', 'quota-get', '--usages', altProject), 'quota:get', 'demo quota-get --usages of alt_demo');
  });

  test('quota-update and quota-delete: admin only', async () => {
    const defaults = numbers(ok(await zun('admin', 'quota-defaults', altProject), 'quota-defaults'));
    forbidden(await zun('demo', 'quota-update', '--containers', '1000', demoProject), 'quota:update', 'demo quota-update');
    forbidden(await zun('demo', 'quota-delete', demoProject), 'quota:delete', 'demo quota-delete');
    const updated = numbers(ok(await zun('admin', 'quota-update', '--containers', '25', '--memory', '4096', altProject), 'admin quota-update'));
    assert.deepEqual(updated, { ...defaults, containers: 25, memory: 4096 });
    assert.deepEqual(numbers(ok(await zun('alt_demo', 'quota-get', altProject), 'alt_demo quota-get')), updated, 'the project sees its new limits');
    const rows = parseTable(ok(await zun('admin', 'quota-get', '--usages', altProject), 'quota-get --usages'));
    assert.equal(rows.find((r) => r['Property'] === 'containers')?.['limit'], '25');
    const bad = await zun('admin', 'quota-update', '--containers', '-5', altProject);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /-5 is less than the minimum of -1 \(HTTP 400\)/);
    ok(await zun('admin', 'quota-delete', altProject), 'admin quota-delete');
    assert.deepEqual(numbers(ok(await zun('admin', 'quota-get', altProject), 'quota-get after delete')), defaults);
  });

  test('quota-class-get and quota-class-update: admin only', async () => {
    forbidden(await zun('demo', 'quota-class-get', 'default'), 'quota_class:get', 'demo quota-class-get');
    forbidden(await zun('demo', 'quota-class-update', '--containers', '5', quotaClass), 'quota_class:update', 'demo quota-class-update');
    const def = numbers(ok(await zun('admin', 'quota-class-get', 'default'), 'admin quota-class-get default'));
    assert.deepEqual(Object.keys(def).sort(), RESOURCES);
    assert.deepEqual(numbers(ok(await zun('admin', 'quota-defaults', demoProject), 'quota-defaults')), def, 'the default class is every project’s defaults');
    // A class of this test only: stored, never enforced.
    const updated = numbers(ok(await zun('admin', 'quota-class-update', '--containers', '77', '--cpu', '9', quotaClass), 'admin quota-class-update'));
    assert.equal(updated['containers'], 77);
    assert.equal(updated['cpu'], 9);
    assert.deepEqual(numbers(ok(await zun('admin', 'quota-class-get', quotaClass), 'admin quota-class-get')), updated);
  });

  test('service-list, service-disable/-force-down/-enable/-delete: admin only', async () => {
    const list = parseTable(ok(await zun('admin', 'service-list'), 'admin service-list'));
    assert.ok(list.some((r) => r['Host'] === fakeHost && r['Binary'] === 'zun-compute' && r['State'] === 'up'), `${fakeHost} is listed up`);
    forbidden(await zun('demo', 'service-list'), 'zun-service:get_all', 'demo service-list');
    forbidden(await zun('demo', 'service-disable', fakeHost, 'zun-compute'), 'zun-service:disable', 'demo service-disable');
    forbidden(await zun('demo', 'service-enable', fakeHost, 'zun-compute'), 'zun-service:enable', 'demo service-enable');
    forbidden(await zun('demo', 'service-force-down', fakeHost, 'zun-compute'), 'zun-service:force_down', 'demo service-force-down');
    // The client reports a failed delete on stdout and exits 0.
    const demoDelete = await zun('demo', 'service-delete', fakeHost, 'zun-compute');
    assert.match(demoDelete.stdout, /^Delete for binary zun-compute on host \S+ failed: Policy doesn't allow zun-service:delete to be performed\. \(HTTP 403\)/);
    assert.deepEqual([(await db.services.get(fakeHost, 'zun-compute'))?.disabled, (await db.services.get(fakeHost, 'zun-compute'))?.forced_down], [false, false]);

    const disabled = parseShow(ok(await zun('admin', 'service-disable', '--reason', 'e2e maintenance', fakeHost, 'zun-compute'), 'service-disable'));
    assert.equal(disabled['disabled'], 'True');
    assert.equal(disabled['disabled_reason'], 'e2e maintenance');
    const forced = parseShow(ok(await zun('admin', 'service-force-down', fakeHost, 'zun-compute'), 'service-force-down'));
    assert.equal(forced['forced_down'], 'True');
    const row = parseTable(ok(await zun('admin', 'service-list'), 'service-list')).find((r) => r['Host'] === fakeHost);
    assert.deepEqual([row?.['State'], row?.['Disabled'], row?.['Disabled Reason']], ['down', 'True', 'e2e maintenance']);
    assert.equal(parseShow(ok(await zun('admin', 'service-force-down', '--unset', fakeHost, 'zun-compute'), 'service-force-down --unset'))['forced_down'], 'False');
    const enabled = parseShow(ok(await zun('admin', 'service-enable', fakeHost, 'zun-compute'), 'service-enable'));
    assert.deepEqual([enabled['disabled'], enabled['disabled_reason']], ['False', 'None']);
    assert.match(ok(await zun('admin', 'service-delete', fakeHost, 'zun-compute'), 'service-delete'), /^Request to delete binary zun-compute on host \S+ has been accepted\./);
    assert.equal(await db.services.get(fakeHost, 'zun-compute'), null);
    const again = await zun('admin', 'service-delete', fakeHost, 'zun-compute');
    assert.match(again.stdout, new RegExp(`failed: Zun service zun-compute on host ${fakeHost} could not be found\\. \\(HTTP 404\\)`));
  });

  test('host-list and host-show: admin only', async () => {
    const host = computeHost();
    const hosts = parseTable(ok(await zun('admin', 'host-list'), 'admin host-list'));
    const mine = hosts.find((h) => h['hostname'] === host);
    assert.ok(mine, `host-list lacks ${host}: ${JSON.stringify(hosts)}`);
    assert.ok(Number(mine['cpus']) > 0 && Number(mine['mem_total']) > 0, JSON.stringify(mine));
    const shown = parseShow(ok(await zun('admin', 'host-show', host), 'admin host-show'));
    assert.equal(shown['hostname'], host);
    assert.equal(shown['uuid'], mine['uuid']);
    assert.equal(parseShow(ok(await zun('admin', 'host-show', mine['uuid'] ?? ''), 'host-show by uuid'))['hostname'], host);
    forbidden(await zun('demo', 'host-list'), 'host:get_all', 'demo host-list');
    forbidden(await zun('demo', 'host-show', host), 'host:get', 'demo host-show');
    const missing = await zun('admin', 'host-show', 'no-such-host-e2e');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(HTTP 404\)/);
  });

  test('availability-zone-list: admin and demo see the services’ zones', async () => {
    for (const user of ['admin', 'demo'] as const) {
      const zones = parseTable(ok(await zun(user, 'availability-zone-list'), `${user} availability-zone-list`));
      const names = zones.map((z) => z['availability_zone'] ?? z['Availability Zone']);
      assert.ok(names.includes('nova'), `${user}: ${JSON.stringify(zones)}`);
      assert.equal(new Set(names).size, names.length, 'one row per zone');
    }
  });
});
