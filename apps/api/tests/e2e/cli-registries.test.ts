// End to end: private registries with the real `zun` CLI on the stack. A second loopback registry that requires
// basic authentication holds a private image; `zun run --registry` pulls it with the registry's credentials.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Database } from '@zun-ts/db';
import { parseShow, parseTable } from '@zun-ts/testing';
import { AuthRegistry } from './fixtures/auth-registry';
import { Cleanup, createdUuid, docker, ok, stackState, testName, zun, ZunPoller } from './fixtures/stack-cli';

/** A `[section] option` of the stack's zun.conf. */
function stackOption(section: string, option: string): string | null {
  let current = '';
  for (const line of readFileSync(join(stackState(), 'zun.conf'), 'utf8').split('\n')) {
    const s = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (s?.[1]) current = s[1];
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && current === section && m[1] === option) return m[2] ?? null;
  }
  return null;
}

/** Every file under `dir` (the stack's logs). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

void describe('private registries through the zun CLI', () => {
  const cleanup = new Cleanup();
  const registries = new Set<string>();
  const password = `Pw-${randomBytes(12).toString('hex')}`;
  const user = testName('puller');
  const repo = `private/${testName('app')}`;
  let auth: AuthRegistry;
  let imageRef: string;
  let admin: ZunPoller;
  let demo: ZunPoller;

  before(async () => {
    auth = await AuthRegistry.start(user, password);
    imageRef = cleanup.image(await auth.seed(repo));
    admin = await ZunPoller.login('admin');
    demo = await ZunPoller.login('demo');
  });

  after(async () => {
    await cleanup.run(admin);
    for (const uuid of registries) await zun('admin', 'registry-delete', uuid);
    await docker('rmi', '-f', imageRef);
    await auth?.stop();
  });

  async function createRegistry(name: string, pass: string): Promise<Record<string, string>> {
    const show = parseShow(ok(await zun('demo', 'registry-create', '--name', name, '--domain', auth.domain, '--username', user, '--password', pass), 'registry-create'));
    assert.match(show['uuid'] ?? '', /^[0-9a-f-]{36}$/);
    registries.add(show['uuid'] as string);
    return show;
  }

  async function registryCount(): Promise<number> {
    const r = await admin.api('GET', '/registries?all_projects=True');
    assert.equal(r.status, 200);
    return (r.body as { registries: unknown[] }).registries.length;
  }

  test('registry-create, -list, -show, -update, -delete: the password is always ***', async () => {
    const name = testName('reg');
    const created = await createRegistry(name, password);
    assert.equal(created['name'], name);
    assert.equal(created['domain'], auth.domain);
    assert.equal(created['username'], user);
    assert.equal(created['password'], '***');
    const listed = parseTable(ok(await zun('demo', 'registry-list'), 'registry-list')).find((r) => r['uuid'] === created['uuid']);
    assert.ok(listed, 'the new registry is listed');
    assert.equal(listed['password'], '***');
    const shown = parseShow(ok(await zun('demo', 'registry-show', name), 'registry-show'));
    assert.deepEqual([shown['uuid'], shown['password']], [created['uuid'], '***']);
    const updated = parseShow(ok(await zun('demo', 'registry-update', name, '--username', 'someone-else'), 'registry-update'));
    assert.equal(updated['username'], 'someone-else');
    ok(await zun('demo', 'registry-delete', name), 'registry-delete');
    registries.delete(created['uuid'] as string);
    const gone = await zun('demo', 'registry-show', created['uuid'] as string);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, new RegExp(`Registry ${created['uuid'] as string} could not be found`));
  });

  test('zun run --registry pulls a private image with the registry\'s credentials; a wrong password ends in Error with the reason', async () => {
    const good = await createRegistry(testName('good'), password);
    const uuid = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--registry', good['name'] as string, '--name', testName('priv'), repo, 'sleep', '3600'), 'zun run --registry')));
    await demo.settled(uuid, 'Running', 90_000);
    const show = parseShow(ok(await zun('demo', 'show', uuid), 'zun show'));
    assert.equal(show['registry_id'], good['uuid'], 'the view names the registry by its uuid');
    assert.equal(show['image'], repo);

    const bad = await createRegistry(testName('bad'), 'not-the-password');
    const failed = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--registry', bad['uuid'] as string, repo, 'sleep', '3600'), 'zun run --registry (wrong password)')));
    const c = await demo.settled(failed, 'Error', 90_000);
    assert.match(String(c.status_reason), /unauthorized|authentication required/i);
  });

  test('another project can neither see nor use the registry (404)', async () => {
    const mine = await createRegistry(testName('mine'), password);
    for (const ident of [mine['uuid'] as string, mine['name'] as string]) {
      const show = await zun('alt_demo', 'registry-show', ident);
      assert.notEqual(show.code, 0);
      assert.match(show.stderr, new RegExp(`Registry ${ident} could not be found`));
      const run = await zun('alt_demo', 'run', '--registry', ident, repo, 'true');
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, new RegExp(`Registry ${ident} could not be found`));
    }
    assert.ok(!parseTable(ok(await zun('alt_demo', 'registry-list'), 'registry-list')).some((r) => r['uuid'] === mine['uuid']));
  });

  test('the stored password is sealed in the database and in no log line of the stack', async () => {
    const r = await createRegistry(testName('sealed'), password);
    const connection = stackOption('database', 'connection');
    assert.ok(connection, 'the stack zun.conf names its database');
    const db = await Database.open(connection);
    try {
      const row = (await db.registries.all()).find((x) => x.uuid === r['uuid']);
      assert.ok(row, 'the registry row is in the stack database');
      assert.match(row.password ?? '', /^zun1:[0-9a-f]{8}:/);
      assert.ok(!(row.password ?? '').includes(password));
    } finally {
      await db.close();
    }
    const logDir = stackOption('DEFAULT', 'log_dir') ?? join(stackState(), 'log');
    const logs = filesUnder(logDir);
    assert.ok(logs.length > 0, `the stack writes logs under ${logDir}`);
    for (const file of logs) assert.ok(!readFileSync(file, 'latin1').includes(password), `${file} holds the password`);
  });

  test('bad input is a 4xx in Zun\'s format and writes nothing; a name two registries share is a 409', async () => {
    const before = await registryCount();
    const cases: [unknown, number, RegExp][] = [
      [{ registry: { username: 'u', password } }, 400, /'domain' is a required property/],
      [{ registry: { domain: auth.domain, name: 'bad name' } }, 400, /does not match/],
      [{ registry: { domain: auth.domain, colour: 'red' } }, 400, /Additional properties are not allowed \('colour' was unexpected\)/],
      [{ registry: { domain: '' } }, 400, /should be non-empty/],
    ];
    for (const [body, status, detail] of cases) {
      const r = await demo.api('POST', '/registries', body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      const e = (r.body as { errors: { code: string; detail: string }[] }).errors[0];
      assert.equal(e?.code, 'container.schema-validation-error');
      assert.match(e?.detail ?? '', detail);
      assert.ok(!JSON.stringify(r.body).includes(password), 'the password is not echoed');
    }
    const noDomain = await zun('demo', 'registry-create', '--username', 'u');
    assert.notEqual(noDomain.code, 0, 'the client itself requires --domain');
    assert.equal(await registryCount(), before);

    const twin = testName('twin');
    await createRegistry(twin, password);
    await createRegistry(twin, password);
    const show = await zun('demo', 'registry-show', twin);
    assert.notEqual(show.code, 0);
    assert.match(show.stderr, /Multiple registries exist with same name\. Please use the registry uuid instead\./);
    const run = await zun('demo', 'run', '--registry', twin, repo, 'true');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /Multiple registries exist with same name/);
  });
});
