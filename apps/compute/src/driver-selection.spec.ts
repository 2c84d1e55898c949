import 'reflect-metadata';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Container } from 'inversify';
import { adminContext, silentLogger } from '@zun-ts/common';
import { type ContainerDriver, FakeContainerDriver, type ImageDriver } from '@zun-ts/compute-driver';
import { defaultConf } from '@zun-ts/config';
import { FakeNetworkDriver, NETWORK_DRIVER } from '@zun-ts/network-driver';
import { checkPlugin, PluginRegistry } from '@zun-ts/plugin-host';
import { FakeVolumeDriver, VOLUME_DRIVER } from '@zun-ts/volume-driver';
import { fakeContainer } from '../tests/fixtures/fake-conductor';
import { bindPluginDrivers, selectContainerDriver, selectPluginImageDrivers } from './driver-selection';
import { DockerImageDriver, ImageDrivers } from './image-drivers';
import { PLUGIN_IMAGE_DRIVERS } from './tokens';

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

/** A plug-in image driver as a team would write it: it uses the image only if the engine already has it. */
function localImages(engine: ContainerDriver): ImageDriver {
  return {
    name: 'local',
    pull: async (ctx, c) => {
      const info = await engine.imageInspect(ctx, c.image ?? '');
      return { ref: info.id, driver: 'local' };
    },
  };
}

const imagePlugins = new PluginRegistry([
  checkPlugin({
    name: 'images',
    apiVersion: '1.1.0',
    drivers: {
      image: {
        local: (ctx: { containerDriver: ContainerDriver }) => localImages(ctx.containerDriver),
        misnamed: () => ({ name: 'other', pull: () => Promise.reject(new Error('unused')) }),
        nopull: () => ({ name: 'nopull' }),
      },
    },
  }, 'inline', () => ({ host: 'h', logger: silentLogger() })),
]);

describe('image drivers of plug-ins on a compute host', () => {
  test('named in image_driver_list, a plug-in image driver is made with the host\'s container driver and selected like a built-in', async () => {
    const engine = FakeContainerDriver.simulated();
    const conf = defaultConf({ DEFAULT: { image_driver_list: ['docker', 'local'], default_image_driver: 'local' } });
    const made = selectPluginImageDrivers(conf, imagePlugins, engine);
    assert.deepEqual(made.map((d) => d.name), ['local']);
    const drivers = new ImageDrivers([new DockerImageDriver(engine), ...made], conf.DEFAULT.default_image_driver);
    assert.equal(drivers.for({ image_driver: 'local' }), made[0]);
    assert.equal(drivers.for({ image_driver: null }), made[0], 'default_image_driver names the plug-in\'s');
    assert.equal(drivers.for({ image_driver: 'docker' }).name, 'docker');
    // It drives the engine it was given: an image the engine lacks is reported by it.
    await assert.rejects(made[0]?.pull(adminContext(), fakeContainer({ image: 'nowhere:1' })) ?? Promise.resolve(), /nowhere/);
  });

  test('bindPluginDrivers binds them for bindCompute; none made when none is listed', () => {
    const engine = FakeContainerDriver.simulated();
    const c = new Container();
    const conf = defaultConf({ DEFAULT: { image_driver_list: ['local', 'docker'] } });
    bindPluginDrivers(c, conf, imagePlugins, selectPluginImageDrivers(conf, imagePlugins, engine));
    assert.deepEqual(c.get(PLUGIN_IMAGE_DRIVERS).map((d) => d.name), ['local']);
    assert.deepEqual(selectPluginImageDrivers(defaultConf(), imagePlugins, engine), []);
  });

  test('an unknown name in image_driver_list or default_image_driver stops the start, listing built-ins and plug-ins', () => {
    const engine = FakeContainerDriver.simulated();
    assert.throws(() => selectPluginImageDrivers(defaultConf({ DEFAULT: { image_driver_list: ['docker', 'quay'] } }), imagePlugins, engine),
      /\[DEFAULT\] image_driver_list: unknown image driver\(s\) quay; available: glance, docker, local, misnamed, nopull/);
    assert.throws(() => selectPluginImageDrivers(defaultConf({ DEFAULT: { image_driver_list: ['docker', 'local'] } }), PluginRegistry.empty(), engine),
      /unknown image driver\(s\) local; available: glance, docker$/);
    assert.throws(() => selectPluginImageDrivers(defaultConf({ DEFAULT: { default_image_driver: 'quay' } }), imagePlugins, engine), /\[DEFAULT\] default_image_driver: unknown image driver quay/);
  });

  test('a plug-in image driver of the wrong shape is refused with the plug-in\'s name', () => {
    const engine = FakeContainerDriver.simulated();
    assert.throws(() => selectPluginImageDrivers(defaultConf({ DEFAULT: { image_driver_list: ['misnamed'] } }), imagePlugins, engine),
      /image_driver_list = misnamed: plug-in images refused: its name is "other", not misnamed/);
    assert.throws(() => selectPluginImageDrivers(defaultConf({ DEFAULT: { image_driver_list: ['nopull'] } }), imagePlugins, engine),
      /image_driver_list = nopull: plug-in images refused: it has no pull\(ctx, container, registry\) method/);
  });
});
