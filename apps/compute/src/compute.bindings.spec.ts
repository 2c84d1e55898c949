import 'reflect-metadata';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Container } from 'inversify';
import { LOGGER, silentLogger } from '@zun-ts/common';
import { CONSOLE_STREAMS, CONTAINER_DRIVER, type ConsoleStreams, FakeContainerDriver } from '@zun-ts/compute-driver';
import { defaultConf, ZUN_CONF } from '@zun-ts/config';
import { PERIODIC_TASK } from '@zun-ts/service';
import { FakeVolumeDriver, VOLUME_DRIVER } from '@zun-ts/volume-driver';
import { LocalVolumeDriver } from '@zun-ts/volume-driver-local';
import { FakeNetworkDriver, NETWORK_DRIVER } from '@zun-ts/network-driver';
import { VxlanNetworkDriver } from '@zun-ts/network-driver-vxlan';
import { ContainerNetworks } from './container-networks';
import { FakeConductor } from '../tests/fixtures/fake-conductor';
import { bindCompute } from './compute.bindings';
import { ComputeManager } from './compute.manager';
import { ComputeConsole } from './compute-console.service';
import { ContainerRecords } from './conductor-api';
import { ConsoleGrants } from './console-grants';
import { ConsoleRelay } from './console-relay.server';
import { ContainerOperations } from './container-operations';
import { ContainerSync } from './container-sync';
import { ContainerVolumes } from './container-volumes';
import { KeyedLock } from '@zun-ts/common';
import { ResourceTracker } from './resource-tracker';
import { ImageDrivers } from './image-drivers';
import { CONDUCTOR_API, CONSOLE_CONDUCTOR_API, PLUGIN_IMAGE_DRIVERS } from './tokens';

function composed(pre?: (c: Container) => void) {
  const conf = defaultConf({ DEFAULT: { host: 'cn7', periodic_interval: 5 } });
  const driver = FakeContainerDriver.simulated();
  const conductor = new FakeConductor();
  const streams: ConsoleStreams = {
    attach: () => Promise.reject(new Error('not in this test')),
    exec: () => Promise.reject(new Error('not in this test')),
  };
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(ZUN_CONF).toConstantValue(conf);
  container.bind(LOGGER).toConstantValue(silentLogger());
  container.bind(CONTAINER_DRIVER).toConstantValue(driver);
  container.bind(CONSOLE_STREAMS).toConstantValue(streams);
  pre?.(container);
  const client = conductor.client();
  container.bind(CONDUCTOR_API).toConstantValue(client);
  container.bind(CONSOLE_CONDUCTOR_API).toConstantValue(client);
  bindCompute(container);
  return { container, conductor, client };
}

describe('bindCompute', () => {
  test('resolves the compute manager and every object of the host, one of each', () => {
    const { container } = composed();
    assert.ok(container.get(ComputeManager) instanceof ComputeManager);
    for (const cls of [ContainerRecords, KeyedLock, ResourceTracker, ContainerVolumes, ContainerNetworks, ContainerOperations, ContainerSync, ConsoleGrants, ConsoleRelay, ComputeConsole] as const) {
      const a: unknown = container.get<unknown>(cls);
      assert.ok(a instanceof cls, cls.name);
      assert.equal(container.get<unknown>(cls), a, `${cls.name} is a singleton`);
    }
    assert.equal(container.get(ComputeManager), container.get(ComputeManager));
  });

  test("the records are this host's, through the bound conductor", () => {
    const { container, client } = composed();
    const records = container.get(ContainerRecords);
    assert.equal(records.host, 'cn7');
    assert.equal(records.api, client);
  });

  test('binds the two periodic tasks of a compute host', async () => {
    const { container } = composed();
    const tasks = container.getAll(PERIODIC_TASK);
    assert.deepEqual(tasks.map((t) => t.name), ['update_available_resources', 'sync_container_state']);
    assert.deepEqual(container.getAll(PERIODIC_TASK), tasks, 'the same tasks every time');
  });

  test('image drivers: docker and glance built in, plug-ins\' ones when bound by main', () => {
    const builtIn = composed().container.get(ImageDrivers);
    assert.equal(builtIn.for({ image_driver: 'glance' }).name, 'glance');
    assert.throws(() => builtIn.for({ image_driver: 'local' }), /Image driver local is not enabled on this host/);
    const local = { name: 'local', pull: () => Promise.resolve({ ref: 'x', driver: 'local' }) };
    const withPlugin = composed((c) => c.bind(PLUGIN_IMAGE_DRIVERS).toConstantValue([local])).container.get(ImageDrivers);
    assert.equal(withPlugin.for({ image_driver: 'local' }), local);
    assert.equal(withPlugin.for({ image_driver: null }).name, 'docker');
  });

  test('the volume driver is the local one of [volume], unless one is bound already', () => {
    const { container } = composed();
    assert.ok(container.get(VOLUME_DRIVER) instanceof LocalVolumeDriver);
    const fake = new FakeVolumeDriver();
    const withFake = composed((c) => c.bind(VOLUME_DRIVER).toConstantValue(fake)).container;
    assert.equal(withFake.get(VOLUME_DRIVER), fake);
  });

  test('the network driver is the VXLAN one of [network], unless one is bound already', () => {
    const { container } = composed();
    const vxlan = container.get(NETWORK_DRIVER);
    assert.ok(vxlan instanceof VxlanNetworkDriver);
    assert.equal(vxlan.kind, 'vxlan');
    const fake = new FakeNetworkDriver();
    const withFake = composed((c) => c.bind(NETWORK_DRIVER).toConstantValue(fake)).container;
    assert.equal(withFake.get(NETWORK_DRIVER), fake);
  });
});
