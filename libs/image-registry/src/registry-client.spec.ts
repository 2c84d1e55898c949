import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { nextLinkOf, parseChallenge, RegistryClient, RegistryUnauthorized, RegistryUnreachable } from './registry-client';
import { searchRegistry } from './registry-search';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A fake registry on a loopback port; `handler` is swapped per test, `seen` records method, path and Authorization. */
class FakeRegistry {
  server: Server = createServer((req, res) => {
    this.seen.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers.authorization ?? '-'}`);
    this.handler(req, res);
  });
  seen: string[] = [];
  handler: Handler = (_req, res) => res.writeHead(500).end();
  get domain(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
};
const BASIC_ALICE = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;

describe('parseChallenge and nextLinkOf', () => {
  test('a Bearer challenge with quoted values holding commas and colons', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"'), {
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
    });
    assert.deepEqual(parseChallenge('Basic realm="Registry Realm"'), { scheme: 'basic', params: { realm: 'Registry Realm' } });
    assert.equal(parseChallenge(''), null);
  });

  test('the next page of a Link header', () => {
    assert.equal(nextLinkOf('</v2/_catalog?last=b&n=2>; rel="next"'), '/v2/_catalog?last=b&n=2');
    assert.equal(nextLinkOf(null), null);
    assert.equal(nextLinkOf('</x>; rel="prev"'), null);
  });
});

describe('RegistryClient against a fake registry', () => {
  const reg = new FakeRegistry();
  before(() => new Promise<void>((resolve) => reg.server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => reg.server.close(() => resolve())));

  test('Bearer: 401 challenge → token from the realm with basic auth and the scope → retried with the token, kept for the scope', async () => {
    reg.seen = [];
    reg.handler = (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        assert.equal(url.searchParams.get('service'), 'fake');
        assert.equal(url.searchParams.get('scope'), 'repository:app/web:pull');
        if (req.headers.authorization !== BASIC_ALICE) return json(res, 401, {});
        return json(res, 200, { token: 'tok-1' });
      }
      if (req.headers.authorization === 'Bearer tok-1') return json(res, 200, { name: 'app/web', tags: ['1.0', 'latest'] });
      json(res, 401, {}, { 'WWW-Authenticate': `Bearer realm="http://${reg.domain}/token",service="fake",scope="repository:app/web:pull"` });
    };
    const client = new RegistryClient({ domain: reg.domain, username: 'alice', password: 's3cret' });
    assert.deepEqual(await client.tags('app/web'), ['1.0', 'latest']);
    assert.deepEqual(await client.tags('app/web'), ['1.0', 'latest']);
    assert.deepEqual(reg.seen, [
      'GET /v2/app/web/tags/list -',
      `GET /token?service=fake&scope=repository%3Aapp%2Fweb%3Apull ${BASIC_ALICE}`,
      'GET /v2/app/web/tags/list Bearer tok-1',
      'GET /v2/app/web/tags/list Bearer tok-1',
    ]);
  });

  test('Bearer with wrong credentials is RegistryUnauthorized', async () => {
    reg.handler = (req, res) => {
      if ((req.url ?? '').startsWith('/token')) return json(res, 401, {});
      json(res, 401, {}, { 'WWW-Authenticate': `Bearer realm="http://${reg.domain}/token",service="fake"` });
    };
    const client = new RegistryClient({ domain: reg.domain, username: 'alice', password: 'wrong' });
    await assert.rejects(client.tags('x'), RegistryUnauthorized);
  });

  test('Basic: the challenge is answered with the credentials; without credentials the 401 stands', async () => {
    reg.seen = [];
    reg.handler = (req, res) => {
      if (req.headers.authorization === BASIC_ALICE) return res.writeHead(200).end();
      json(res, 401, {}, { 'WWW-Authenticate': 'Basic realm="r"' });
    };
    assert.equal(await new RegistryClient({ domain: reg.domain, username: 'alice', password: 's3cret' }).hasManifest('a', 'latest'), true);
    assert.deepEqual(reg.seen, ['HEAD /v2/a/manifests/latest -', `HEAD /v2/a/manifests/latest ${BASIC_ALICE}`]);
    await assert.rejects(new RegistryClient({ domain: reg.domain }).hasManifest('a', 'latest'), RegistryUnauthorized);
  });

  test('a manifest HEAD asks for v2 and OCI manifests and lists; 404 is absent', async () => {
    let accept = '';
    reg.handler = (req, res) => {
      accept = String(req.headers.accept);
      res.writeHead(req.url?.includes('/there/') ? 200 : 404).end();
    };
    const client = new RegistryClient({ domain: reg.domain });
    assert.equal(await client.hasManifest('there', 'latest'), true);
    assert.equal(await client.hasManifest('gone', 'latest'), false);
    for (const t of ['manifest.v2+json', 'manifest.list.v2+json', 'oci.image.manifest.v1+json', 'oci.image.index.v1+json']) assert.ok(accept.includes(t), t);
  });

  test('the catalog follows Link pages; search matches by prefix or whole name and lists tags', async () => {
    reg.handler = (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/v2/_catalog') {
        if (!url.searchParams.get('last')) return json(res, 200, { repositories: ['app/api', 'app/web'] }, { Link: '</v2/_catalog?last=app%2Fweb&n=2>; rel="next"' });
        return json(res, 200, { repositories: ['base', 'application'] });
      }
      const name = url.pathname.replace(/^\/v2\//, '').replace(/\/tags\/list$/, '');
      json(res, 200, { name, tags: [`${name}-t`] });
    };
    const client = new RegistryClient({ domain: reg.domain });
    assert.deepEqual(await client.catalog(), ['app/api', 'app/web', 'base', 'application']);
    assert.deepEqual((await searchRegistry(client, 'app', false)).map((m) => m.name), [`${reg.domain}/app/api`, `${reg.domain}/app/web`, `${reg.domain}/application`]);
    assert.deepEqual(await searchRegistry(client, `${reg.domain}/app/web`, true), [{ name: `${reg.domain}/app/web`, tags: ['app/web-t'], registry: reg.domain }]);
    assert.deepEqual(await searchRegistry(client, 'app', true), []);
  });

  test('a server error or a closed port is RegistryUnreachable', async () => {
    reg.handler = (_req, res) => res.writeHead(503).end();
    await assert.rejects(new RegistryClient({ domain: reg.domain }).catalog(), RegistryUnreachable);
    await assert.rejects(new RegistryClient({ domain: '127.0.0.1:1', timeoutMs: 2000 }).catalog(), RegistryUnreachable);
  });
});
