// End to end: every container command of `openstack appcontainer` (the zunclient OSC plugin) against the
// running stack, checked against the Docker engine.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseShow, parseTable } from '@zun-ts/testing';
import {
  Cleanup,
  computeHost,
  createdUuid,
  debugBodies,
  docker,
  dockerInspect,
  LONG_RUNNING,
  mustInspect,
  ok,
  osc,
  projectNetworkOf,
  testName,
  ZunPoller,
} from './fixtures/stack-cli';

const MiB = 1024 * 1024;

void describe('openstack appcontainer', { concurrency: true }, () => {
  const cleanup = new Cleanup();
  let poller: ZunPoller;
  const work = mkdtempSync(join(tmpdir(), 'zun-e2e-osc-'));

  before(async () => {
    poller = await ZunPoller.login();
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await cleanup.run(poller);
  });

  void describe('run, list, show, set, exec, top, stats, cp, commit, delete --stop --wait', { concurrency: 1 }, () => {
    const name = testName('osc');
    let uuid = '';

    test('run: the new container, Creating; the engine runs it with the limits and environment', async () => {
      const out = ok(
        await osc('demo', 'appcontainer', 'run', '--name', name, '--memory', '64', '--cpu', '0.5', '--environment', 'FOO=bar', 'busybox', ...LONG_RUNNING),
        'openstack appcontainer run',
      );
      uuid = cleanup.container(createdUuid(out));
      const shown = parseShow(out);
      assert.deepEqual([shown['name'], shown['status'], shown['memory'], shown['cpu']], [name, 'Creating', '64', '0.5']);
      await poller.settled(uuid, 'Running');
      const d = await mustInspect(uuid);
      assert.equal(d.State.Running, true);
      assert.deepEqual([d.HostConfig.Memory, d.HostConfig.CpuShares], [64 * MiB, 512]);
      assert.ok(d.Config.Env?.includes('FOO=bar'), `Env: ${JSON.stringify(d.Config.Env)}`);
    });

    test('list and show', async () => {
      const d = await mustInspect(uuid);
      const row = parseTable(ok(await osc('demo', 'appcontainer', 'list'), 'openstack appcontainer list')).find((r) => r['uuid'] === uuid);
      assert.ok(row, `${uuid} is not listed`);
      assert.deepEqual([row['name'], row['image'], row['status'], row['task_state'], row['addresses']], [name, 'busybox', 'Running', 'None', projectNetworkOf(d)[1]]);
      const shown = parseShow(ok(await osc('demo', 'appcontainer', 'show', name), 'openstack appcontainer show'));
      assert.deepEqual([shown['uuid'], shown['status'], shown['hostname']], [uuid, 'Running', d.Config.Hostname]);
    });

    test('set --memory --cpu changes the engine limits; set --name renames', async () => {
      const shown = parseShow(ok(await osc('demo', 'appcontainer', 'set', '--memory', '128', '--cpu', '1', name), 'openstack appcontainer set'));
      assert.deepEqual([shown['memory'], Number(shown['cpu'])], ['128', 1]);
      const d = await mustInspect(uuid);
      assert.deepEqual([d.HostConfig.Memory, d.HostConfig.CpuShares], [128 * MiB, 1024]);
      const other = `${name}-b`;
      assert.equal(parseShow(ok(await osc('demo', 'appcontainer', 'set', '--name', other, name), 'openstack appcontainer set --name'))['name'], other);
      assert.equal(parseShow(ok(await osc('demo', 'appcontainer', 'set', '--name', name, other), 'openstack appcontainer set --name'))['name'], name);
    });

    test('exec prints the output and exits with the command\'s exit code', async () => {
      const r = await osc('demo', 'appcontainer', 'exec', name, 'sh', '-c', 'echo made-by-osc > /tmp/osc; cat /tmp/osc; exit 4');
      assert.equal(r.code, 4, r.stderr);
      assert.equal(r.stdout, 'made-by-osc\n\n');
      assert.equal(ok(await docker('exec', `zun-${uuid}`, 'cat', '/tmp/osc'), 'docker exec'), 'made-by-osc\n');
    });

    test('top: the API lists the processes (the plugin then fails on its py3 print bug)', async () => {
      const r = await osc('demo', '--debug', 'appcontainer', 'top', name);
      const [body] = debugBodies(r.stderr, '"Titles"');
      assert.ok(body, `no top response in the debug output:\n${r.stderr.slice(-2000)}`);
      const top = body as { Titles: string[]; Processes: string[][] };
      const cmd = top.Titles.indexOf('CMD');
      assert.ok(top.Processes.some((p) => p[cmd] === 'sleep 3600'), JSON.stringify(top));
      assert.match(r.stderr, /unsupported operand type\(s\) for %: 'NoneType' and 'str'/);
    });

    test('stats', async () => {
      const stats = parseShow(ok(await osc('demo', 'appcontainer', 'stats', name), 'openstack appcontainer stats'));
      assert.equal(stats['CONTAINER'], name);
      assert.equal(Number(stats['MEM LIMIT(MiB)']), 128);
    });

    test('cp into the container and back out', async () => {
      const content = `osc payload ${randomUUID()}\n`;
      writeFileSync(join(work, 'in.txt'), content);
      ok(await osc('demo', 'appcontainer', 'cp', join(work, 'in.txt'), `${name}:/tmp/`), 'openstack appcontainer cp (in)');
      assert.equal(ok(await docker('exec', `zun-${uuid}`, 'cat', '/tmp/in.txt'), 'docker exec'), content);
      const back = mkdtempSync(join(work, 'back-'));
      ok(await osc('demo', 'appcontainer', 'cp', `${name}:/tmp/in.txt`, back), 'openstack appcontainer cp (out)');
      assert.equal(readFileSync(join(back, 'in.txt'), 'utf8'), content);
    });

    test('commit makes an engine image of the container (and, with Glance in the stack, answers the Glance image)', async () => {
      const ref = cleanup.image(`e2e/${name}:osc`);
      const out = ok(await osc('demo', 'appcontainer', 'commit', name, ref), 'openstack appcontainer commit');
      assert.match(out, /The image is [0-9a-f-]{36}\b/, out);
      const [image] = JSON.parse(ok(await docker('image', 'inspect', ref), 'docker image inspect')) as { Id: string }[];
      assert.match(image?.Id ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.equal(ok(await docker('run', '--rm', ref, 'cat', '/tmp/osc'), 'docker run'), 'made-by-osc\n');
    });

    test('delete --stop --wait: gone from the API and from the engine', async () => {
      const out = ok(await osc('demo', 'appcontainer', 'delete', '--stop', '--wait', name), 'openstack appcontainer delete');
      assert.match(out, /Request to delete container \S+ has been accepted\.\nDelete for container \S+ success\./);
      assert.equal(await poller.get(uuid), null);
      assert.equal(await dockerInspect(uuid), null);
    });
  });

  void describe('stop, start, pause, unpause, restart, kill, rebuild, action list / show', { concurrency: 1 }, () => {
    const name = testName('osc-act');
    let uuid = '';

    /** `openstack appcontainer <verb> <name> [args]` must succeed and print `line`. */
    async function accepted(verb: string, line: RegExp, ...args: string[]): Promise<void> {
      assert.match(ok(await osc('demo', 'appcontainer', verb, ...args, name), `openstack appcontainer ${verb}`), line);
    }

    before(async () => {
      uuid = cleanup.container(createdUuid(ok(await osc('demo', 'appcontainer', 'run', '--name', name, 'busybox', ...LONG_RUNNING), 'openstack appcontainer run')));
      await poller.settled(uuid, 'Running');
    });

    test('stop, start, pause, unpause, restart, kill', async () => {
      await accepted('stop', /Request to stop container \S+ has been accepted/, '--timeout', '5');
      await poller.settled(uuid, 'Stopped');
      assert.equal((await mustInspect(uuid)).State.Status, 'exited');
      await accepted('start', /Request to start container \S+ has been accepted/);
      await poller.settled(uuid, 'Running');
      await accepted('pause', /Request to pause container \S+ has been accepted/);
      await poller.settled(uuid, 'Paused');
      assert.equal((await mustInspect(uuid)).State.Status, 'paused');
      await accepted('unpause', /Request to unpause container \S+ has been accepted/);
      await poller.settled(uuid, 'Running');
      assert.equal((await mustInspect(uuid)).State.Status, 'running');
      const startedAt = (await mustInspect(uuid)).State.StartedAt;
      await accepted('restart', /Request to restart container \S+ has been accepted/, '--timeout', '1');
      await poller.settled(uuid, 'Running');
      assert.notEqual((await mustInspect(uuid)).State.StartedAt, startedAt);
      await accepted('kill', /Request to send kill signal to container \S+ has been accepted/);
      await poller.settled(uuid, 'Stopped');
      const d = await mustInspect(uuid);
      assert.deepEqual([d.State.Status, d.State.ExitCode], ['exited', 137]);
      assert.equal(parseShow(ok(await osc('demo', 'appcontainer', 'show', name), 'openstack appcontainer show'))['status'], 'Stopped');
    });

    test('rebuild --wait: a new engine container, Created again (it was stopped)', async () => {
      const old = await mustInspect(uuid);
      const out = ok(await osc('demo', 'appcontainer', 'rebuild', '--wait', name), 'openstack appcontainer rebuild');
      assert.match(out, /rebuild container \S+ success\./);
      const d = await mustInspect(uuid);
      assert.notEqual(d.Id, old.Id);
      assert.equal(d.State.Status, 'created');
    });

    test('action list and action show', async () => {
      const rows = parseTable(ok(await osc('demo', 'appcontainer', 'action', 'list', name), 'openstack appcontainer action list'));
      assert.deepEqual(
        rows.map((r) => r['action']),
        ['rebuild', 'kill', 'reboot', 'unpause', 'pause', 'start', 'stop', 'create'],
      );
      const kill = rows.find((r) => r['action'] === 'kill');
      assert.ok(kill?.['request_id']);
      const shown = parseShow(ok(await osc('demo', 'appcontainer', 'action', 'show', name, kill['request_id']), 'openstack appcontainer action show'));
      assert.deepEqual([shown['action'], shown['container_uuid'], shown['message']], ['kill', uuid, 'None']);
      assert.match(shown['events'] ?? '', /'event': 'compute__do_container_kill'.*'result': 'Success'/);
    });

  });

  void describe('create, start, logs, delete', { concurrency: 1 }, () => {
    const name = testName('osc-logs');
    let uuid = '';

    test('create: Created in the engine, not started', async () => {
      const out = ok(await osc('demo', 'appcontainer', 'create', '--name', name, 'busybox', 'sh', '-c', 'echo osc-out; sleep 0.2; echo osc-err >&2'), 'openstack appcontainer create');
      uuid = cleanup.container(createdUuid(out));
      await poller.settled(uuid, 'Created');
      assert.equal((await mustInspect(uuid)).State.Status, 'created');
    });

    test('start, then logs of what it printed', async () => {
      assert.match(ok(await osc('demo', 'appcontainer', 'start', name), 'openstack appcontainer start'), /Request to start container \S+ has been accepted/);
      await poller.settled(uuid, 'Stopped');
      assert.equal((await mustInspect(uuid)).State.ExitCode, 0);
      assert.deepEqual(ok(await osc('demo', 'appcontainer', 'logs', name), 'openstack appcontainer logs').split('\n').filter(Boolean), ['osc-out', 'osc-err']);
      assert.deepEqual(ok(await osc('demo', 'appcontainer', 'logs', '--stderr', name), 'openstack appcontainer logs --stderr').split('\n').filter(Boolean), ['osc-err']);
    });

    test('delete of the stopped container', async () => {
      assert.match(ok(await osc('demo', 'appcontainer', 'delete', name), 'openstack appcontainer delete'), /Request to delete container \S+ has been accepted/);
      await poller.gone(uuid);
      assert.equal(await dockerInspect(uuid), null);
    });
  });

  void describe('delete --force, host list, host show (admin)', { concurrency: 1 }, () => {
    const name = testName('osc-force');
    let uuid = '';

    before(async () => {
      uuid = cleanup.container(createdUuid(ok(await osc('demo', 'appcontainer', 'run', '--name', name, 'busybox', ...LONG_RUNNING), 'openstack appcontainer run')));
      await poller.settled(uuid, 'Running');
    });

    test('host list and host show', async () => {
      const row = parseTable(ok(await osc('admin', 'appcontainer', 'host', 'list'), 'openstack appcontainer host list')).find((r) => r['hostname'] === computeHost());
      assert.ok(row, `${computeHost()} is not in the host list`);
      const shown = parseShow(ok(await osc('admin', 'appcontainer', 'host', 'show', computeHost()), 'openstack appcontainer host show'));
      assert.deepEqual([shown['uuid'], shown['hostname'], shown['cpus']], [row['uuid'], computeHost(), row['cpus']]);
      assert.ok(Number(shown['total_containers']) >= 1);
    });

    test('delete --force: refused to the project member, done for admin', async () => {
      assert.match(ok(await osc('demo', 'appcontainer', 'delete', '--force', name), 'openstack appcontainer delete --force'), /Policy doesn't allow container:delete_force to be performed\. \(HTTP 403\)/);
      assert.equal((await mustInspect(uuid)).State.Running, true);
      assert.match(ok(await osc('admin', 'appcontainer', 'delete', '--force', uuid), 'openstack appcontainer delete --force'), /Request to delete container \S+ has been accepted/);
      await poller.gone(uuid);
      assert.equal(await dockerInspect(uuid), null);
    });
  });
});
