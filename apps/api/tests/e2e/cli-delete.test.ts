// End to end: `zun delete` plain, `--stop` and `--force` (admin only) with the real python3-zunclient:
// what the client prints, what the API then answers, and that the engine container is really gone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Cleanup, createdUuid, dockerInspect, LONG_RUNNING, mustInspect, ok, testName, zun, ZunPoller } from './fixtures/stack-cli';

void describe('zun delete', { concurrency: true }, () => {
  const cleanup = new Cleanup();
  let poller: ZunPoller;

  before(async () => {
    poller = await ZunPoller.login();
  });
  after(() => cleanup.run(poller));

  /** `zun run` as demo, settled in `status`. */
  async function runAs(kind: string, status: string, command: string[]): Promise<{ name: string; uuid: string }> {
    const name = testName(kind);
    const uuid = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--name', name, 'busybox', ...command), 'zun run')));
    await poller.settled(uuid, status);
    return { name, uuid };
  }

  /** The API answers 404, `zun show` says so, and the engine has no zun-<uuid> any more. */
  async function assertGone(name: string, uuid: string): Promise<void> {
    await poller.gone(uuid);
    const shown = await zun('demo', 'show', name);
    assert.notEqual(shown.code, 0);
    assert.match(shown.stderr, new RegExp(`Container ${name} could not be found\\. \\(HTTP 404\\)`));
    assert.equal(await dockerInspect(uuid), null, `zun-${uuid} is still in the engine`);
  }

  test('a Running container: plain delete is refused (409), --stop stops and removes it', async () => {
    const { name, uuid } = await runAs('del-stop', 'Running', LONG_RUNNING);
    const refused = ok(await zun('demo', 'delete', name), 'zun delete');
    assert.match(refused, new RegExp(`Delete for container ${name} failed: Cannot delete container ${uuid} in Running state \\(HTTP 409\\)`));
    assert.equal((await mustInspect(uuid)).State.Running, true);
    assert.equal(ok(await zun('demo', 'delete', '--stop', name), 'zun delete --stop').trim(), `Request to delete container ${name} has been accepted.`);
    await assertGone(name, uuid);
  });

  test('a Stopped container: plain delete removes it', async () => {
    const { name, uuid } = await runAs('del-plain', 'Stopped', ['echo', 'done']);
    assert.equal((await mustInspect(uuid)).State.Status, 'exited');
    assert.equal(ok(await zun('demo', 'delete', name), 'zun delete').trim(), `Request to delete container ${name} has been accepted.`);
    await assertGone(name, uuid);
  });

  test('--force is admin only: refused for the project member, removes a Running container for admin', async () => {
    const { name, uuid } = await runAs('del-force', 'Running', LONG_RUNNING);
    const refused = ok(await zun('demo', 'delete', '--force', name), 'zun delete --force');
    assert.match(refused, /Policy doesn't allow container:delete_force to be performed\. \(HTTP 403\)/);
    assert.equal((await mustInspect(uuid)).State.Running, true);
    // admin sees other projects' containers by uuid without --all-projects
    assert.equal(ok(await zun('admin', 'delete', '--force', uuid), 'zun delete --force').trim(), `Request to delete container ${uuid} has been accepted.`);
    await assertGone(name, uuid);
  });
});
