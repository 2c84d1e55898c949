import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_API_PASTE } from '../pipeline/paste-config';
import { listen, startTestApi, type TestServer } from '../../tests/fixtures/test-api';
import { parseLoginRequest } from './keystone-login';

interface Seen {
  method: string;
  url: string;
  body: unknown;
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : null;
}

type Auth = { auth: { identity: { methods: string[]; password?: { user: { name: string; password: string } } }; scope?: { project: { name?: string; id?: string } } } };

void describe('the web console app (/dashboard)', () => {
  const seen: Seen[] = [];
  let keystone: TestServer;
  let api: TestServer;
  let dir: string;

  before(async () => {
    // Keystone's token API as far as the login uses it: demo/secret, projects demo (by name) and p-first (by id).
    keystone = await listen((req, res) => {
      void (async () => {
        const body = await bodyOf(req);
        seen.push({ method: req.method ?? '', url: req.url ?? '', body });
        const send = (status: number, json: unknown, token?: string): void => {
          res.writeHead(status, { 'Content-Type': 'application/json', ...(token ? { 'X-Subject-Token': token } : {}) });
          res.end(JSON.stringify(json));
        };
        if (req.url === '/v3/auth/projects') {
          send(200, { projects: [{ id: 'p-first', name: 'first' }] });
          return;
        }
        const a = (body as Auth).auth;
        if (a.identity.methods[0] === 'token') {
          send(201, { token: { expires_at: '2030-01-01T00:00:00Z', user: { id: 'u1', name: 'demo' }, project: { id: a.scope?.project.id, name: 'first' }, roles: [{ name: 'member' }] } }, 'tok-rescoped');
          return;
        }
        if (a.identity.password?.user.password !== 'secret') {
          send(401, { error: { code: 401, message: 'The request you have made requires authentication.' } });
          return;
        }
        const project = a.scope ? { id: 'p-demo', name: a.scope.project.name } : undefined;
        send(201, { token: { expires_at: '2030-01-01T00:00:00Z', user: { id: 'u1', name: 'demo' }, ...(project ? { project } : {}), roles: project ? [{ name: 'member' }, { name: 'reader' }] : [] } }, project ? 'tok-demo' : 'tok-unscoped');
      })();
    });
    dir = mkdtempSync(join(tmpdir(), 'zun-console-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Zun console</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1);');
    const paste = DEFAULT_API_PASTE.replace('use = dashboard\n', `use = dashboard\nstatic_dir = ${dir}\n`);
    api = await startTestApi({ paste, flags: ['--api.auth_strategy=noauth', `--keystone_authtoken.auth_url=${keystone.url}/v3`] });
  });
  after(async () => {
    await api.close();
    await keystone.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const login = (body: unknown): Promise<Response> =>
    fetch(`${api.url}/dashboard/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  test('a good password answers the project-scoped token, the project and the roles', async () => {
    const res = await login({ username: 'demo', password: 'secret', project: 'demo' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(body, { token: 'tok-demo', expires_at: '2030-01-01T00:00:00Z', user: { id: 'u1', name: 'demo' }, project: { id: 'p-demo', name: 'demo' }, roles: ['member', 'reader'] });
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const sent = seen.at(-1)?.body as Auth;
    assert.deepEqual(sent.auth.scope, { project: { name: 'demo', domain: { name: 'Default' } } });
  });

  test('without a project and no default one, the first project the user has a role on is chosen', async () => {
    seen.length = 0;
    const res = await login({ username: 'demo', password: 'secret' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string; project: { id: string } };
    assert.equal(body.token, 'tok-rescoped');
    assert.equal(body.project.id, 'p-first');
    assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), ['POST /v3/auth/tokens?nocatalog', 'GET /v3/auth/projects', 'POST /v3/auth/tokens?nocatalog']);
  });

  test('a bad password is a 401 in Zun\'s error format with a message the console shows', async () => {
    const res = await login({ username: 'demo', password: 'wrong', project: 'demo' });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { errors: Array<{ status: number; detail: string; code: string }> };
    assert.equal(body.errors[0]?.status, 401);
    assert.equal(body.errors[0]?.detail, 'The username or password is not valid.');
  });

  test('a body without username, or with a number for a password, is a 400', async () => {
    const a = await login({ password: 'x' });
    assert.equal(a.status, 400);
    assert.match(((await a.json()) as { errors: Array<{ detail: string }> }).errors[0]?.detail ?? '', /username is required/);
    const b = await login({ username: 'demo', password: 5 });
    assert.equal(b.status, 400);
    const c = await fetch(`${api.url}/dashboard/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{nope' });
    assert.equal(c.status, 400);
  });

  test('GET /dashboard/login is a 405, not a 500', async () => {
    const res = await fetch(`${api.url}/dashboard/login`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });

  test('the files are served under /dashboard/ with the security headers; /dashboard redirects', async () => {
    const index = await fetch(`${api.url}/dashboard/`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /Zun console/);
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(index.headers.get('x-frame-options'), 'DENY');
    const js = await fetch(`${api.url}/dashboard/app.js`);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const bare = await fetch(`${api.url}/dashboard`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/dashboard/');
  });

  test('a missing file or a path out of the directory is a 404 in Zun\'s format', async () => {
    for (const path of ['/dashboard/nope.js', '/dashboard/..%2f..%2fetc%2fpasswd', '/dashboard/%2e%2e/%2e%2e/etc/passwd']) {
      const res = await fetch(`${api.url}${path}`);
      assert.ok(res.status === 404 || res.status === 403, `${path}: ${res.status}`);
      assert.ok(Array.isArray(((await res.json()) as { errors?: unknown }).errors), path);
    }
  });

  test('Keystone unreachable: 503, not a 500', async () => {
    const down = await startTestApi({ paste: DEFAULT_API_PASTE, flags: ['--api.auth_strategy=noauth', '--keystone_authtoken.auth_url=http://127.0.0.1:9/v3'] });
    try {
      const res = await fetch(`${down.url}/dashboard/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'a', password: 'b' }) });
      assert.equal(res.status, 503);
    } finally {
      await down.close();
    }
  });
});

void describe('parseLoginRequest', () => {
  test('keeps username, password and the optional project and domain; refuses unknown fields', () => {
    assert.deepEqual(parseLoginRequest({ username: 'u', password: 'p', project: '', domain: 'D' }), { username: 'u', password: 'p', domain: 'D' });
    assert.throws(() => parseLoginRequest({ username: 'u', password: 'p', admin: true }), /Unknown field\(s\): admin/);
    assert.throws(() => parseLoginRequest({ username: 'x'.repeat(256), password: 'p' }), /longer than 255/);
  });
});
