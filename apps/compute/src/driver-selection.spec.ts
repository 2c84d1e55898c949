import 'reflect-metadata';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Container } from 'inversify';
import { silentLogger } from '@zun-ts/common';
import { defaultConf } from '@zun-ts/config';
import { FakeNetworkDriver, NETWORK_DRIVER } from '@zun-ts/network-driver';
import { checkPlugin, PluginRegistry } from '@zun-ts/plugin-host';
import { FakeVolumeDriver, VOLUME_DRIVER } from '@zun-ts/volume-driver';
import { bindPluginDrivers, selectContainerDriver } from './driver-selection';

const volume = new FakeVolumeDriver();
const network = new FakeNetworkDriver();
const plugins = new PluginRegistry([
  checkPlugin({
    name: 'drivers',
    apiVersion: '1.0.0',
    drivers: { volume: { ceph: () => volume }, network: { flat: () => network }, container: { podman: () => { throw new Error('no podman socket'); } } },
  }, 'inline', () => ({ host: 'h', logger: silentLogger() })),
]);

describe('driver selection on a compute host', () => {
  test('plug-in volume and network drivers are bound by name; the built-in names leave the binding to bindCompute', () => {
    const c = new Container();
    bindPluginDrivers(c, defaultConf({ volume: { volume_driver: 'ceph' }, network: { driver: 'flat' } }), plugins);
    assert.equal(c.get(VOLUME_DRIVER), volume);
    assert.equal(c.get(NETWORK_DRIVER), network);
    const builtIn = new Container();
    bindPluginDrivers(builtIn, defaultConf(), plugins);
    assert.equal(builtIn.isBound(VOLUME_DRIVER), false);
    assert.equal(builtIn.isBound(NETWORK_DRIVER), false);
  });

  test('an unknown driver name stops the start, listing built-ins and plug-ins', () => {
    assert.throws(() => bindPluginDrivers(new Container(), defaultConf({ volume: { volume_driver: 'nfs' } }), plugins), /\[volume\] volume_driver: unknown driver nfs; available: local, ceph/);
    assert.throws(() => bindPluginDrivers(new Container(), defaultConf({ network: { driver: 'ovs' } }), PluginRegistry.empty()), /\[network\] driver: unknown driver ovs; available: vxlan$/);
    assert.throws(() => selectContainerDriver(defaultConf({ compute: { container_driver: 'lxc' } }), plugins, silentLogger()), /\[compute\] container_driver: unknown driver lxc; available: docker, podman/);
  });

  test('a plug-in driver whose factory throws names the plug-in', () => {
    assert.throws(() => selectContainerDriver(defaultConf({ compute: { container_driver: 'podman' } }), plugins, silentLogger()), /plug-in drivers failed to make it: no podman socket/);
  });
});
