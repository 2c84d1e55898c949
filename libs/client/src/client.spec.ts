// The client against a fake Keystone and a fake Zun API on one local HTTP server: login, catalog,
// microversion negotiation, the re-login on 401, error mapping, pagination and the wire form of calls.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ZunClient } from './client';
import { BadRequest, Conflict, Forbidden, NotFound, ServiceUnavailable, Unauthorized, ZunClientError } from './errors';
import { type ClientOptions } from './transport';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  token: string | undefined;
  version: string | undefined;
  body: unknown;
}

/** The fake cloud's knobs, reset before each test. */
interface Cloud {
  max: string;
  min: string;
  /** Tokens the API accepts. */
  valid: Set<string>;
  /** The API refuses every token. */
  refuseAll: boolean;
  logins: number;
  /** `GET /` of the API (version discovery) calls. */
  versionDocs: number;
  seen: Seen[];
  /** The answer of the next API call (after auth), if set. */
  next: ((s: Seen, res: ServerResponse) => void) | null;
}

const cloud: Cloud = { max: '1.40', min: '1.1', valid: new Set(), refuseAll: false, logins: 0, versionDocs: 0, seen: [], next: null };
let server: Server;
let base = '';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', base);
  const body = await readBody(req);
  const s: Seen = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    token: req.headers['x-auth-token'] as string | undefined,
    version: req.headers['openstack-api-version'] as string | undefined,
    body,
  };
  if (url.pathname === '/identity/v3/auth/tokens' && s.method === 'POST') {
    const pw = (body as { auth: { identity: { password: { user: { password: string } } } } }).auth.identity.password.user.password;
    if (pw !== 'secret') return send(res, 401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
    cloud.logins++;
    const token = `tok-${cloud.logins}`;
    cloud.valid.add(token);
    const catalog = [
      { type: 'identity', endpoints: [{ interface: 'public', url: `${base}/identity/v3` }] },
      { type: 'container', endpoints: [{ interface: 'public', url: `${base}/zun/v1` }, { interface: 'internal', url: `${base}/zun-internal/v1` }] },
    ];
    return send(res, 201, { token: { catalog } }, { 'X-Subject-Token': token });
  }
  if (url.pathname === '/identity/v3/auth/tokens' && s.method === 'GET') {
    if (!cloud.valid.has(s.token ?? '')) return send(res, 401, { error: { code: 401, title: 'Unauthorized', message: 'bad token' } });
    return send(res, 200, { token: { catalog: [{ type: 'container', endpoints: [{ interface: 'public', url: `${base}/zun/v1/` }] }] } }, { 'X-Subject-Token': s.token ?? '' });
  }
  if (url.pathname === '/zun/' || url.pathname === '/zun-internal/') {
    cloud.versionDocs++;
    return send(res, 200, { versions: [{ id: 'v1', status: 'CURRENT', min_version: cloud.min, max_version: cloud.max }] });
  }
  cloud.seen.push(s);
  if (cloud.refuseAll || !cloud.valid.has(s.token ?? '')) return send(res, 401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
  const next = cloud.next;
  cloud.next = null;
  if (next) return next(s, res);
  send(res, 200, { path: url.pathname });
}

const password = (over: Partial<ClientOptions> = {}, pw = 'secret'): ZunClient =>
  new ZunClient({ auth: { kind: 'password', authUrl: `${base}/identity/v3`, username: 'demo', password: pw, projectName: 'demo' }, ...over });

void describe('ZunClient against a fake Keystone and API', { concurrency: 1 }, () => {
  before(async () => {
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    Object.assign(cloud, { max: '1.40', min: '1.1', valid: new Set<string>(), refuseAll: false, logins: 0, versionDocs: 0, seen: [], next: null });
  });

  void test('password login, the public container endpoint from the catalog, and the highest common microversion', async () => {
    cloud.max = '1.38';
    const zun = password();
    await zun.raw('GET', '/services');
    assert.equal(await zun.endpoint(), `${base}/zun/v1`);
    assert.deepEqual(cloud.seen.map((s) => [s.method, s.path, s.token, s.version]), [['GET', '/zun/v1/services', 'tok-1', 'container 1.38']]);
  });

  void test('a server newer than the client gets the client\'s 1.40; the internal interface is another endpoint', async () => {
    cloud.max = '1.55';
    const zun = password({ interface: 'internal' });
    await zun.raw('GET', '/containers');
    assert.deepEqual(cloud.seen.map((s) => [s.path, s.version]), [['/zun-internal/v1/containers', 'container 1.40']]);
  });

  void test('no common microversion: a client error before any API call', async () => {
    cloud.min = '1.41';
    cloud.max = '1.50';
    await assert.rejects(password().raw('GET', '/containers'), ZunClientError);
    assert.equal(cloud.seen.length, 0);
  });

  void test('an expired token: one new login and the call again; a second 401 is thrown', async () => {
    const zun = password();
    await zun.raw('GET', '/a');
    cloud.valid.clear(); // every token expires
    assert.deepEqual(await zun.raw('GET', '/b'), { path: '/zun/v1/b' });
    assert.equal(cloud.logins, 2);
    assert.deepEqual(cloud.seen.map((s) => [s.path, s.token]), [['/zun/v1/a', 'tok-1'], ['/zun/v1/b', 'tok-1'], ['/zun/v1/b', 'tok-2']]);

    cloud.refuseAll = true; // the API refuses every token now, a new one too
    await assert.rejects(zun.raw('GET', '/c'), Unauthorized);
    assert.equal(cloud.logins, 3, 'one login only for the failed call');
  });

  void test('a bad password is Keystone\'s Unauthorized', async () => {
    await assert.rejects(password({}, 'wrong').raw('GET', '/x'), (e: unknown) => e instanceof Unauthorized && e.detail === 'The request you have made requires authentication.');
  });

  void test('token auth: the catalog of the token; a 401 is thrown at once, without any login', async () => {
    const zun0 = password();
    const token = await zun0.token();
    const zun = new ZunClient({ auth: { kind: 'token', token, authUrl: `${base}/identity/v3` } });
    await zun.raw('GET', '/x');
    assert.equal(await zun.endpoint(), `${base}/zun/v1`);
    cloud.valid.clear();
    await assert.rejects(zun.raw('GET', '/y'), Unauthorized);
    assert.equal(cloud.logins, 1);
    assert.equal(cloud.seen.filter((s) => s.path === '/zun/v1/y').length, 1);
  });

  void test('an explicit endpoint (with or without /v1) needs no catalog', async () => {
    const token = await password().token();
    const zun = new ZunClient({ auth: { kind: 'token', token }, endpoint: `${base}/zun` });
    await zun.raw('GET', '/x');
    assert.deepEqual(cloud.seen.map((s) => s.path), ['/zun/v1/x']);
  });

  void test('API errors by class, with Zun\'s code, detail and request id', async () => {
    const zun = password();
    const zunError = (status: number, code: string, detail: string) => (_s: Seen, res: ServerResponse) =>
      send(res, status, { errors: [{ request_id: '', code, status, title: detail, detail, links: [] }] }, { 'X-OpenStack-Request-Id': `req-${status}` });
    cloud.next = zunError(404, 'container.container-not-found', 'Container x could not be found.');
    await assert.rejects(zun.containers.get('x'), (e: unknown) => {
      assert.ok(e instanceof NotFound);
      assert.deepEqual([e.status, e.code, e.detail, e.requestId], [404, 'container.container-not-found', 'Container x could not be found.', 'req-404']);
      return true;
    });
    cloud.next = zunError(400, 'container.schema-validation-error', "'image' is a required property");
    await assert.rejects(zun.containers.create({ image: '' }), BadRequest);
    cloud.next = zunError(409, 'container.conflict', 'busy');
    await assert.rejects(zun.containers.start('x'), Conflict);
    cloud.next = zunError(503, 'container.message-bus-unavailable', 'try again');
    await assert.rejects(zun.containers.stop('x'), ServiceUnavailable);
    cloud.next = zunError(403, 'container.policy-not-authorized', 'no');
    await assert.rejects(zun.containers.find('x'), Forbidden, 'find() swallows 404 only');
    cloud.next = zunError(404, 'container.container-not-found', 'gone');
    assert.equal(await zun.containers.find('gone'), null);
  });

  void test('list pages follow `next` against the client\'s own endpoint', async () => {
    const zun = password();
    const pages: Record<string, { containers: { uuid: string }[]; next: string | null }> = {
      '': { containers: [{ uuid: 'a' }, { uuid: 'b' }], next: 'http://elsewhere:9517/v1/containers?limit=2&marker=b' },
      b: { containers: [{ uuid: 'c' }], next: null },
    };
    // every list call answers the page of its marker (the handler re-arms itself)
    const answerPage = (s: Seen, res: ServerResponse): void => {
      send(res, 200, pages[s.query.get('marker') ?? '']);
      cloud.next = answerPage;
    };
    cloud.next = answerPage;
    const uuids: string[] = [];
    for await (const c of zun.containers.listAll({ limit: 2 })) uuids.push(c.uuid);
    cloud.next = null;
    assert.deepEqual(uuids, ['a', 'b', 'c']);
    assert.deepEqual(cloud.seen.map((s) => `${s.path}?${s.query.toString()}`), ['/zun/v1/containers?limit=2', '/zun/v1/containers?limit=2&marker=b']);
  });

  void test('the wire form of container calls', async () => {
    const zun = password();
    await zun.containers.run({ image: 'busybox', command: ['echo', 'hi'] });
    await zun.containers.delete('c1', { force: true, stop: true });
    await zun.containers.exec('c1', ['sh', '-c', "echo 'a b'"]);
    await zun.containers.kill('c1', 'SIGKILL');
    await zun.containers.restart('c1', { timeout: 5 });
    await zun.containers.logs('c1', { tail: 10 });
    await zun.containers.rename('c1', 'new');
    await zun.containers.commit('c1', 'repo', 'v1');
    assert.deepEqual(
      cloud.seen.map((s) => [s.method, `${s.path}?${s.query.toString()}`, s.body ?? null]),
      [
        ['POST', '/zun/v1/containers?run=true', { image: 'busybox', command: ['echo', 'hi'] }],
        ['DELETE', '/zun/v1/containers/c1?force=True&stop=True', null],
        ['POST', `/zun/v1/containers/c1/execute?${new URLSearchParams({ command: `sh -c 'echo '"'"'a b'"'"''`, run: 'true', interactive: 'false' })}`, null],
        ['POST', '/zun/v1/containers/c1/kill?signal=SIGKILL', null],
        ['POST', '/zun/v1/containers/c1/reboot?timeout=5', null],
        ['GET', '/zun/v1/containers/c1/logs?tail=10', null],
        ['PATCH', '/zun/v1/containers/c1?', { name: 'new' }],
        ['POST', '/zun/v1/containers/c1/commit?repository=repo&tag=v1', null],
      ],
    );
  });

  void test('concurrent first calls share one login and one version discovery', async () => {
    const zun = password();
    await Promise.all([zun.raw('GET', '/a'), zun.raw('GET', '/b'), zun.containers.list()]);
    assert.deepEqual([cloud.logins, cloud.versionDocs, cloud.seen.length], [1, 1, 3]);
  });

  void test('archives travel base64-encoded from 1.25', async () => {
    const zun = password();
    const tar = Buffer.from([0, 1, 2, 250, 255]);
    cloud.next = (_s, res) => send(res, 200, { data: tar.toString('base64'), stat: { name: 'f' } });
    assert.deepEqual(await zun.containers.getArchive('c1', '/etc/f'), { tar, stat: { name: 'f' } });
    await zun.containers.putArchive('c1', '/tmp', tar);
    assert.deepEqual(
      cloud.seen.map((s) => [s.method, `${s.path}?${s.query.toString()}`, s.body ?? null]),
      [
        ['GET', '/zun/v1/containers/c1/get_archive?path=%2Fetc%2Ff', null],
        ['POST', '/zun/v1/containers/c1/put_archive?', { path: '/tmp', data: tar.toString('base64') }],
      ],
    );
  });

  void test('interactive exec answers the exec id and the console URL; resize sends the size', async () => {
    const zun = password();
    cloud.next = (_s, res) => send(res, 200, { output: null, exit_code: null, exec_id: 'e1', proxy_url: 'ws://proxy:6784/?token=t&uuid=c1&exec_id=e1' });
    assert.deepEqual(await zun.containers.execInteractive('c1', '/bin/sh'), { execId: 'e1', url: 'ws://proxy:6784/?token=t&uuid=c1&exec_id=e1' });
    await zun.containers.execResize('c1', 'e1', 120, 40);
    assert.deepEqual(
      cloud.seen.map((s) => [s.method, `${s.path}?${s.query.toString()}`]),
      [
        ['POST', `/zun/v1/containers/c1/execute?${new URLSearchParams({ command: '/bin/sh', run: 'false', interactive: 'true' })}`],
        ['POST', '/zun/v1/containers/c1/execute_resize?exec_id=e1&w=120&h=40'],
      ],
    );
    cloud.next = (_s, res) => send(res, 200, { output: 'x', exit_code: 0, exec_id: null, proxy_url: null });
    await assert.rejects(zun.containers.execInteractive('c1', '/bin/sh'), /no console URL/);
  });

  void test('the global fetch is called unbound-safe: a browser\'s fetch refuses any other this ("Illegal invocation")', async () => {
    const real = globalThis.fetch;
    // As browsers do: fetch must be called on the global object (or with no this).
    globalThis.fetch = function (this: unknown, ...args: Parameters<typeof fetch>): Promise<Response> {
      if (this !== globalThis && this !== undefined) throw new TypeError('Illegal invocation');
      return real(...args);
    };
    try {
      const zun = password();
      assert.deepEqual(await zun.raw('GET', '/services'), { path: '/zun/v1/services' });
    } finally {
      globalThis.fetch = real;
    }
  });

  void test('rename before 1.14 is the retired POST …/rename', async () => {
    const zun = password({ apiVersion: '1.13' });
    await zun.containers.rename('c1', 'new');
    assert.deepEqual(cloud.seen.map((s) => [s.method, `${s.path}?${s.query.toString()}`, s.version]), [['POST', '/zun/v1/containers/c1/rename?name=new', 'container 1.13']]);
  });
});
