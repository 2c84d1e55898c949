// End to end: `zun host-list` / `host-show` (admin), `zun rebuild`, and the action records
// (`action-list`, `action-show`) that the API and the compute host write for every operation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseShow, parseTable } from '@zun-ts/testing';
import { Cleanup, computeHost, createdUuid, docker, LONG_RUNNING, mustInspect, ok, testName, zun, ZunPoller } from './fixtures/stack-cli';

void describe('zun host-list, host-show, rebuild, action-list, action-show', { concurrency: true }, () => {
  const cleanup = new Cleanup();
  let poller: ZunPoller;

  before(async () => {
    poller = await ZunPoller.login();
  });
  after(() => cleanup.run(poller));

  void describe('hosts', { concurrency: 1 }, () => {
    const name = testName('host');

    before(async () => {
      const uuid = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--name', name, '--memory', '64', 'busybox', ...LONG_RUNNING), 'zun run')));
      await poller.settled(uuid, 'Running');
    });

    test('zun host-list (admin) lists the compute host with the engine\'s CPUs', async () => {
      const ncpu = Number(ok(await docker('info', '--format', '{{.NCPU}}'), 'docker info').trim());
      const row = parseTable(ok(await zun('admin', 'host-list'), 'zun host-list')).find((r) => r['hostname'] === computeHost());
      assert.ok(row, `${computeHost()} is not in zun host-list`);
      assert.match(row['uuid'] ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(Number(row['cpus']), ncpu);
      assert.ok(Number(row['mem_total']) > 0 && Number(row['disk_total']) > 0, JSON.stringify(row));
    });

    test('zun host-show (admin) by name and by uuid: the host, with this test\'s container counted', async () => {
      const byName = parseShow(ok(await zun('admin', 'host-show', computeHost()), 'zun host-show'));
      assert.equal(byName['hostname'], computeHost());
      assert.equal(byName['os_type'], 'linux');
      assert.ok(Number(byName['total_containers']) >= 1, `total_containers: ${byName['total_containers']}`);
      assert.ok(Number(byName['mem_used']) >= 64, `mem_used: ${byName['mem_used']}`);
      const byUuid = parseShow(ok(await zun('admin', 'host-show', byName['uuid'] ?? ''), 'zun host-show <uuid>'));
      assert.equal(byUuid['hostname'], computeHost());
    });

    test('zun host-list is refused to a project member by policy', async () => {
      const r = await zun('demo', 'host-list');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Policy doesn't allow host:get_all to be performed\. \(HTTP 403\)/);
    });
  });

  void describe('rebuild and the action records', { concurrency: 1 }, () => {
    const name = testName('rebuild');
    let uuid = '';

    before(async () => {
      uuid = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--name', name, 'busybox', ...LONG_RUNNING), 'zun run')));
      await poller.settled(uuid, 'Running');
    });

    test('zun rebuild of a Running container: a new engine container, running again', async () => {
      const old = await mustInspect(uuid);
      assert.equal(ok(await zun('demo', 'rebuild', name), 'zun rebuild').trim(), `Request to rebuild container ${name} has been accepted.`);
      await poller.settled(uuid, 'Running');
      const d = await mustInspect(uuid);
      assert.notEqual(d.Id, old.Id);
      assert.equal(d.State.Running, true);
      assert.deepEqual(d.Config.Cmd, LONG_RUNNING);
    });

    test('zun rebuild --image of a Stopped container: made from the new image, left Created', async () => {
      ok(await zun('demo', 'stop', name), 'zun stop');
      await poller.settled(uuid, 'Stopped');
      const image = '127.0.0.1:5050/library/busybox';
      ok(await zun('demo', 'rebuild', '--image', image, name), 'zun rebuild --image');
      await poller.settled(uuid, 'Created');
      const d = await mustInspect(uuid);
      assert.deepEqual([d.State.Status, d.Config.Image], ['created', `${image}:latest`]);
      const shown = parseShow(ok(await zun('demo', 'show', name), 'zun show'));
      assert.deepEqual([shown['image'], shown['status'], shown['task_state']], [image, 'Created', 'None']);
    });

    test('zun action-list: every operation, newest first, finished without error', async () => {
      const rows = parseTable(ok(await zun('demo', 'action-list', name), 'zun action-list'));
      assert.deepEqual(rows.map((r) => r['action']), ['rebuild', 'stop', 'rebuild', 'create']);
      for (const r of rows) {
        assert.deepEqual([r['container_uuid'], r['message']], [uuid, 'None']);
        assert.match(r['request_id'] ?? '', /^req-[0-9a-f-]{36}$/);
      }
    });

    test('zun action-show: the action with the compute host\'s events', async () => {
      const rows = parseTable(ok(await zun('demo', 'action-list', name), 'zun action-list'));
      const stop = rows.find((r) => r['action'] === 'stop');
      const create = rows.find((r) => r['action'] === 'create');
      assert.ok(stop?.['request_id'] && create?.['request_id']);
      const shown = parseShow(ok(await zun('demo', 'action-show', name, stop['request_id']), 'zun action-show'));
      assert.deepEqual([shown['action'], shown['container_uuid'], shown['request_id'], shown['message']], ['stop', uuid, stop['request_id'], 'None']);
      assert.match(shown['finish_time'] ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
      assert.match(shown['events'] ?? '', /'event': 'compute__do_container_stop'.*'result': 'Success'/);
      // `run` records the create and the start under the one create action
      const created = parseShow(ok(await zun('demo', 'action-show', name, create['request_id']), 'zun action-show'));
      assert.match(created['events'] ?? '', /compute__do_container_create/);
      assert.match(created['events'] ?? '', /compute__do_container_start/);
    });
  });
});
