import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceUnavailable } from '@zun-ts/common';
import { type TokenIdentity, type TokenValidator } from '../api.tokens';
import { FakeServiceStore } from '../../tests/fixtures/fake-service.store';
import { startTestApi, testConf, type TestServer } from '../../tests/fixtures/test-api';
import { createApiApp } from '../main';
import { silentLogger } from '@zun-ts/common';

const KS_FLAGS = [
  '--api.auth_strategy=keystone',
  '--keystone_authtoken.auth_url=http://keystone.invalid:5000/v3',
  '--keystone_authtoken.www_authenticate_uri=https://id.example.com/v3',
  '--keystone_authtoken.username=zun',
  '--keystone_authtoken.password=pw',
  '--keystone_authtoken.project_name=service',
];

function identity(over: Partial<TokenIdentity>): TokenIdentity {
  return {
    userId: 'u1', userName: 'demo', userDomainId: 'default', userDomainName: 'Default', projectId: 'p1', projectName: 'demo',
    projectDomainId: 'default', projectDomainName: 'Default', domainId: null, domainName: null, systemScope: null,
    roles: ['member', 'reader'], isAdminProject: null, expiresAt: Date.now() + 3_600_000, ...over,
  };
}

/** Strict fake: known tokens only, records every call. */
class FakeValidator implements TokenValidator {
  calls: string[] = [];
  down = false;
  tokens = new Map<string, TokenIdentity>([
    ['demo-token', identity({})],
    ['admin-token', identity({ userId: 'a1', projectId: 'p0', roles: ['admin', 'member', 'reader'] })],
  ]);
  validate(token: string): Promise<TokenIdentity | null> {
    this.calls.push(token);
    if (this.down) return Promise.reject(new ServiceUnavailable('keystone down'));
    return Promise.resolve(this.tokens.get(token) ?? null);
  }
}

type KeystoneBody = { error: { code: number; title: string; message: string } };

describe('authtoken', () => {
  const validator = new FakeValidator();
  const store = new FakeServiceStore();
  let api: TestServer;
  before(async () => {
    store.add({ host: 'h1', binary: 'zun-compute' });
    api = await startTestApi({ flags: KS_FLAGS, services: store, overrides: { tokenValidator: validator } });
  });
  after(() => api.close());

  test('/, /v1 (with or without slash) and /healthcheck need no token', async () => {
    for (const path of ['/', '/v1', '/v1/', '/healthcheck']) {
      const res = await fetch(`${api.url}${path}`);
      assert.equal(res.status, 200, path);
      await res.arrayBuffer();
    }
    assert.deepEqual(validator.calls, []);
  });

  test('no token → 401 in Keystone\'s format with WWW-Authenticate', async () => {
    for (const path of ['/v1/services', '/services', '/v1/nothing']) {
      const res = await fetch(`${api.url}${path}`);
      assert.equal(res.status, 401, path);
      assert.equal(res.headers.get('www-authenticate'), 'Keystone uri="https://id.example.com/v3"');
      assert.match(res.headers.get('x-openstack-request-id') ?? '', /^req-/);
      assert.deepEqual(await res.json(), { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
    }
  });

  test('an invalid token → 401', async () => {
    const res = await fetch(`${api.url}/v1/services`, { headers: { 'X-Auth-Token': 'garbage' } });
    assert.equal(res.status, 401);
    assert.ok(res.headers.get('www-authenticate'));
    assert.equal(((await res.json()) as KeystoneBody).error.title, 'Unauthorized');
  });

  test('a valid token reaches the app with its identity; policy decides', async () => {
    const demo = await fetch(`${api.url}/v1/services`, { headers: { 'X-Auth-Token': 'demo-token' } });
    assert.equal(demo.status, 403);
    const admin = await fetch(`${api.url}/v1/services`, { headers: { 'X-Auth-Token': 'admin-token' } });
    assert.equal(admin.status, 200);
    assert.equal(((await admin.json()) as { services: unknown[] }).services.length, 1);
  });

  test('identity headers sent by the client are ignored', async () => {
    const forged = { 'X-Auth-Token': 'demo-token', 'X-Roles': 'admin', 'X-User-Id': 'a1', 'X-Project-Id': 'p0', 'X-Service-Roles': 'admin' };
    assert.equal((await fetch(`${api.url}/v1/services`, { headers: forged })).status, 403);
    const noToken = await fetch(`${api.url}/v1/services`, { headers: { 'X-Roles': 'admin', 'X-Identity-Status': 'Confirmed' } });
    assert.equal(noToken.status, 401);
  });

  test('Keystone unreachable → 503, not 401 or 500', async () => {
    validator.down = true;
    try {
      const res = await fetch(`${api.url}/v1/services`, { headers: { 'X-Auth-Token': 'demo-token' } });
      assert.equal(res.status, 503);
      const body = (await res.json()) as KeystoneBody;
      assert.equal(body.error.code, 503);
      assert.equal(body.error.title, 'Service Unavailable');
    } finally {
      validator.down = false;
    }
  });
});

describe('authtoken configuration', () => {
  test('missing service credentials stop start-up', () => {
    assert.throws(
      () => createApiApp(testConf(['--api.auth_strategy=keystone']), silentLogger(), new FakeServiceStore()),
      (e: unknown) => e instanceof Error && e.name === 'ConfigError' && /\[keystone_authtoken\] auth_url/.test(e.message) && /password/.test(e.message),
    );
  });

  test('noauth needs none of them', () => {
    assert.doesNotThrow(() => createApiApp(testConf(['--api.auth_strategy=noauth']), silentLogger(), new FakeServiceStore()));
  });
});
