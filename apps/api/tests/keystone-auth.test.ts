import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@zun-ts/common';
import { loadConfig } from '@zun-ts/config';
import { Database } from '@zun-ts/db';
import { createApiApp } from '../src/main';
import { issueToken, readOpenRc, requireEnv, revokeToken, waitFor } from './fixtures/keystone-env';

const keystoneUrl = requireEnv('ZUN_TEST_KEYSTONE_URL', 'http://127.0.0.1:5000/v3');
const keystoneState = requireEnv('ZUN_TEST_KEYSTONE_STATE', '/tmp/keystone-5000');
const CACHE_SECONDS = 2;

type ErrorBody = { errors: { code: string; title: string; detail: string }[] };

/** Moves the API's clock (not Keystone's) forward. */
let skewMs = 0;

async function serve(app: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

describe('zun-api against a real Keystone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-api-it-'));
  const policyFile = join(dir, 'policy.yaml');
  const zun = readOpenRc(keystoneState, 'zun');
  const admin = readOpenRc(keystoneState, 'admin');
  const demo = readOpenRc(keystoneState, 'demo');
  const flags = (authUrl: string): string[] => [
    '--api.auth_strategy=keystone',
    `--keystone_authtoken.auth_url=${authUrl}`,
    `--keystone_authtoken.www_authenticate_uri=${authUrl}`,
    `--keystone_authtoken.username=${zun.username}`,
    `--keystone_authtoken.password=${zun.password}`,
    `--keystone_authtoken.project_name=${zun.projectName}`,
    `--keystone_authtoken.token_cache_time=${CACHE_SECONDS}`,
    `--oslo_policy.policy_file=${policyFile}`,
    `--DEFAULT.state_path=${dir}`,
  ];
  let db: Database;
  let api: { url: string; server: Server };
  let adminToken: string;
  let demoToken: string;

  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${api.url}${path}`, { headers });

  before(async () => {
    db = await Database.open(`sqlite:///${join(dir, 'zun.sqlite')}`);
    await db.migrate();
    await db.services.upsert({ host: 'it-compute-1', binary: 'zun-compute', topic: 'zun-compute', availability_zone: null });
    await db.services.heartbeat('it-compute-1', 'zun-compute');
    await db.services.upsert({ host: 'it-compute-2', binary: 'zun-compute', topic: 'zun-compute', availability_zone: 'az2' });
    const conf = loadConfig(flags(keystoneUrl), { env: {}, warn: () => {} });
    api = await serve(createApiApp(conf, silentLogger(), db.services, { clock: () => Date.now() + skewMs }));
    adminToken = (await issueToken(keystoneUrl, admin)).token;
    demoToken = (await issueToken(keystoneUrl, demo)).token;
  });

  after(async () => {
    if (api) await stop(api.server);
    if (db) await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/ and /v1 need no token', async () => {
    assert.equal((await get('/')).status, 200);
    assert.equal((await get('/v1')).status, 200);
  });

  test('an admin token lists the services rows', async () => {
    const res = await get('/v1/services', { 'X-Auth-Token': adminToken });
    assert.equal(res.status, 200);
    const { services } = (await res.json()) as { services: { host: string; state: string; availability_zone: string }[] };
    assert.deepEqual(services.map((s) => [s.host, s.state, s.availability_zone]), [
      ['it-compute-1', 'up', 'nova'],
      ['it-compute-2', 'up', 'az2'],
    ]);
  });

  test('a demo token is accepted, then refused by policy (403)', async () => {
    const res = await get('/v1/services', { 'X-Auth-Token': demoToken });
    assert.equal(res.status, 403);
    const body = (await res.json()) as ErrorBody;
    assert.equal(body.errors[0]?.code, 'container.policy-not-authorized');
  });

  test('a garbage token → 401 with WWW-Authenticate', async () => {
    const res = await get('/v1/services', { 'X-Auth-Token': 'gAAAAAnot-a-real-token' });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Keystone uri="${keystoneUrl}"`);
    assert.deepEqual(await res.json(), { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
    assert.equal((await get('/v1/services')).status, 401, 'no token at all');
  });

  test(`a revoked token is refused within the cache bound (${CACHE_SECONDS} s)`, async () => {
    const { token } = await issueToken(keystoneUrl, admin);
    assert.equal((await get('/v1/services', { 'X-Auth-Token': token })).status, 200, 'valid and now cached');
    await revokeToken(keystoneUrl, token);
    const revokedAt = Date.now();
    await waitFor(async () => (await get('/v1/services', { 'X-Auth-Token': token })).status === 401, CACHE_SECONDS * 1000 + 1500, 'the revoked token to be refused');
    const elapsed = Date.now() - revokedAt;
    assert.ok(elapsed <= CACHE_SECONDS * 1000 + 1000, `refused after ${elapsed} ms`);
  });

  test('an expired token is refused even if it was cached', async () => {
    const { token, expiresAt } = await issueToken(keystoneUrl, admin);
    assert.equal((await get('/v1/services', { 'X-Auth-Token': token })).status, 200);
    skewMs = expiresAt - Date.now() + 1000;
    try {
      const res = await get('/v1/services', { 'X-Auth-Token': token });
      assert.equal(res.status, 401);
    } finally {
      skewMs = 0;
    }
  });

  test('microversions with a real token', async () => {
    const h = (v?: string): Record<string, string> => (v ? { 'X-Auth-Token': adminToken, 'OpenStack-API-Version': v } : { 'X-Auth-Token': adminToken });
    let res = await get('/v1/services', h());
    assert.equal(res.headers.get('openstack-api-version'), 'container 1.1');
    res = await get('/v1/services', h('container latest'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('openstack-api-version'), 'container 1.40');
    for (const v of ['1.41', '2.0']) {
      res = await get('/v1/services', h(`container ${v}`));
      assert.equal(res.status, 406, v);
      assert.equal(((await res.json()) as ErrorBody).errors[0]?.title, 'Requested microversion is unsupported');
      assert.equal(res.headers.get('openstack-api-minimum-version'), 'container 1.1');
      assert.equal(res.headers.get('openstack-api-maximum-version'), 'container 1.40');
    }
    res = await get('/v1/services', h('container x.y'));
    assert.equal(res.status, 406);
    assert.equal(((await res.json()) as ErrorBody).errors[0]?.detail, 'Invalid value for OpenStack-API-Version header');
  });

  test('a policy file changed at run time applies to the next request', async () => {
    try {
      writeFileSync(policyFile, '"zun-service:get_all": "role:member"\n');
      assert.equal((await get('/v1/services', { 'X-Auth-Token': demoToken })).status, 200);
      writeFileSync(policyFile, '"zun-service:get_all": "rule:admin_api"\n');
      assert.equal((await get('/v1/services', { 'X-Auth-Token': demoToken })).status, 403);
      writeFileSync(policyFile, '"context_is_admin": "role:nobody-has-this"\n');
      assert.equal((await get('/v1/services', { 'X-Auth-Token': adminToken })).status, 403, 'the admin is no admin any more');
    } finally {
      rmSync(policyFile, { force: true });
    }
    assert.equal((await get('/v1/services', { 'X-Auth-Token': adminToken })).status, 200, 'defaults again once the file is gone');
  });

  test('Keystone unreachable → 503', async () => {
    const closed = await serve(() => undefined);
    const deadUrl = `${closed.url}/v3`;
    await stop(closed.server); // now nothing listens there
    const conf = loadConfig(flags(deadUrl), { env: {}, warn: () => {} });
    const other = await serve(createApiApp(conf, silentLogger(), db.services));
    try {
      const res = await fetch(`${other.url}/v1/services`, { headers: { 'X-Auth-Token': adminToken } });
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { error: { code: number } }).error.code, 503);
    } finally {
      await stop(other.server);
    }
  });
});
