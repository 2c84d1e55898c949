// End to end: `zun run`, `create`, `list`, `show`, `update`, `rename` with the real python3-zunclient
// against the running stack, checked against what the Docker engine really runs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseShow, parseTable } from '@zun-ts/testing';
import { Cleanup, createdUuid, LONG_RUNNING, mustInspect, ok, projectNetworkOf, testName, zun, ZunPoller } from './fixtures/stack-cli';

const MiB = 1024 * 1024;

void describe('zun run, create, list, show, update, rename', { concurrency: true }, () => {
  const cleanup = new Cleanup();
  let poller: ZunPoller;

  before(async () => {
    poller = await ZunPoller.login();
  });
  after(() => cleanup.run(poller));

  void describe('one container from run to rename', { concurrency: 1 }, () => {
    const name = testName('run');
    let uuid = '';

    test('zun run prints the new container: Creating, with the limits and environment asked for', async () => {
      const out = ok(
        await zun('demo', 'run', '--name', name, '--memory', '64', '--cpu', '0.5', '-e', 'FOO=bar', '-e', 'GREETING=hello world', 'busybox', ...LONG_RUNNING),
        'zun run',
      );
      uuid = cleanup.container(createdUuid(out));
      const shown = parseShow(out);
      assert.equal(shown['name'], name);
      assert.equal(shown['image'], 'busybox');
      assert.equal(shown['status'], 'Creating');
      assert.equal(shown['memory'], '64');
      assert.equal(shown['cpu'], '0.5');
      assert.equal(shown['command'], `['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"]`);
      assert.equal(shown['environment'], "{'FOO': 'bar', 'GREETING': 'hello world'}");
    });

    test('the engine runs zun-<uuid> with Memory 64 MiB, CpuShares 512, the environment and the command', async () => {
      await poller.settled(uuid, 'Running');
      const d = await mustInspect(uuid);
      assert.equal(d.State.Running, true);
      assert.equal(d.HostConfig.Memory, 64 * MiB);
      assert.equal(d.HostConfig.CpuShares, 512);
      assert.ok(d.Config.Env?.includes('FOO=bar'), `Env: ${JSON.stringify(d.Config.Env)}`);
      assert.ok(d.Config.Env?.includes('GREETING=hello world'), `Env: ${JSON.stringify(d.Config.Env)}`);
      assert.deepEqual(d.Config.Cmd, LONG_RUNNING);
      // pulled from the configured default registry
      assert.match(d.Config.Image, /\/busybox:latest$/);
    });

    test('zun list shows it Running, no task, with its address on the project network', async () => {
      const [net, ip] = projectNetworkOf(await mustInspect(uuid));
      assert.ok(net && ip, 'the container has no address on a project network (zun-<network uuid>)');
      const row = parseTable(ok(await zun('demo', 'list'), 'zun list')).find((r) => r['uuid'] === uuid);
      assert.ok(row, `${uuid} is not in zun list`);
      assert.deepEqual(
        [row['name'], row['image'], row['status'], row['task_state'], row['addresses']],
        [name, 'busybox', 'Running', 'None', ip],
      );
    });

    test('zun show by name prints the record as the engine made it', async () => {
      const d = await mustInspect(uuid);
      const shown = parseShow(ok(await zun('demo', 'show', name), 'zun show'));
      assert.equal(shown['uuid'], uuid);
      assert.equal(shown['status'], 'Running');
      assert.equal(shown['task_state'], 'None');
      assert.equal(shown['hostname'], d.Config.Hostname);
      // The client prints `networks` as the keys of `addresses`: the network's uuid.
      const [net, ip] = projectNetworkOf(d);
      assert.equal(shown['addresses'], ip);
      assert.equal(shown['networks'], net);
      assert.equal(shown['image_driver'], 'docker');
      // admin-only fields stay hidden from the project member
      assert.equal(shown['host'], undefined);
    });

    test('zun update --memory --cpu changes the limits of the running container in the engine and its cgroup', async () => {
      const shown = parseShow(ok(await zun('demo', 'update', name, '--memory', '128', '--cpu', '1'), 'zun update'));
      assert.equal(shown['memory'], '128');
      assert.equal(Number(shown['cpu']), 1);
      assert.equal(shown['status'], 'Running');
      const d = await mustInspect(uuid);
      assert.equal(d.HostConfig.Memory, 128 * MiB);
      assert.equal(d.HostConfig.CpuShares, 1024);
      const limit = ok(
        await zun('demo', 'exec', name, 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'),
        'zun exec',
      );
      assert.equal(limit.trim(), String(128 * MiB));
    });

    test('zun update --name renames; zun rename works up to 1.13 and is refused at the latest version, as in Zun', async () => {
      const renamed = `${name}-b`;
      assert.equal(parseShow(ok(await zun('demo', 'update', name, '--name', renamed), 'zun update --name'))['name'], renamed);
      const r = await zun('demo', '--zun-api-version', '1.13', 'rename', renamed, name);
      ok(r, 'zun rename (1.13)');
      assert.match(r.stdout + r.stderr, /Rename container command deprecated/);
      assert.equal(parseShow(ok(await zun('demo', 'show', uuid), 'zun show'))['name'], name);
      const latest = await zun('demo', 'rename', name, renamed);
      assert.notEqual(latest.code, 0);
      assert.match(latest.stderr, /Not Acceptable \(HTTP 406\)/);
      // the engine container keeps its zun-<uuid> name whatever the record is called
      assert.equal((await mustInspect(uuid)).Name, `/zun-${uuid}`);
    });
  });

  test('zun create makes a Created container (not started) that zun start then runs', async () => {
    const created = testName('create');
    const out = ok(await zun('demo', 'create', '--name', created, 'busybox', ...LONG_RUNNING), 'zun create');
    const id = cleanup.container(createdUuid(out));
    assert.equal(parseShow(out)['status'], 'Creating');
    await poller.settled(id, 'Created');
    assert.equal((await mustInspect(id)).State.Status, 'created');
    const row = parseTable(ok(await zun('demo', 'list'), 'zun list')).find((r) => r['uuid'] === id);
    assert.deepEqual([row?.['name'], row?.['status']], [created, 'Created']);
    assert.equal(ok(await zun('demo', 'start', created), 'zun start').trim(), `Request to start container ${created} has been accepted.`);
    await poller.settled(id, 'Running');
    assert.equal((await mustInspect(id)).State.Running, true);
  });

  test('the first container of the README: zun run --name hello busybox echo hello, then zun logs hello', async () => {
    const hello = testName('hello');
    const id = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--name', hello, 'busybox', 'echo', 'hello'), 'zun run')));
    await poller.settled(id, 'Stopped');
    const d = await mustInspect(id);
    assert.deepEqual([d.State.Status, d.State.ExitCode], ['exited', 0]);
    assert.equal(ok(await zun('demo', 'logs', hello), 'zun logs'), 'hello\n\n');
  });
});
