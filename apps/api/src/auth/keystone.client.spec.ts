import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { ServiceUnavailable, silentLogger } from '@zun-ts/common';
import { listen, type TestServer } from '../../tests/fixtures/test-api';
import { identityV3Url, KeystoneClient } from './keystone.client';

/** Just enough of Keystone's token API, with switches for the failure cases. */
class FakeKeystone {
  logins: unknown[] = [];
  validations: { auth: string | undefined; subject: string | undefined; url: string | undefined }[] = [];
  serviceTokens = new Set<string>();
  userTokens = new Set(['user-ok']);
  expiresInMs = 3_600_000;
  validateStatus: number | null = null;
  loginStatus = 201;
  n = 0;

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const send = (status: number, doc: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(doc));
      };
      if (req.method === 'POST' && req.url?.startsWith('/v3/auth/tokens')) {
        this.logins.push(JSON.parse(body));
        if (this.loginStatus !== 201) return send(this.loginStatus, { error: { code: this.loginStatus } });
        const tok = `svc-${++this.n}`;
        this.serviceTokens.add(tok);
        return send(201, { token: { expires_at: new Date(Date.now() + this.expiresInMs).toISOString() } }, { 'X-Subject-Token': tok });
      }
      if (req.method === 'GET' && req.url?.startsWith('/v3/auth/tokens')) {
        const auth = req.headers['x-auth-token'] as string | undefined;
        const subject = req.headers['x-subject-token'] as string | undefined;
        this.validations.push({ auth, subject, url: req.url });
        if (this.validateStatus) return send(this.validateStatus, { error: { code: this.validateStatus } });
        if (!auth || !this.serviceTokens.has(auth)) return send(401, { error: { code: 401 } });
        if (!subject || !this.userTokens.has(subject)) return send(404, { error: { code: 404, message: 'Could not recognize Fernet token' } });
        return send(200, { token: { user: { id: 'u' }, project: { id: 'p' }, expires_at: new Date(Date.now() + 60_000).toISOString() } }, { 'X-Subject-Token': subject });
      }
      send(404, {});
    });
  };
}

describe('KeystoneClient', () => {
  let ks: FakeKeystone;
  let srv: TestServer;
  let client: KeystoneClient;
  before(async () => {
    ks = new FakeKeystone();
    srv = await listen((req, res) => ks.handle(req, res));
  });
  after(() => srv.close());
  beforeEach(() => {
    ks.logins = [];
    ks.n = 0;
    ks.validations = [];
    ks.serviceTokens.clear();
    ks.validateStatus = null;
    ks.loginStatus = 201;
    ks.expiresInMs = 3_600_000;
    client = new KeystoneClient({
      authUrl: `${srv.url}/v3`,
      username: 'zun',
      password: 'secret',
      projectName: 'service',
      userDomainName: 'Default',
      projectDomainName: 'Default',
      timeoutMs: 2000,
      logger: silentLogger(),
      now: Date.now,
    });
  });

  test('logs in as the service user once and validates with nocatalog', async () => {
    const docA = (await client.validateToken('user-ok')) as { token: { user: { id: string } } };
    assert.equal(docA.token.user.id, 'u');
    await client.validateToken('user-ok');
    assert.equal(ks.logins.length, 1);
    assert.deepEqual(ks.logins[0], {
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'zun', domain: { name: 'Default' }, password: 'secret' } } },
        scope: { project: { name: 'service', domain: { name: 'Default' } } },
      },
    });
    assert.equal(ks.validations[0]?.url, '/v3/auth/tokens?nocatalog');
    assert.equal(ks.validations[0]?.auth, 'svc-1');
    assert.equal(ks.validations[0]?.subject, 'user-ok');
  });

  test('an unknown subject token is null', async () => {
    assert.equal(await client.validateToken('nope'), null);
  });

  test('a refused service token is renewed and the validation retried', async () => {
    await client.validateToken('user-ok');
    ks.serviceTokens.clear(); // e.g. revoked
    assert.ok(await client.validateToken('user-ok'));
    assert.equal(ks.logins.length, 2);
    assert.equal(ks.validations.at(-1)?.auth, 'svc-2', 'the retry used the new service token');
  });

  test('the service token is renewed before it expires', async () => {
    ks.expiresInMs = 60_000; // inside the renewal margin
    await client.validateToken('user-ok');
    await client.validateToken('user-ok');
    assert.equal(ks.logins.length, 2);
  });

  test('concurrent first requests share one login', async () => {
    await Promise.all([client.validateToken('user-ok'), client.validateToken('user-ok'), client.validateToken('nope')]);
    assert.equal(ks.logins.length, 1);
  });

  test('failures of Keystone are ServiceUnavailable', async () => {
    ks.loginStatus = 401;
    await assert.rejects(client.validateToken('user-ok'), ServiceUnavailable);
    ks.loginStatus = 201;
    ks.validateStatus = 403;
    await assert.rejects(client.validateToken('user-ok'), ServiceUnavailable);
    ks.validateStatus = 500;
    await assert.rejects(client.validateToken('user-ok'), ServiceUnavailable);
  });

  test('an unreachable Keystone is ServiceUnavailable', async () => {
    const dead = new KeystoneClient({
      authUrl: 'http://127.0.0.1:9/v3',
      username: 'zun', password: 'x', projectName: 'service', userDomainName: 'Default', projectDomainName: 'Default',
      timeoutMs: 2000, logger: silentLogger(), now: Date.now,
    });
    await assert.rejects(dead.validateToken('t'), (e: unknown) => e instanceof ServiceUnavailable && /cannot reach keystone/.test(e.message));
  });

  test('identityV3Url adds /v3 when missing', () => {
    assert.equal(identityV3Url('http://k:5000'), 'http://k:5000/v3');
    assert.equal(identityV3Url('http://k:5000/v3/'), 'http://k:5000/v3');
    assert.equal(identityV3Url('http://k/identity/v3'), 'http://k/identity/v3');
  });
});
