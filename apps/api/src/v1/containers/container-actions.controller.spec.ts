import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Container, type ContainerStatus } from '@zun-ts/objects';
import { checkBase64, parseLogsSince, parseLogsTail } from './container-action.service';
import { ContainerApi, zunError } from '../../../tests/fixtures/container-api.fixture';

describe('container actions', () => {
  let api: ContainerApi;
  before(async () => {
    // without the glance image driver: a commit stays in the host's engine (container-commit-glance.spec.ts: with it)
    api = await ContainerApi.start({ flags: ['--api.auth_strategy=noauth', '--websocket_proxy.base_url=ws://proxy.example:6784/', '--image_driver_list=docker'] });
    await api.addComputeHost('cn1');
    await api.db.services.upsert({ host: 'cn-down', binary: 'zun-compute', topic: 'zun-compute', availability_zone: null });
    await api.db.services.update('cn-down', 'zun-compute', { forced_down: true });
  });
  after(() => api.close());
  beforeEach(() => {
    api.rpc.sent.length = 0;
    api.rpc.castError = null;
    api.rpc.onCall = () => null;
  });

  const on = (status: ContainerStatus, host: string | null = 'cn1', extra: Partial<Container> = {}): Promise<Container> => api.addContainer({ status, host, ...extra });
  const row = (c: Container): Promise<Container> => api.db.containers.getByUuid({ projectId: null, allProjects: true }, c.uuid);
  const post = (c: Container, action: string, opts: Parameters<ContainerApi['request']>[2] = {}): ReturnType<ContainerApi['request']> =>
    api.request('POST', `/v1/containers/${c.uuid}/${action}`, opts);
  const get = (c: Container, action: string, opts: Parameters<ContainerApi['request']>[2] = {}): ReturnType<ContainerApi['request']> =>
    api.request('GET', `/v1/containers/${c.uuid}/${action}`, opts);

  describe('asynchronous: task state written, action recorded, operation cast to the host', () => {
    const cases: [string, ContainerStatus, string, string, Record<string, unknown>, ContainerStatus?][] = [
      ['start', 'Stopped', 'container_starting', 'containerStart', {}],
      ['stop?timeout=5', 'Running', 'container_stopping', 'containerStop', { timeout: 5 }],
      ['stop', 'Running', 'container_stopping', 'containerStop', { timeout: 10 }],
      ['reboot?timeout=3', 'Stopped', 'container_rebooting', 'containerReboot', { timeout: 3 }, 'Restarting'],
      ['pause', 'Running', 'container_pausing', 'containerPause', {}],
      ['unpause', 'Paused', 'container_unpausing', 'containerUnpause', {}],
      ['kill?signal=None', 'Running', 'container_killing', 'containerKill', { signal: null }],
      ['kill?signal=SIGTERM', 'Running', 'container_killing', 'containerKill', { signal: 'SIGTERM' }],
      ['rebuild', 'Running', 'container_rebuilding', 'containerRebuild', { image: null, run: true }, 'Rebuilding'],
      ['rebuild?image=alpine:3&image_driver=docker', 'Stopped', 'container_rebuilding', 'containerRebuild', { image: 'alpine:3', run: false }, 'Rebuilding'],
    ];
    for (const [path, status, task, method, args, newStatus] of cases) {
      test(`${path} on a ${status} container`, async () => {
        const c = await on(status);
        const r = await post(c, path);
        assert.equal(r.status, 202);
        assert.equal(r.text, 'null');
        const after = await row(c);
        assert.equal(after.task_state, task);
        assert.equal(after.status, newStatus ?? status);
        const action = path.split('?')[0] as string;
        assert.deepEqual((await api.db.actions.list(c.uuid)).map((a) => [a.action, a.request_id]), [[action, r.headers.get('x-openstack-request-id')]]);
        assert.deepEqual(api.rpc.sent.map((m) => [m.kind, m.topic, m.method, m.args]), [['cast', 'compute.cn1', method, { container_uuid: c.uuid, ...args }]]);
        if (path.includes('image=alpine')) assert.equal(after.image, 'alpine:3');
      });
    }

    test('wrong state → 409 in Zun\'s words, nothing written or sent', async () => {
      for (const [action, status] of [['start', 'Running'], ['stop', 'Stopped'], ['pause', 'Paused'], ['unpause', 'Running'], ['kill', 'Created'], ['reboot', 'Paused'], ['rebuild', 'Creating']] as const) {
        const c = await on(status);
        const r = await post(c, action);
        assert.equal(r.status, 409, action);
        assert.deepEqual(zunError(r.body), { request_id: '', code: 'container.invalid-state-exception', status: 409, title: `Cannot ${action} container ${c.uuid} in ${status} state`, detail: `Cannot ${action} container ${c.uuid} in ${status} state`, links: [] });
        assert.equal((await row(c)).task_state, null);
        assert.equal((await api.db.actions.list(c.uuid)).length, 0);
      }
      assert.equal(api.rpc.sent.length, 0);
    });

    test('a task already in flight wins: the second request is 409', async () => {
      const c = await on('Stopped', 'cn1', { task_state: 'container_starting' });
      const r = await post(c, 'start');
      assert.equal(r.status, 409);
      assert.equal(zunError(r.body).detail, `Cannot start container ${c.uuid} in Stopped state: task container_starting is in progress`);
      assert.equal(api.rpc.sent.length, 0);
    });

    test('two concurrent stops: exactly one is accepted', async () => {
      const c = await on('Running');
      const results = await Promise.all([post(c, 'stop'), post(c, 'stop')]);
      assert.deepEqual(results.map((r) => r.status).sort(), [202, 409]);
      assert.equal(api.rpc.of('containerStop').length, 1);
    });

    test('a container never placed on a host cannot be acted on (400)', async () => {
      const c = await on('Error', null);
      const r = await post(c, 'start');
      assert.equal(r.status, 400);
      assert.deepEqual([zunError(r.body).code, zunError(r.body).detail], ['container.invalid', 'Cannot operate an uncreated container.']);
    });

    test('a cast that cannot be queued puts the previous state back', async () => {
      const c = await on('Running');
      api.rpc.castError = new Error('redis down');
      const r = await post(c, 'reboot');
      assert.equal(r.status, 500);
      const after = await row(c);
      assert.equal(after.status, 'Running');
      assert.equal(after.task_state, null);
    });

    test('bad parameters → 400 before anything happens', async () => {
      const c = await on('Running');
      const cases: [string, string][] = [
        ['stop?timeout=-1', "Invalid input for query parameters 'timeout'. Value: '-1'. '-1' does not match '^[0-9]*$'"],
        ['reboot?timeout=soon', "Invalid input for query parameters 'timeout'. Value: 'soon'. 'soon' does not match '^[0-9]*$'"],
        ['stop?force=1', "Additional properties are not allowed ('force' was unexpected)"],
        ['kill?signal=SIGFOO', 'Invalid input for field \'signal\'.Value: \'SIGFOO\'.'],
        ['kill?signal=9&extra=1', "Additional properties are not allowed ('extra' was unexpected)"],
        ['rebuild?image_driver=glance2', 'Invalid input for image_driver, it should be within the image drivers list'],
      ];
      for (const [path, detail] of cases) {
        const r = await post(c, path);
        assert.equal(r.status, 400, path);
        assert.ok(zunError(r.body).detail.startsWith(detail), zunError(r.body).detail);
      }
      const malformed = await post(c, 'kill', { body: '{"signal":' });
      assert.equal(malformed.status, 400);
      assert.equal((await row(c)).task_state, null);
      assert.equal(api.rpc.sent.length, 0);
    });

    test('another project\'s container is not found; an ambiguous name is 409', async () => {
      const theirs = await on('Running', 'cn1', { project_id: 'palt' });
      assert.equal((await post(theirs, 'stop')).status, 404);
      await api.addContainer({ name: 'same', status: 'Running', host: 'cn1' });
      await api.addContainer({ name: 'same', status: 'Running', host: 'cn1' });
      const r = await api.request('POST', '/v1/containers/same/stop');
      assert.equal(r.status, 409);
      assert.equal(zunError(r.body).code, 'container.conflict');
    });
  });

  describe('synchronous: the host must be up, then a call with the RPC timeout', () => {
    test('logs: defaults, flags, since and tail; the answer is a JSON string', async () => {
      const c = await on('Running');
      api.rpc.onCall = () => 'line 1\nline 2\n';
      const r = await get(c, 'logs');
      assert.equal(r.status, 200);
      assert.equal(r.body, 'line 1\nline 2\n');
      assert.deepEqual(api.rpc.sent[0]?.args, { container_uuid: c.uuid, stdout: true, stderr: true, timestamps: false, tail: 'all', since: null });
      assert.equal(api.rpc.sent[0]?.kind, 'call');
      await get(c, 'logs?stdout=True&stderr=False&timestamps=True&tail=20&since=2024-01-02 03:04:05,5');
      assert.deepEqual(api.rpc.sent[1]?.args, { container_uuid: c.uuid, stdout: true, stderr: false, timestamps: true, tail: '20', since: String(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000 + 0.5) });
      const bad = await get(c, 'logs?stdout=maybe');
      assert.equal(bad.status, 400);
      const logsOfError = await get(await on('Error'), 'logs');
      assert.equal(logsOfError.status, 200, 'logs are allowed in Error');
    });

    test('a host that is down: 500 with the correlation id only, nothing sent', async () => {
      const c = await on('Running', 'cn-down');
      for (const [method, action] of [['GET', 'logs'], ['GET', 'top'], ['GET', 'stats'], ['POST', 'execute?command=ls'], ['GET', 'get_archive?path=/etc'], ['POST', 'commit?repository=r']] as const) {
        const r = await api.request(method, `/v1/containers/${c.uuid}/${action}`);
        assert.equal(r.status, 500, action);
        const e = zunError(r.body);
        assert.equal(e.code, 'container.');
        assert.match(e.detail, /Error Correlation id is: [0-9a-f-]{36}$/);
      }
      assert.equal(api.rpc.sent.length, 0);
      assert.equal((await api.db.actions.list(c.uuid)).length, 0, 'commit recorded nothing');
    });

    test('execute: the command is split shell-style; without run the exec is left for the websocket proxy', async () => {
      const c = await on('Running');
      api.rpc.onCall = () => ({ output: 'hi\n', exit_code: 0, exec_id: null, token: null });
      const r = await post(c, `execute?command=${encodeURIComponent('"sh" "-c" "echo hi"')}&run=True&interactive=False`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { output: 'hi\n', exit_code: 0, exec_id: null, proxy_url: null });
      assert.deepEqual(api.rpc.sent[0]?.args, { container_uuid: c.uuid, command: ['sh', '-c', 'echo hi'], interactive: false });
      const execId = 'e'.repeat(64);
      api.rpc.onCall = () => ({ output: null, exit_code: null, exec_id: execId, token: 'tok-1' });
      const i = await post(c, 'execute?command=sh&run=False&interactive=True');
      assert.deepEqual(i.body, { output: null, exit_code: null, exec_id: execId, proxy_url: `ws://proxy.example:6784/?token=tok-1&uuid=${c.uuid}&exec_id=${execId}` });
      assert.equal(api.rpc.sent[1]?.args['interactive'], true);
      assert.equal((await post(c, 'execute')).status, 400);
      assert.equal((await post(c, `execute?command=${encodeURIComponent('"open')}`)).status, 400);
      assert.equal((await post(await on('Stopped'), 'execute?command=ls')).status, 409);
    });

    describe('execute: command, run and interactive from a JSON body as well as the query string', () => {
      const ok = { output: 'hi\n', exit_code: 0, exec_id: null, token: null };

      test('body only: parsed as from the query (a charset on the JSON type is fine)', async () => {
        const c = await on('Running');
        api.rpc.onCall = () => ok;
        const r = await post(c, 'execute', { body: { command: '"sh" "-c" "echo hi"', run: true, interactive: false }, contentType: 'application/json; charset=utf-8' });
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { output: 'hi\n', exit_code: 0, exec_id: null, proxy_url: null });
        assert.deepEqual(api.rpc.sent[0]?.args, { container_uuid: c.uuid, command: ['sh', '-c', 'echo hi'], interactive: false });
        await post(c, 'execute', { body: { command: 'sh', run: 'False', interactive: 'True' } });
        assert.equal(api.rpc.sent[1]?.args['interactive'], true, 'run=False in the body leaves the exec for the websocket proxy');
      });

      test('query only: an empty JSON body, or a body of another type, changes nothing', async () => {
        const c = await on('Running');
        api.rpc.onCall = () => ok;
        assert.equal((await post(c, 'execute?command=ls')).status, 200);
        assert.equal((await post(c, 'execute?command=ls&run=False', { contentType: 'text/plain', body: '{not json' })).status, 200);
        assert.deepEqual(api.rpc.sent.map((m) => m.args), [
          { container_uuid: c.uuid, command: ['ls'], interactive: false },
          { container_uuid: c.uuid, command: ['ls'], interactive: true },
        ]);
      });

      test('both: the body\'s values win, the query\'s are still checked', async () => {
        const c = await on('Running');
        api.rpc.onCall = () => ok;
        const r = await post(c, 'execute?command=ls&run=True', { body: { command: 'pwd', run: false } });
        assert.equal(r.status, 200);
        assert.deepEqual(api.rpc.sent.map((m) => m.args), [{ container_uuid: c.uuid, command: ['pwd'], interactive: true }]);
        const badQuery = await post(c, 'execute?command=', { body: { command: 'pwd' } });
        assert.equal(badQuery.status, 400);
        assert.equal(zunError(badQuery.body).detail, "Invalid input for query parameters 'command'. Value: ''. '' should be non-empty");
        assert.equal(api.rpc.sent.length, 1);
      });

      test('a bad body → 400 in Zun\'s format, nothing sent to the host', async () => {
        const c = await on('Running');
        const cases: [string | Record<string, unknown>, string][] = [
          [{ command: 123 }, "Invalid input for field 'command'.Value: '123'. 123 is not of type 'string'"],
          [{ command: null }, "Invalid input for field 'command'.Value: 'None'. None is not of type 'string'"],
          [{ command: '' }, "Invalid input for field 'command'.Value: ''. '' should be non-empty"],
          [{ command: 'ls', run: 'yes' }, "Invalid input for field 'run'.Value: 'yes'. 'yes' is not one of [True, 'True', 'true', False, 'False', 'false']"],
          [{ command: 'ls', interactive: 1 }, "Invalid input for field 'interactive'.Value: '1'. 1 is not of type 'boolean', 'string'"],
          [{ command: 'ls', cmd: 'ls' }, "Additional properties are not allowed ('cmd' was unexpected)"],
          [{ run: true }, "'command' is a required property"],
          ['{"command": "ls"', 'Malformed request body: it is not valid JSON.'],
          ['["ls"]', 'Malformed request body: it must be a JSON object.'],
        ];
        for (const [body, detail] of cases) {
          const r = await post(c, 'execute', { body });
          assert.equal(r.status, 400, JSON.stringify(body));
          assert.deepEqual(zunError(r.body), { request_id: '', code: 'container.schema-validation-error', status: 400, title: detail, detail, links: [] });
        }
        assert.equal(api.rpc.sent.length, 0);
      });
    });

    test('execute_resize, top, stats', async () => {
      const c = await on('Running');
      const execId = 'a'.repeat(64);
      assert.equal((await post(c, `execute_resize?exec_id=${execId}&w=80&h=24`)).status, 200);
      assert.deepEqual(api.rpc.sent[0]?.args, { container_uuid: c.uuid, exec_id: execId, width: 80, height: 24 });
      assert.equal((await post(c, 'execute_resize?exec_id=xyz&w=80&h=24')).status, 400);
      api.rpc.onCall = (m) => (m === 'containerTop' ? { Titles: ['PID'], Processes: [['1']] } : { CONTAINER: 'x', 'CPU %': 0.5 });
      assert.deepEqual((await get(c, 'top?ps_args=None')).body, { Titles: ['PID'], Processes: [['1']] });
      assert.equal(api.rpc.of('containerTop')[0]?.args['ps_args'], null);
      await get(c, 'top?ps_args=aux');
      assert.equal(api.rpc.of('containerTop')[1]?.args['ps_args'], 'aux');
      assert.deepEqual((await get(c, 'stats')).body, { CONTAINER: 'x', 'CPU %': 0.5 });
      assert.equal((await get(await on('Paused'), 'stats')).status, 409);
    });

    test('archives: base64 from 1.25, latin-1 text before; bad base64 is 400', async () => {
      const c = await on('Running');
      const tar = Buffer.from([0x75, 0x73, 0x74, 0x61, 0x72, 0xff, 0x00]);
      api.rpc.onCall = () => ({ data: tar.toString('base64'), stat: { name: 'etc', size: 7 } });
      const v125 = await get(c, 'get_archive?path=/etc');
      assert.deepEqual(v125.body, { data: tar.toString('base64'), stat: { name: 'etc', size: 7 } });
      const v124 = await get(c, 'get_archive?path=/etc', { version: '1.24' });
      assert.equal((v124.body as { data: string }).data, tar.toString('latin1'));
      assert.equal((await get(c, 'get_archive')).status, 400, 'path is required');

      api.rpc.onCall = () => null;
      const put = await post(c, 'put_archive?path=/tmp', { body: { data: tar.toString('base64') } });
      assert.equal(put.status, 200);
      assert.deepEqual(api.rpc.of('containerPutArchive')[0]?.args, { container_uuid: c.uuid, path: '/tmp', data: tar.toString('base64') });
      await post(c, 'put_archive?path=/tmp', { body: { data: tar.toString('latin1') }, version: '1.24' });
      assert.equal(api.rpc.of('containerPutArchive')[1]?.args['data'], tar.toString('base64'));
      const bad = await post(c, 'put_archive?path=/tmp', { body: { data: 'not base64!' } });
      assert.equal(bad.status, 400);
      assert.deepEqual([zunError(bad.body).code, zunError(bad.body).detail], ['container.base64-exception', 'Invalid Base 64 file data']);
    });

    test('commit: records the commit action and answers 202 with the image id', async () => {
      const c = await on('Stopped');
      api.rpc.onCall = () => ({ image_id: 'sha256:abc' });
      const r = await post(c, 'commit?repository=myimage&tag=v1');
      assert.equal(r.status, 202);
      assert.deepEqual(r.body, { uuid: 'sha256:abc' });
      assert.deepEqual(api.rpc.sent[0]?.args, { container_uuid: c.uuid, repository: 'myimage', tag: 'v1' });
      assert.deepEqual((await api.db.actions.list(c.uuid)).map((a) => a.action), ['commit']);
      assert.equal(zunError((await post(c, 'commit')).body).detail, "'repository' is a required property");
    });

    test('resize (TTY) is validated and reaches the host; only a Running container', async () => {
      const c = await on('Running');
      assert.equal((await post(c, 'resize?w=0&h=24')).status, 400);
      assert.equal(api.rpc.sent.length, 0);
      const r = await post(c, 'resize?w=80&h=24');
      assert.equal(r.status, 200);
      assert.equal(r.text, 'null');
      assert.deepEqual(api.rpc.sent.map((m) => [m.kind, m.topic, m.method, m.args]), [['call', 'compute.cn1', 'containerResize', { container_uuid: c.uuid, width: 80, height: 24 }]]);
      assert.equal((await post(await on('Stopped'), 'resize?w=80&h=24')).status, 409);
      assert.equal((await post(await on('Running', 'cn-down'), 'resize?w=80&h=24')).status, 500);
    });

    test('attach: the wsproxy URL with the token the host minted, as a JSON string', async () => {
      const c = await on('Running', 'cn1', { interactive: true, tty: true });
      api.rpc.onCall = () => ({ token: 'f'.repeat(64) });
      const r = await get(c, 'attach');
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(r.body, `ws://proxy.example:6784/?token=${'f'.repeat(64)}&uuid=${c.uuid}`);
      assert.deepEqual(api.rpc.sent.map((m) => [m.kind, m.topic, m.method, m.args]), [['call', 'compute.cn1', 'containerAttach', { container_uuid: c.uuid }]]);
      assert.equal((await api.db.actions.list(c.uuid)).length, 0, 'attach records no action');

      const plain = await get(await on('Running'), 'attach');
      assert.equal(plain.status, 400);
      assert.deepEqual([zunError(plain.body).code, zunError(plain.body).detail],
        ['container.no-interactive-flag', "Container doesn't support to be attached, please check the interactive set properly"]);
      const stopped = await get(await on('Stopped', 'cn1', { interactive: true }), 'attach');
      assert.equal(stopped.status, 409, 'the state is checked before the interactive flag');
      assert.equal((await get(await on('Running', 'cn-down', { interactive: true }), 'attach')).status, 500);
      assert.equal(api.rpc.sent.length, 1, 'refused attaches reach no host');
    });
  });

  describe('parameter helpers', () => {
    test('logs since and tail', () => {
      assert.equal(parseLogsSince('None'), null);
      assert.equal(parseLogsSince(undefined), null);
      assert.equal(parseLogsSince('1700000000'), '1700000000');
      assert.equal(parseLogsSince('2024-01-02 03:04:05,123'), String(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000 + 0.123));
      assert.throws(() => parseLogsSince('2024-02-30 00:00:00,1'), /Invalid since value/);
      assert.throws(() => parseLogsSince('x2024-01-02 03:04:05,1'), /Invalid since value/);
      assert.equal(parseLogsTail('50'), '50');
      assert.equal(parseLogsTail('all'), 'all');
      assert.equal(parseLogsTail('lots'), 'all');
      assert.equal(parseLogsTail(undefined), 'all');
    });

    test('base64 must be padded and use the standard alphabet', () => {
      assert.equal(checkBase64('aGk=\n'), 'aGk=');
      assert.throws(() => checkBase64('aGk'), /Invalid Base 64 file data/);
      assert.throws(() => checkBase64('a-k='), /Invalid Base 64 file data/);
    });
  });
});
