// End to end: the state changes of a container through the real zun client (stop, start, pause,
// unpause, restart, kill), each followed by the next as soon as the record settles, checked against the
// Docker engine's real state. Two containers go through their chains side by side.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseShow } from '@zun-ts/testing';
import { Cleanup, createdUuid, LONG_RUNNING, mustInspect, ok, testName, zun, ZunPoller } from './fixtures/stack-cli';

void describe('zun stop, start, pause, unpause, restart, kill', { concurrency: true }, () => {
  const cleanup = new Cleanup();
  let poller: ZunPoller;

  before(async () => {
    poller = await ZunPoller.login();
  });
  after(() => cleanup.run(poller));

  /** A running container of the demo user, and the client commands on it. */
  function track(kind: string): {
    name: string;
    uuid: () => string;
    start: () => Promise<void>;
    accepted: (verb: string, line: string, ...args: string[]) => Promise<void>;
    shownState: () => Promise<[string | undefined, string | undefined]>;
  } {
    const name = testName(kind);
    let uuid = '';
    return {
      name,
      uuid: () => uuid,
      async start() {
        uuid = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--name', name, 'busybox', ...LONG_RUNNING), 'zun run')));
        await poller.settled(uuid, 'Running');
      },
      /** Runs `zun <verb> <name> [args]` and checks the client's acceptance line. */
      async accepted(verb, line, ...args) {
        const out = ok(await zun('demo', verb, name, ...args), `zun ${verb}`);
        assert.equal(out.trim(), `Request to ${line} container ${name} has been accepted.`);
      },
      /** What `zun show` prints as status and task_state. */
      async shownState() {
        const shown = parseShow(ok(await zun('demo', 'show', name), 'zun show'));
        return [shown['status'], shown['task_state']];
      },
    };
  }

  void describe('stop, start, pause, unpause, restart', { concurrency: 1 }, () => {
    const t = track('act');
    before(() => t.start());

    test('zun stop: Stopped, the process ended by SIGTERM', async () => {
      await t.accepted('stop', 'stop', '--timeout', '5');
      await poller.settled(t.uuid(), 'Stopped');
      const d = await mustInspect(t.uuid());
      assert.deepEqual([d.State.Status, d.State.ExitCode], ['exited', 0]);
      assert.deepEqual(await t.shownState(), ['Stopped', 'None']);
    });

    test('a state the action does not allow is refused with Zun\'s 409', async () => {
      const r = await zun('demo', 'pause', t.name);
      assert.match(r.stdout, new RegExp(`Pause for container ${t.name} failed: Cannot pause container ${t.uuid()} in Stopped state \\(HTTP 409\\)`));
      assert.equal((await mustInspect(t.uuid())).State.Status, 'exited');
    });

    test('zun start: Running again', async () => {
      await t.accepted('start', 'start');
      await poller.settled(t.uuid(), 'Running');
      assert.equal((await mustInspect(t.uuid())).State.Running, true);
    });

    test('zun pause, then zun unpause', async () => {
      await t.accepted('pause', 'pause');
      await poller.settled(t.uuid(), 'Paused');
      let d = await mustInspect(t.uuid());
      assert.deepEqual([d.State.Status, d.State.Paused], ['paused', true]);
      assert.deepEqual(await t.shownState(), ['Paused', 'None']);
      await t.accepted('unpause', 'unpause');
      await poller.settled(t.uuid(), 'Running');
      d = await mustInspect(t.uuid());
      assert.deepEqual([d.State.Status, d.State.Paused], ['running', false]);
    });

    test('zun restart: the engine started the process again', async () => {
      const startedBefore = Date.parse((await mustInspect(t.uuid())).State.StartedAt);
      await t.accepted('restart', 'restart', '--timeout', '1');
      await poller.settled(t.uuid(), 'Running');
      const d = await mustInspect(t.uuid());
      assert.equal(d.State.Running, true);
      assert.ok(Date.parse(d.State.StartedAt) > startedBefore, `StartedAt ${d.State.StartedAt} is not after the restart`);
      assert.deepEqual(await t.shownState(), ['Running', 'None']);
    });
  });

  void describe('kill, start, kill --signal', { concurrency: 1 }, () => {
    const t = track('kill');
    before(() => t.start());

    test('zun kill (SIGKILL by default): Stopped, exit code 137', async () => {
      await t.accepted('kill', 'kill signal to');
      await poller.settled(t.uuid(), 'Stopped');
      const d = await mustInspect(t.uuid());
      assert.deepEqual([d.State.Status, d.State.ExitCode], ['exited', 137]);
    });

    test('zun kill --signal SIGTERM reaches the process (its trap exits 0)', async () => {
      await t.accepted('start', 'start');
      await poller.settled(t.uuid(), 'Running');
      await t.accepted('kill', 'kill signal to', '--signal', 'SIGTERM');
      await poller.settled(t.uuid(), 'Stopped');
      const d = await mustInspect(t.uuid());
      assert.deepEqual([d.State.Status, d.State.ExitCode], ['exited', 0]);
      assert.deepEqual(await t.shownState(), ['Stopped', 'None']);
    });
  });
});
