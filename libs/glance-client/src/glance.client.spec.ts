import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Conflict, ImageNotFound, InvalidValue, NotAuthorized, ServiceUnavailable } from '@zun-ts/common';
import { GlanceClient } from './glance.client';
import { dataDigest, visibilityFor } from './glance.types';
import { findEndpoint, KeystonePasswordAuth, normalizeInterface } from './keystone-password.auth';

/** A loopback HTTP server playing Keystone and Glance: each test sets `handle`; every request is recorded. */
class FakeServer {
  server: Server = createServer((req, res) => void this.serve(req, res));
  seen: Array<{ method: string; url: string; token: string | undefined; body: Buffer; chunked: boolean }> = [];
  handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void = (_q, _b, res) => res.writeHead(500).end();

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const body = Buffer.concat(parts);
    this.seen.push({ method: req.method ?? '', url: req.url ?? '', token: req.headers['x-auth-token'] as string | undefined, body, chunked: req.headers['transfer-encoding'] === 'chunked' });
    this.handle(req, body, res);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

function json(res: ServerResponse, status: number, doc: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(doc));
}

const IMAGE = { id: 'i1', name: 'n', status: 'queued', visibility: 'shared', owner: 'p1', container_format: 'docker', disk_format: 'raw', tags: [] };

void describe('GlanceClient', () => {
  const fake = new FakeServer();
  let tokens: string[];
  const auth = {
    token: () => Promise.resolve(tokens[0] ?? 'none'),
    refused: (t: string) => {
      if (tokens[0] === t) tokens.shift();
    },
  };
  const client = (): GlanceClient => new GlanceClient({ endpoint: `${fake.url}/v2/`, auth, timeoutMs: 2000, requestId: 'req-1' });

  before(() => new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r)));
  after(() => new Promise<void>((r) => fake.server.close(() => r())));
  beforeEach(() => {
    fake.seen = [];
    tokens = ['t1', 't2'];
  });

  test('create sends docker/raw defaults and only the fields given', async () => {
    fake.handle = (_q, _b, res) => json(res, 201, { ...IMAGE, size: undefined });
    const img = await client().createImage({ name: 'n', id: 'i1', tags: ['v1'] });
    assert.deepEqual(JSON.parse(fake.seen[0]?.body.toString() ?? ''), { name: 'n', container_format: 'docker', disk_format: 'raw', id: 'i1', tags: ['v1'] });
    assert.deepEqual([fake.seen[0]?.method, fake.seen[0]?.url, fake.seen[0]?.token], ['POST', '/v2/images', 't1']);
    assert.deepEqual([img.size, img.checksum], [null, null]);
  });

  test('a 401 is retried once with a new token; a second 401 is not', async () => {
    fake.handle = (req, _b, res) => (req.headers['x-auth-token'] === 't2' ? json(res, 200, IMAGE) : res.writeHead(401).end());
    assert.equal((await client().getImage('i1')).id, 'i1');
    assert.deepEqual(fake.seen.map((s) => s.token), ['t1', 't2']);
    fake.handle = (_q, _b, res) => res.writeHead(401).end();
    tokens = ['a', 'b', 'c'];
    fake.seen = [];
    await assert.rejects(client().getImage('i1'), /refused the token/);
    assert.equal(fake.seen.length, 2);
  });

  test('Glance\'s answers become Zun errors with what Glance said', async () => {
    const cases: Array<[number, new (...a: never[]) => Error]> = [[400, InvalidValue], [403, NotAuthorized], [404, ImageNotFound], [409, Conflict], [503, ServiceUnavailable]];
    for (const [status, cls] of cases) {
      fake.handle = (_q, _b, res) => res.writeHead(status, { 'Content-Type': 'text/html' }).end(`<html><body><h1>Nope</h1>detail ${status}</body></html>`);
      await assert.rejects(client().getImage('x'), (err: Error) => err instanceof cls && err.message.includes(`Nope detail ${status}`));
    }
    fake.handle = (_q, _b, res) => res.writeHead(404).end();
    assert.equal(await client().findImage('x'), null);
    await client().deleteImage('x'); // gone already
  });

  test('an unreachable Glance is ServiceUnavailable (retryable)', async () => {
    const c = new GlanceClient({ endpoint: 'http://127.0.0.1:1', auth });
    await assert.rejects(c.getImage('x'), (err: Error) => err instanceof ServiceUnavailable && err.retryable);
  });

  test('list follows `next` pages, asks for visibility=all and stops at max', async () => {
    fake.handle = (req, _b, res) => {
      const marker = new URL(req.url ?? '', fake.url).searchParams.get('marker');
      if (!marker) json(res, 200, { images: [{ ...IMAGE, id: 'a' }, { ...IMAGE, id: 'b' }], next: '/v2/images?marker=b&limit=2' });
      else if (marker === 'b') json(res, 200, { images: [{ ...IMAGE, id: 'c' }], next: '/v2/images?marker=c&limit=2' });
      else json(res, 200, { images: [] });
    };
    assert.deepEqual((await client().listImages({ name: 'n x' })).map((i) => i.id), ['a', 'b', 'c']);
    const q = new URL(fake.seen[0]?.url ?? '', fake.url).searchParams;
    assert.deepEqual([q.get('visibility'), q.get('name')], ['all', 'n x']);
    fake.seen = [];
    assert.deepEqual((await client().listImages({ max: 2 })).map((i) => i.id), ['a', 'b']);
    assert.equal(fake.seen.length, 1);
  });

  test('upload streams chunked as octet-stream; a refused stream is not sent twice', async () => {
    fake.handle = (_q, _b, res) => res.writeHead(204).end();
    await client().uploadImage('i1', Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
    const s = fake.seen[0];
    assert.deepEqual([s?.method, s?.url, s?.body.toString(), s?.chunked], ['PUT', '/v2/images/i1/file', 'abcd', true]);
    fake.handle = (_q, _b, res) => res.writeHead(401).end();
    fake.seen = [];
    await assert.rejects(client().uploadImage('i1', Readable.from([Buffer.from('x')])), /refused the token/);
    assert.equal(fake.seen.length, 1);
  });

  test('download hands the body on as a stream; 204 (no data) is ImageNotFound', async () => {
    fake.handle = (_q, _b, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write('part1-');
      setTimeout(() => res.end('part2'), 20);
    };
    const parts: string[] = [];
    for await (const c of await client().downloadImage('i1')) parts.push((c as Buffer).toString());
    assert.equal(parts.join(''), 'part1-part2');
    fake.handle = (_q, _b, res) => res.writeHead(204).end();
    await assert.rejects(client().downloadImage('i1'), ImageNotFound);
  });

  test('ids are escaped into the path', async () => {
    fake.handle = (_q, _b, res) => json(res, 200, IMAGE);
    await client().getImage('../x?y');
    assert.equal(fake.seen[0]?.url, '/v2/images/..%2Fx%3Fy');
  });

  test('a member\'s status, or null for a non-member', async () => {
    fake.handle = (req, _b, res) => (req.url?.endsWith('/p2') ? json(res, 200, { status: 'accepted' }) : res.writeHead(404).end());
    assert.equal(await client().memberStatus('i1', 'p2'), 'accepted');
    assert.equal(await client().memberStatus('i1', 'p3'), null);
  });

  test('KeystonePasswordAuth: one login for concurrent callers, catalog kept, renewed near expiry and after refusal', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    let n = 0;
    fake.handle = (_q, body, res) => {
      n++;
      const doc = JSON.parse(body.toString()) as { auth: { scope: { project: { name: string } } } };
      assert.equal(doc.auth.scope.project.name, 'service');
      json(res, 201, { token: { expires_at: new Date(now + 3600_000).toISOString(), catalog: [{ type: 'image', endpoints: [{ interface: 'internal', region_id: 'R1', url: 'http://g:9292' }] }] } }, { 'X-Subject-Token': `tok${n}` });
    };
    const ks = new KeystonePasswordAuth({ authUrl: fake.url, username: 'zun', password: 'p', projectName: 'service', now: () => now });
    assert.deepEqual(await Promise.all([ks.token(), ks.token(), ks.catalog()]).then((r) => r.slice(0, 2)), ['tok1', 'tok1']);
    assert.equal(fake.seen[0]?.url, '/v3/auth/tokens');
    assert.equal(findEndpoint(await ks.catalog(), 'image', 'internal', 'R1'), 'http://g:9292');
    now += 3600_000 - 60_000; // within two minutes of expiry
    assert.equal(await ks.token(), 'tok2');
    ks.refused('tok1'); // an old token: nothing to forget
    assert.equal(await ks.token(), 'tok2');
    ks.refused('tok2');
    assert.equal(await ks.token(), 'tok3');
    fake.handle = (_q, _b, res) => res.writeHead(401).end();
    ks.refused('tok3');
    await assert.rejects(ks.token(), ServiceUnavailable);
  });
});

void describe('catalog and visibility rules', () => {
  const catalog = [
    { type: 'identity', endpoints: [{ interface: 'public', region_id: 'R1', url: 'http://k' }] },
    { type: 'image', endpoints: [{ interface: 'public', region_id: 'R2', url: 'http://g2' }, { interface: 'public', region_id: 'R1', url: 'http://g1' }] },
  ];

  test('findEndpoint picks type, interface and region; null when absent', () => {
    assert.equal(findEndpoint(catalog, 'image', 'public', 'R1'), 'http://g1');
    assert.equal(findEndpoint(catalog, 'image', 'public', null), 'http://g2');
    assert.equal(findEndpoint(catalog, 'image', 'internal', null), null);
  });

  test('interfaces: Zun\'s publicURL forms are accepted', () => {
    assert.deepEqual(['publicURL', 'internalURL', 'admin', 'Public', 'x'].map(normalizeInterface), ['public', 'internal', 'admin', 'public', null]);
  });

  test('visibility: own, public and community visible; shared if a member; private of others hidden', () => {
    assert.equal(visibilityFor({ owner: 'p', visibility: 'private' }, 'p'), 'visible');
    assert.equal(visibilityFor({ owner: 'q', visibility: 'public' }, 'p'), 'visible');
    assert.equal(visibilityFor({ owner: 'q', visibility: 'community' }, 'p'), 'visible');
    assert.equal(visibilityFor({ owner: 'q', visibility: 'shared' }, 'p'), 'if-member');
    assert.equal(visibilityFor({ owner: 'q', visibility: 'private' }, 'p'), 'hidden');
    assert.equal(visibilityFor({ owner: 'q', visibility: 'shared' }, null), 'hidden');
  });

  test('the data digest is the md5 checksum, else the os hash', () => {
    assert.equal(dataDigest({ checksum: 'm', os_hash_value: 's' }), 'm');
    assert.equal(dataDigest({ checksum: null, os_hash_value: 's' }), 's');
    assert.equal(dataDigest({ checksum: null, os_hash_value: null }), null);
  });
});
