import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, BadRequest, Conflict, type RequestContext, silentLogger } from '@zun-ts/common';
import { FakeContainerDriver } from '@zun-ts/compute-driver';
import { defaultConf } from '@zun-ts/config';
import { type ExecInstanceCreateRequest } from '@zun-ts/rpc';
import { FakeVolumeDriver } from '@zun-ts/volume-driver';
import { ComputeManager } from './compute.manager';
import { ComputeConsole } from './compute-console.service';
import { ContainerRecords } from './conductor-api';
import { ConsoleGrants } from './console-grants';
import { ContainerBuilder } from './container-builder';
import { ContainerOperations } from './container-operations';
import { ContainerVolumes } from './container-volumes';
import { fakeContainer, FakeConductor } from '../tests/fixtures/fake-conductor';
import { KeyedLock } from '@zun-ts/common';
import { FakeNetworkDriver } from '@zun-ts/network-driver';
import { ContainerNetworks } from './container-networks';

const ctx: RequestContext = adminContext('req-console');
const EXEC = 'a'.repeat(64);
const relay = { sessionUrl: (kind: string, target: string) => `ws://127.0.0.1:7000/${kind}/${target}` };

/** The conductor, with exec sessions recorded too. */
class ConsoleConductor extends FakeConductor {
  readonly execs: ExecInstanceCreateRequest[] = [];
  async execInstanceCreate(_ctx: RequestContext, args: ExecInstanceCreateRequest): Promise<void> {
    this.execs.push(args);
  }
}

function rig() {
  const driver = new FakeContainerDriver();
  const conductor = new ConsoleConductor();
  const records = new ContainerRecords(conductor.client('cn1'), 'cn1', silentLogger());
  const locks = new KeyedLock();
  const volumes = new ContainerVolumes(new FakeVolumeDriver(), records, silentLogger());
  const networks = new ContainerNetworks(new FakeNetworkDriver(), records, { publishIp: '127.0.0.1' }, silentLogger());
  const ops = new ContainerOperations(driver, records, new ContainerBuilder(driver, records, volumes, networks, silentLogger()), volumes, networks, locks, silentLogger());
  const grants = new ConsoleGrants(60_000);
  const consoles = new ComputeConsole(grants, relay, conductor.client('cn1'));
  const manager = new ComputeManager(defaultConf({ DEFAULT: { host: 'cn1' } }), driver, ops, { console: consoles });
  return { driver, conductor, grants, manager };
}

describe('compute consoles', () => {
  test('attach mints a fresh token each time and records it with the relay address on the container', async () => {
    const r = rig();
    const c = r.conductor.put(fakeContainer({ status: 'Running', container_id: 'd1', interactive: true, tty: true }));
    const first = await r.manager.containerAttach(ctx, { container_uuid: c.uuid });
    assert.match(first.token, /^[0-9a-f]{64}$/);
    assert.equal(r.conductor.row(c.uuid).websocket_token, first.token);
    assert.equal(r.conductor.row(c.uuid).websocket_url, `ws://127.0.0.1:7000/attach/${c.uuid}`);
    const second = await r.manager.containerAttach(ctx, { container_uuid: c.uuid });
    assert.notEqual(second.token, first.token);
    assert.equal(r.conductor.row(c.uuid).websocket_token, second.token);
    assert.equal(r.grants.admit('attach', c.uuid, first.token).ok, false, 'the old token opens nothing at the relay');
    assert.equal(r.grants.admit('attach', c.uuid, second.token).ok, true);
    r.driver.verify();
  });

  test('attach refuses a container that is not interactive, and one never created', async () => {
    const r = rig();
    const plain = r.conductor.put(fakeContainer({ status: 'Running', container_id: 'd1', interactive: false }));
    await assert.rejects(r.manager.containerAttach(ctx, { container_uuid: plain.uuid }), BadRequest);
    const uncreated = r.conductor.put(fakeContainer({ uuid: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', status: 'Creating', interactive: true }));
    await assert.rejects(r.manager.containerAttach(ctx, { container_uuid: uncreated.uuid }), /uncreated/);
    assert.equal(r.grants.size, 0);
    assert.equal(r.conductor.saves.length, 0);
  });

  test('an interactive exec is created (not run) and gets a token recorded as the exec\'s session', async () => {
    const r = rig();
    const c = r.conductor.put(fakeContainer({ status: 'Running', container_id: 'd1', interactive: true, tty: true }));
    r.driver.expect('execute', async () => ({ output: null, exit_code: null, exec_id: EXEC }));
    const res = await r.manager.containerExec(ctx, { container_uuid: c.uuid, command: ['sh'], interactive: true });
    assert.equal(res.exec_id, EXEC);
    assert.match(res.token ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(r.driver.callsOf('execute')[0]?.slice(1), [c.uuid, { command: ['sh'], run: false, interactive: true }]);
    assert.deepEqual(r.conductor.execs, [{ container_uuid: c.uuid, exec_id: EXEC, token: res.token, url: `ws://127.0.0.1:7000/exec/${EXEC}` }]);
    assert.equal(r.grants.admit('exec', EXEC, res.token ?? '').ok, true);

    r.driver.expect('execute', async () => ({ output: 'hi\n', exit_code: 0, exec_id: null }));
    const plain = await r.manager.containerExec(ctx, { container_uuid: c.uuid, command: ['echo', 'hi'], interactive: false });
    assert.deepEqual(plain, { output: 'hi\n', exit_code: 0, exec_id: null, token: null });
    assert.equal(r.conductor.execs.length, 1);
    r.driver.verify();
  });

  test('resize reaches the engine for a TTY container only; engine refusals come back', async () => {
    const r = rig();
    const tty = r.conductor.put(fakeContainer({ status: 'Running', container_id: 'd1', interactive: true, tty: true }));
    r.driver.expect('resize');
    await r.manager.containerResize(ctx, { container_uuid: tty.uuid, width: 120, height: 40 });
    assert.deepEqual(r.driver.callsOf('resize')[0]?.slice(1), [tty.uuid, { width: 120, height: 40 }]);
    const noTty = r.conductor.put(fakeContainer({ uuid: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9', status: 'Running', container_id: 'd2', interactive: true, tty: false }));
    await r.manager.containerResize(ctx, { container_uuid: noTty.uuid, width: 120, height: 40 });
    assert.equal(r.driver.callsOf('resize').length, 1, 'nothing to resize without a TTY');
    r.driver.expect('resize', async () => {
      throw new Conflict('Container is not running');
    });
    await assert.rejects(r.manager.containerResize(ctx, { container_uuid: tty.uuid, width: 1, height: 1 }), Conflict);
    r.driver.verify();
  });
});
