import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { silentLogger } from '@zun-ts/common';
import { ApiVersion } from '../http/api-version';
import { renderError } from '../http/error-body';
import { HttpError } from '../http/http-error';
import { listen, startTestApi, type TestServer } from '../../tests/fixtures/test-api';
import { checkVersionRange, microversion, parseVersionHeader } from './microversion';
import { installRoutes } from './route-table';

type ErrorBody = { errors: { code: string; status: number; title: string; detail: string; request_id: string; links: unknown[] }[] };

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe('parseVersionHeader / checkVersionRange', () => {
  test('no header is 1.1, latest is 1.40 (any case)', () => {
    assert.equal(parseVersionHeader(undefined).toString(), '1.1');
    assert.equal(parseVersionHeader('container latest').toString(), '1.40');
    assert.equal(parseVersionHeader('container LATEST').toString(), '1.40');
    assert.equal(parseVersionHeader('  container   1.27 ').toString(), '1.27');
  });

  test('malformed headers are 406 with Zun\'s details', () => {
    const cases: [string, string][] = [
      ['container', 'Invalid service type for OpenStack-API-Version header'],
      ['', 'Invalid service type for OpenStack-API-Version header'],
      ['container 1.2 extra', 'Invalid service type for OpenStack-API-Version header'],
      ['compute 1.2', 'Invalid service type for OpenStack-API-Version header'],
      ['Container 1.2', 'Invalid service type for OpenStack-API-Version header'],
      ['container 1', 'Invalid value for OpenStack-API-Version header'],
      ['container 1.x', 'Invalid value for OpenStack-API-Version header'],
      ['container 1.2.3', 'Invalid value for OpenStack-API-Version header'],
    ];
    for (const [value, detail] of cases) {
      assert.throws(() => parseVersionHeader(value), (e: unknown) => e instanceof HttpError && e.status === 406 && e.detail === detail, value);
    }
  });

  test('the range is [1.1, 1.40] and the major must be 1', () => {
    for (const ok of ['1.1', '1.20', '1.40']) assert.doesNotThrow(() => checkVersionRange(ApiVersion.parse(ok) as ApiVersion));
    for (const bad of ['1.0', '1.41', '2.0', '0.9', '1.-1']) {
      assert.throws(
        () => checkVersionRange(ApiVersion.parse(bad) as ApiVersion),
        (e: unknown) => e instanceof HttpError && e.status === 406 && e.title === 'Requested microversion is unsupported',
        bad,
      );
    }
  });
});

describe('microversions over HTTP', () => {
  let api: TestServer;
  before(async () => {
    api = await startTestApi();
  });
  after(() => api.close());

  test('no header → 1.1 with the range headers and Vary', async () => {
    const r = await get(`${api.url}/v1/services`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('openstack-api-version'), 'container 1.1');
    assert.equal(r.headers.get('openstack-api-minimum-version'), 'container 1.1');
    assert.equal(r.headers.get('openstack-api-maximum-version'), 'container 1.40');
    assert.match(r.headers.get('vary') ?? '', /OpenStack-API-Version/);
  });

  test('latest → 1.40', async () => {
    const r = await get(`${api.url}/v1/services`, { 'OpenStack-API-Version': 'container latest' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('openstack-api-version'), 'container 1.40');
  });

  test('1.41 and 2.0 → 406 "Requested microversion is unsupported", version headers included', async () => {
    for (const v of ['1.41', '2.0']) {
      const r = await get(`${api.url}/v1/services`, { 'OpenStack-API-Version': `container ${v}` });
      assert.equal(r.status, 406, v);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      const e = (r.body as ErrorBody).errors[0];
      assert.equal(e?.title, 'Requested microversion is unsupported');
      assert.equal(e?.code, 'container.');
      assert.equal(e?.status, 406);
      assert.match(e?.detail ?? '', /\[1\.1, 1\.40\]/);
      assert.equal(r.headers.get('openstack-api-minimum-version'), 'container 1.1');
      assert.equal(r.headers.get('openstack-api-maximum-version'), 'container 1.40');
      assert.equal(r.headers.get('openstack-api-version'), `container ${v}`);
      assert.match(r.headers.get('x-openstack-request-id') ?? '', /^req-[0-9a-f-]{36}$/);
    }
  });

  test('garbage → 406 with the reason in detail', async () => {
    const r = await get(`${api.url}/v1/services`, { 'OpenStack-API-Version': 'container one.two' });
    assert.equal(r.status, 406);
    const e = (r.body as ErrorBody).errors[0];
    assert.deepEqual(e, { request_id: '', code: 'container.', status: 406, title: 'Not Acceptable', detail: 'Invalid value for OpenStack-API-Version header', links: [] });
    assert.equal(r.headers.get('openstack-api-maximum-version'), 'container 1.40');
  });

  test('GET /v1 checks the header too; GET / does not', async () => {
    assert.equal((await get(`${api.url}/v1`, { 'OpenStack-API-Version': 'bogus' })).status, 406);
    const root = await get(`${api.url}/`, { 'OpenStack-API-Version': 'bogus' });
    assert.equal(root.status, 200);
    assert.equal(root.headers.get('openstack-api-version'), null);
  });

  test('paths without /v1 are served as /v1 paths (bookmark links resolve)', async () => {
    const r = await get(`${api.url}/services`, { 'OpenStack-API-Version': 'container 1.40' });
    assert.equal(r.status, 200);
    assert.ok(Array.isArray((r.body as { services: unknown[] }).services));
    assert.equal(r.headers.get('openstack-api-version'), 'container 1.40');
  });

  test('unknown routes are 404 in Zun\'s format; a known path with another method is 405', async () => {
    for (const path of ['/v1/nothing', '/v1/containers', '/nothing/at/all', '/v1/services/enable/extra']) {
      const r = await get(`${api.url}${path}`);
      assert.equal(r.status, 404, path);
      assert.deepEqual((r.body as ErrorBody).errors[0], { request_id: '', code: 'container.', status: 404, title: 'Not Found', detail: 'The resource could not be found.', links: [] });
    }
    const r = await fetch(`${api.url}/v1/services`, { method: 'POST' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, DELETE');
    const body = (await r.json()) as ErrorBody;
    assert.equal(body.errors[0]?.title, 'Method Not Allowed');
    assert.equal(r.headers.get('openstack-api-version'), 'container 1.1');
  });
});

describe('per-route version ranges', () => {
  let srv: TestServer;
  before(async () => {
    const app = express();
    const router = express.Router();
    router.use('/v1', microversion);
    installRoutes(router, [
      { method: 'GET', path: '/v1/hosts', minVersion: new ApiVersion(1, 4), handler: (_req, res) => void res.json('hosts') },
      { method: 'POST', path: '/v1/rename', maxVersion: new ApiVersion(1, 13), handler: (_req, res) => void res.json('old rename') },
      { method: 'GET', path: '/v1/thing', maxVersion: new ApiVersion(1, 17), handler: (_req, res) => void res.json('legacy') },
      { method: 'GET', path: '/v1/thing', minVersion: new ApiVersion(1, 18), handler: (_req, res) => void res.json('new') },
    ]);
    app.use(router);
    app.use(((err: unknown, req, res, _next) => renderError(err, req, res, silentLogger())) as express.ErrorRequestHandler);
    srv = await listen(app);
  });
  after(() => srv.close());

  const at = (v: string): Record<string, string> => ({ 'OpenStack-API-Version': `container ${v}` });

  test('below the minimum → 406 naming the version', async () => {
    const r = await get(`${srv.url}/v1/hosts`, at('1.3'));
    assert.equal(r.status, 406);
    assert.equal((r.body as ErrorBody).errors[0]?.detail, 'Version 1.3 was requested but the requested API is not supported for this version.');
    assert.equal((await get(`${srv.url}/v1/hosts`, at('1.4'))).body, 'hosts');
  });

  test('above the maximum → 406', async () => {
    const r = await fetch(`${srv.url}/v1/rename`, { method: 'POST', headers: at('1.14') });
    assert.equal(r.status, 406);
    const ok = await fetch(`${srv.url}/v1/rename`, { method: 'POST', headers: at('1.13') });
    assert.equal(await ok.json(), 'old rename');
  });

  test('one path may have a different implementation per range', async () => {
    assert.equal((await get(`${srv.url}/v1/thing`, at('1.17'))).body, 'legacy');
    assert.equal((await get(`${srv.url}/v1/thing`, at('1.18'))).body, 'new');
    assert.equal((await get(`${srv.url}/v1/thing`)).body, 'legacy');
  });
});
