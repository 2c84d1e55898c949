import 'reflect-metadata';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeServiceStore } from '../../tests/fixtures/fake-service.store';
import { startTestApi, type TestServer } from '../../tests/fixtures/test-api';
import { formatDateTime } from '../http/date-format';

type ErrorBody = { errors: { code: string; status: number; title: string; detail: string }[] };
const DEMO = { 'X-User-Id': 'demo', 'X-Project-Id': 'pdemo', 'X-Roles': 'member,reader' };
const NOW = Date.parse('2026-03-04T05:06:07.890Z');

async function call(url: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; type: string | null }> {
  // The client's habits: JSON content type and an empty body on PUT, octet-stream on DELETE.
  const ct = method === 'DELETE' ? 'application/octet-stream' : 'application/json';
  const res = await fetch(url, { method, headers: { 'Content-Type': ct, ...headers }, body: method === 'PUT' ? '' : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, type: res.headers.get('content-type') };
}

describe('/v1/services', () => {
  const store = new FakeServiceStore();
  let api: TestServer;
  before(async () => {
    api = await startTestApi({ services: store, overrides: { clock: () => NOW }, flags: ['--api.auth_strategy=noauth', '--DEFAULT.service_down_time=60', '--DEFAULT.default_availability_zone=az0'] });
  });
  after(() => api.close());
  beforeEach(() => {
    store.rows = [];
    store.add({ host: 'cn1', binary: 'zun-compute', last_seen_up: new Date(NOW - 30_000), created_at: new Date(Date.parse('2026-01-01T00:00:00Z')), updated_at: new Date(NOW - 30_000), report_count: 7 });
    store.add({ host: 'cn2', binary: 'zun-compute', availability_zone: 'az9', last_seen_up: new Date(NOW - 61_000), created_at: new Date(NOW - 100_000) });
    store.add({ host: 'cn3', binary: 'zun-compute', forced_down: true, last_seen_up: new Date(NOW), created_at: new Date(NOW) });
  });

  test('GET lists every row with the service view', async () => {
    const r = await call(`${api.url}/v1/services`);
    assert.equal(r.status, 200);
    const { services } = r.body as { services: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(r.body as object), ['services'], 'no "next" key');
    assert.deepEqual(services[0], {
      id: 1,
      host: 'cn1',
      binary: 'zun-compute',
      state: 'up',
      disabled: false,
      disabled_reason: null,
      forced_down: false,
      report_count: 7,
      last_seen_up: '2026-03-04T05:05:37.890000',
      availability_zone: 'az0',
      created_at: '2026-01-01T00:00:00.000000',
      updated_at: '2026-03-04T05:05:37.890000',
    });
    assert.equal(services[1]?.['state'], 'down', 'silent for longer than service_down_time');
    assert.equal(services[1]?.['availability_zone'], 'az9');
    assert.equal(services[1]?.['updated_at'], null);
    assert.equal(services[2]?.['state'], 'down', 'forced down');
  });

  test('GET with a trailing slash and unknown query parameters still works', async () => {
    assert.equal((await call(`${api.url}/v1/services/?foo=bar`)).status, 200);
  });

  test('every operation is admin-only by default', async () => {
    const cases: [string, string][] = [
      ['GET', '/v1/services'],
      ['DELETE', '/v1/services?host=cn1&binary=zun-compute'],
      ['PUT', '/v1/services/enable?host=cn1&binary=zun-compute'],
      ['PUT', '/v1/services/disable?host=cn1&binary=zun-compute'],
      ['PUT', '/v1/services/force_down?host=cn1&binary=zun-compute&forced_down=True'],
    ];
    const rules = ['get_all', 'delete', 'enable', 'disable', 'force_down'];
    for (const [i, [method, path]] of cases.entries()) {
      const r = await call(`${api.url}${path}`, method, DEMO);
      assert.equal(r.status, 403, path);
      assert.equal((r.body as ErrorBody).errors[0]?.detail, `Policy doesn't allow zun-service:${rules[i]} to be performed.`);
    }
    assert.equal(store.rows.length, 3);
    assert.equal(store.rows[0]?.disabled, false);
  });

  test('disable with and without a reason, then enable', async () => {
    let r = await call(`${api.url}/v1/services/disable?host=cn1&binary=zun-compute&disabled_reason=maintenance`, 'PUT');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { service: { host: 'cn1', binary: 'zun-compute', disabled: true, disabled_reason: 'maintenance' } });
    assert.equal(store.rows[0]?.disabled_reason, 'maintenance');
    r = await call(`${api.url}/v1/services/disable?host=cn2&binary=zun-compute`, 'PUT');
    assert.deepEqual(r.body, { service: { host: 'cn2', binary: 'zun-compute', disabled: true, disabled_reason: null } });
    r = await call(`${api.url}/v1/services/enable?host=cn1&binary=zun-compute`, 'PUT');
    assert.deepEqual(r.body, { service: { host: 'cn1', binary: 'zun-compute', disabled: false, disabled_reason: null } });
    assert.equal(store.rows[0]?.disabled, false);
  });

  test('force_down takes Zun\'s boolean strings', async () => {
    let r = await call(`${api.url}/v1/services/force_down?host=cn1&binary=zun-compute&forced_down=True`, 'PUT');
    assert.deepEqual(r.body, { service: { host: 'cn1', binary: 'zun-compute', forced_down: true } });
    r = await call(`${api.url}/v1/services/force_down?host=cn1&binary=zun-compute&forced_down=no`, 'PUT');
    assert.deepEqual(r.body, { service: { host: 'cn1', binary: 'zun-compute', forced_down: false } });
    assert.equal(store.rows[0]?.forced_down, false);
  });

  test('DELETE answers a JSON null and removes the row', async () => {
    const r = await call(`${api.url}/v1/services?host=cn2&binary=zun-compute`, 'DELETE');
    assert.equal(r.status, 200);
    assert.equal(r.body, null);
    assert.match(r.type ?? '', /application\/json/);
    assert.deepEqual(store.rows.map((s) => s.host), ['cn1', 'cn3']);
  });

  test('unknown service → 404 with Zun\'s message', async () => {
    for (const [method, path] of [['DELETE', '/v1/services?host=nope&binary=zun-compute'], ['PUT', '/v1/services/enable?host=nope&binary=zun-compute']] as const) {
      const r = await call(`${api.url}${path}`, method);
      assert.equal(r.status, 404);
      const e = (r.body as ErrorBody).errors[0];
      assert.equal(e?.code, 'container.zun-service-not-found');
      assert.equal(e?.detail, 'Zun service zun-compute on host nope could not be found.');
    }
  });

  test('bad query parameters → 400 in Zun\'s words, before the policy check', async () => {
    const cases: [string, string][] = [
      ['/v1/services/enable?host=cn1', "'binary' is a required property"],
      ['/v1/services/enable?host=cn1&binary=zun-compute&x=1', "Additional properties are not allowed ('x' was unexpected)"],
      ['/v1/services/enable?host=bad%20host&binary=zun-compute', "Invalid input for query parameters 'host'. Value: 'bad host'. 'bad host' does not match '^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$'"],
      ['/v1/services/enable?host=cn1&binary=', "Invalid input for query parameters 'binary'. Value: ''. '' is too short"],
      [`/v1/services/disable?host=cn1&binary=zun-compute&disabled_reason=${'r'.repeat(256)}`, `Invalid input for query parameters 'disabled_reason'. Value: '${'r'.repeat(256)}'. '${'r'.repeat(256)}' is too long`],
      ['/v1/services/force_down?host=cn1&binary=zun-compute&forced_down=maybe', "Invalid input for query parameters 'forced_down'. Value: 'maybe'. 'maybe' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y', 't', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f']"],
      ['/v1/services/force_down?host=cn1&binary=zun-compute', "'forced_down' is a required property"],
    ];
    for (const [path, detail] of cases) {
      const r = await call(`${api.url}${path}`, 'PUT', DEMO);
      assert.equal(r.status, 400, path);
      const e = (r.body as ErrorBody).errors[0];
      assert.equal(e?.code, 'container.schema-validation-error', path);
      assert.equal(e?.detail, detail, path);
    }
    const del = await call(`${api.url}/v1/services?host=cn1`, 'DELETE');
    assert.equal(del.status, 400);
  });

  test('an unknown action is 404; GET on an action is 405', async () => {
    assert.equal((await call(`${api.url}/v1/services/reboot?host=cn1&binary=zun-compute`, 'PUT')).status, 404);
    assert.equal((await call(`${api.url}/v1/services/enable?host=cn1&binary=zun-compute`)).status, 405);
  });

  test('formatDateTime pads to microseconds', () => {
    assert.equal(formatDateTime(new Date('2026-01-02T03:04:05Z')), '2026-01-02T03:04:05.000000');
    assert.equal(formatDateTime(null), null);
  });
});
