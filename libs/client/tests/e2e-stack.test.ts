// End to end: the typed client against the running stack (tools/stack): the stack's Keystone, zun-api and
// Docker engine. As the demo user it runs a busybox container, waits for Running, lists it, runs `echo hi` in
// it and deletes it; the API's refusals arrive as typed errors, and a revoked token is replaced by a new login.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { openrcEnv, requireEnv, uniqueName } from '@zun-ts/testing';
import { BadRequest, type Container, type CreateContainer, NotFound, Unauthorized, ZunClient } from '../src';

const run = promisify(execFile);

/** A command that outlives the test yet stops at once on SIGTERM. */
const LONG_RUNNING = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];

/** An API beside the stack to use instead of the catalog's (`ZUN_TEST_API_URL`), as the other e2e tests allow. */
const apiOverride = (): { endpoint: string } | Record<string, never> => (process.env['ZUN_TEST_API_URL'] ? { endpoint: process.env['ZUN_TEST_API_URL'] } : {});

/** The engine's view of a container: its state, or null when there is no `zun-<uuid>`. */
async function engineState(uuid: string): Promise<string | null> {
  try {
    const { stdout } = await run('docker', ['-H', requireEnv('DOCKER_HOST', 'unix:///var/run/docker.sock'), 'inspect', '-f', '{{.State.Status}}', `zun-${uuid}`]);
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string };
    assert.match(e.stderr ?? '', /No such (object|container)/i, `docker inspect zun-${uuid} failed: ${e.stderr ?? String(err)}`);
    return null;
  }
}

void describe('the typed client against the stack, as demo', { concurrency: 1 }, () => {
  const state = requireEnv('ZUN_TEST_STACK_STATE', '<repo>/.stack');
  let zun: ZunClient;
  let created: Container | null = null;

  before(() => {
    zun = ZunClient.fromEnv(openrcEnv(state, 'demo'), { timeoutMs: 90_000, ...apiOverride() });
  });
  after(async () => {
    // a test that stopped half-way leaves its container: the admin removes it (demo may not force a delete)
    if (created && (await zun.containers.find(created.uuid))) {
      const admin = ZunClient.fromEnv(openrcEnv(state, 'admin'), apiOverride());
      await admin.containers.delete(created.uuid, { force: true, allProjects: true });
      await zun.containers.waitGone(created.uuid);
    }
  });

  void test('logs in, finds the endpoint in the catalog and negotiates 1.40', async () => {
    assert.equal(String(await zun.apiVersion()), '1.40');
    assert.match(await zun.endpoint(), /\/v1$/);
  });

  void test('run busybox, wait until Running, list it, exec `echo hi`, delete it (stopping it first)', async () => {
    const name = uniqueName('client');
    created = await zun.containers.run({ name, image: 'busybox', command: LONG_RUNNING, memory: '64' });
    assert.equal(created.name, name);
    assert.match(created.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const uuid = created.uuid;

    const running = await zun.containers.waitFor(uuid, 'Running', { timeoutMs: 60_000, intervalMs: 200 });
    assert.deepEqual(running.command, LONG_RUNNING);
    assert.equal(await engineState(uuid), 'running');

    const listed: Container[] = [];
    for await (const c of zun.containers.listAll({ limit: 1 })) listed.push(c);
    const mine = listed.filter((c) => c.uuid === uuid);
    assert.equal(mine.length, 1, `the list (one per page) has the container once: ${listed.map((c) => c.uuid).join(', ')}`);
    assert.equal(mine[0]?.status, 'Running');

    const r = await zun.containers.exec(uuid, ['echo', 'hi']);
    assert.equal(r.output.trim(), 'hi');
    assert.equal(r.exit_code, 0);
    const failed = await zun.containers.exec(name, ['sh', '-c', 'echo to-err >&2; exit 3']);
    assert.deepEqual([failed.output.trim(), failed.exit_code], ['to-err', 3]);

    await zun.containers.delete(uuid, { stop: true });
    await zun.containers.waitGone(uuid, { timeoutMs: 60_000, intervalMs: 200 });
    assert.equal(await zun.containers.find(uuid), null);
    assert.equal(await engineState(uuid), null);
  });

  void test('a missing uuid is a NotFound with Zun\'s code and a request id', async () => {
    const uuid = randomUUID();
    await assert.rejects(zun.containers.get(uuid), (e: unknown) => {
      assert.ok(e instanceof NotFound, String(e));
      assert.equal(e.status, 404);
      assert.equal(e.code, 'container.container-not-found');
      assert.equal(e.detail, `Container ${uuid} could not be found.`);
      assert.match(e.requestId ?? '', /^req-/);
      return true;
    });
  });

  void test('a bad body is a BadRequest naming the schema error', async () => {
    const noImage = { name: uniqueName('bad') } as unknown as CreateContainer;
    await assert.rejects(zun.containers.create(noImage), (e: unknown) => {
      assert.ok(e instanceof BadRequest, String(e));
      assert.equal(e.code, 'container.schema-validation-error');
      assert.match(e.detail, /'image' is a required property/);
      return true;
    });
    await assert.rejects(zun.containers.create({ image: 'busybox', memory: 'lots' }), BadRequest);
  });

  void test('a revoked token: the password client logs in again once and the call succeeds', async () => {
    const rc = openrcEnv(state, 'demo');
    const client = ZunClient.fromEnv(rc, apiOverride());
    // Logged in, but the token not yet shown to zun-api: a worker that had validated it would keep serving it from
    // its cache for token_cache_time, as keystonemiddleware does, and which worker answers is the kernel's choice.
    await client.endpoint();
    const first = await client.token();
    const revoke = await fetch(`${rc['OS_AUTH_URL'] ?? ''}/auth/tokens`, { method: 'DELETE', headers: { 'X-Auth-Token': first, 'X-Subject-Token': first } });
    assert.equal(revoke.status, 204, 'Keystone revokes the token');
    const page = await client.containers.list({ limit: 1 });
    assert.ok(Array.isArray(page.items));
    assert.notEqual(await client.token(), first, 'a new token after the 401');
    // the revoked token itself is refused, by class
    const stale = new ZunClient({ auth: { kind: 'token', token: first }, endpoint: await client.endpoint() });
    await assert.rejects(stale.containers.list(), Unauthorized);
  });

  void test('a bad token is an Unauthorized (a token client does not log in again)', async () => {
    const bad = new ZunClient({ auth: { kind: 'token', token: `not-a-token-${randomUUID()}` }, endpoint: await zun.endpoint() });
    await assert.rejects(bad.containers.list(), (e: unknown) => {
      assert.ok(e instanceof Unauthorized, String(e));
      assert.equal(e.status, 401);
      return true;
    });
  });
});
