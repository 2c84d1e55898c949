import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyEnforcer } from '@zun-ts/policy';
import { FakeServiceStore } from '../../tests/fixtures/fake-service.store';
import { startTestApi, type TestServer } from '../../tests/fixtures/test-api';

type ErrorBody = { errors: { code: string; status: number; title: string; detail: string }[] };

/** A raw request, so the body can be streamed in pieces without Content-Length. */
function rawRequest(url: string, opts: { method: string; headers?: Record<string, string>; chunks: Buffer[] }): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close the connection once it has answered 413.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    for (const c of opts.chunks) req.write(c);
    req.end();
  });
}

describe('request_id', () => {
  let api: TestServer;
  before(async () => {
    api = await startTestApi();
  });
  after(() => api.close());

  test('every response carries a fresh req-<uuid>, errors included', async () => {
    const ids = new Set<string>();
    for (const path of ['/', '/v1', '/v1/services', '/v1/nope', '/healthcheck']) {
      const res = await fetch(`${api.url}${path}`);
      await res.arrayBuffer();
      const id = res.headers.get('x-openstack-request-id') ?? '';
      assert.match(id, /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, path);
      ids.add(id);
    }
    assert.equal(ids.size, 5);
  });

  test('a client-supplied request id is not reused', async () => {
    const res = await fetch(`${api.url}/`, { headers: { 'X-OpenStack-Request-Id': 'req-mine' } });
    assert.notEqual(res.headers.get('x-openstack-request-id'), 'req-mine');
  });
});

describe('healthcheck', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-hc-'));
  let api: TestServer;
  before(async () => {
    api = await startTestApi({
      paste: `[pipeline:noauth]\npipeline = request_id healthcheck noauth context v1\n[filter:healthcheck]\npath = /healthcheck\ndisable_by_file_path = ${join(dir, 'off')}\n`,
    });
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('200 OK as text, without auth; 503 while the disable file exists', async () => {
    const res = await fetch(`${api.url}/healthcheck`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await res.text(), 'OK');
    writeFileSync(join(dir, 'off'), '');
    const off = await fetch(`${api.url}/healthcheck`);
    assert.equal(off.status, 503);
    assert.equal(await off.text(), 'DISABLED BY FILE');
  });
});

describe('sizelimit', () => {
  let api: TestServer;
  before(async () => {
    api = await startTestApi({ flags: ['--api.auth_strategy=noauth', '--api.max_request_body_size=100'] });
  });
  after(() => api.close());

  const expect413 = (r: { status: number; body: string }): void => {
    assert.equal(r.status, 413);
    const e = (JSON.parse(r.body) as ErrorBody).errors[0];
    assert.equal(e?.title, 'Request Entity Too Large');
    assert.equal(e?.detail, 'Request is too large.');
    assert.equal(e?.code, 'container.');
  };

  test('a Content-Length over the limit is refused before reading', async () => {
    const body = Buffer.alloc(101, 'a');
    expect413(await rawRequest(`${api.url}/v1/services/enable?host=h&binary=b`, { method: 'PUT', headers: { 'Content-Length': '101' }, chunks: [body] }));
  });

  test('a chunked body is refused once it passes the limit', async () => {
    const r = await rawRequest(`${api.url}/v1/services/enable?host=h&binary=b`, {
      method: 'PUT',
      headers: { 'Transfer-Encoding': 'chunked', 'Content-Type': 'application/json' },
      chunks: [Buffer.alloc(60, 'a'), Buffer.alloc(60, 'b')],
    });
    expect413(r);
  });

  test('a body at the limit passes', async () => {
    const r = await rawRequest(`${api.url}/v1/services/enable?host=nohost&binary=b`, {
      method: 'PUT',
      headers: { 'Transfer-Encoding': 'chunked' },
      chunks: [Buffer.alloc(50, 'a'), Buffer.alloc(50, 'b')],
    });
    assert.equal(r.status, 404, 'reached the handler (unknown service)');
  });
});

describe('http_proxy_to_wsgi', () => {
  const forwarded = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'zun.example.com:8443' };

  test('ignored unless enable_proxy_headers_parsing', async () => {
    const api = await startTestApi();
    try {
      const doc = (await (await fetch(`${api.url}/`, { headers: forwarded })).json()) as { versions: { links: { href: string }[] }[] };
      assert.equal(doc.versions[0]?.links[0]?.href, `${api.url}/v1/`);
    } finally {
      await api.close();
    }
  });

  test('honoured when enabled: X-Forwarded-* and RFC 7239 Forwarded', async () => {
    const api = await startTestApi({ flags: ['--api.auth_strategy=noauth', '--api.enable_proxy_headers_parsing=true'] });
    try {
      const doc = (await (await fetch(`${api.url}/`, { headers: forwarded })).json()) as { versions: { links: { href: string }[] }[] };
      assert.equal(doc.versions[0]?.links[0]?.href, 'https://zun.example.com:8443/v1/');
      const v1 = (await (await fetch(`${api.url}/v1`, { headers: { Forwarded: 'for=1.2.3.4;proto=https;host="api.example.org"' } })).json()) as { services: { href: string }[] };
      assert.equal(v1.services[0]?.href, 'https://api.example.org/v1/services/');
      assert.equal(v1.services[1]?.href, 'https://api.example.org/services/');
      const onlyProto = (await (await fetch(`${api.url}/`, { headers: { 'X-Forwarded-Proto': 'https' } })).json()) as { versions: { links: { href: string }[] }[] };
      assert.equal(onlyProto.versions[0]?.links[0]?.href, `${api.url.replace('http:', 'https:')}/v1/`);
    } finally {
      await api.close();
    }
  });
});

describe('cors', () => {
  let api: TestServer;
  before(async () => {
    api = await startTestApi({ flags: ['--api.auth_strategy=noauth', '--api.cors_allowed_origin=https://dash.example.com'] });
  });
  after(() => api.close());

  test('allowed origin: CORS headers on the answer', async () => {
    const res = await fetch(`${api.url}/v1/services`, { headers: { Origin: 'https://dash.example.com' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://dash.example.com');
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /X-OpenStack-Request-ID/);
    assert.match(res.headers.get('vary') ?? '', /Origin/);
  });

  test('other origins get no CORS headers', async () => {
    const res = await fetch(`${api.url}/v1/services`, { headers: { Origin: 'https://evil.example.com' } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  test('preflight is answered directly', async () => {
    const ok = await fetch(`${api.url}/v1/services`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://dash.example.com', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'X-Auth-Token, OpenStack-API-Version' },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://dash.example.com');
    assert.equal(ok.headers.get('access-control-allow-methods'), 'PUT');
    const badHeader = await fetch(`${api.url}/v1/services`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://dash.example.com', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'X-Unknown' },
    });
    assert.equal(badHeader.headers.get('access-control-allow-origin'), null);
  });
});

describe('noauth + context', () => {
  const store = new FakeServiceStore();
  let api: TestServer;
  before(async () => {
    store.add({ host: 'h1', binary: 'zun-compute' });
    api = await startTestApi({ services: store });
  });
  after(() => api.close());

  test('without identity headers the caller is the admin', async () => {
    assert.equal((await fetch(`${api.url}/v1/services`)).status, 200);
  });

  test('identity headers decide; is_admin comes from the admin role', async () => {
    const member = await fetch(`${api.url}/v1/services`, { headers: { 'X-User-Id': 'u', 'X-Project-Id': 'p', 'X-Roles': 'member,reader' } });
    assert.equal(member.status, 403);
    const body = (await member.json()) as ErrorBody;
    assert.equal(body.errors[0]?.code, 'container.policy-not-authorized');
    assert.equal(body.errors[0]?.title, "Policy doesn't allow zun-service:get_all to be performed.");
    const admin = await fetch(`${api.url}/v1/services`, { headers: { 'X-User-Id': 'u', 'X-Project-Id': 'p', 'X-Roles': 'reader,Admin' } });
    assert.equal(admin.status, 200);
  });
});

describe('context_is_admin override', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-ctx-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('is_admin follows the context_is_admin rule, not a hard-coded role', async () => {
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, '"context_is_admin": "role:cloud-admin"\n');
    const api = await startTestApi({ overrides: { policy: new PolicyEnforcer({ policyFile: file }) } });
    try {
      const h = (roles: string): Record<string, string> => ({ 'X-User-Id': 'u', 'X-Project-Id': 'p', 'X-Roles': roles });
      assert.equal((await fetch(`${api.url}/v1/services`, { headers: h('admin') })).status, 403);
      assert.equal((await fetch(`${api.url}/v1/services`, { headers: h('cloud-admin') })).status, 200);
    } finally {
      await api.close();
    }
  });
});
