import { type Container as InversifyContainer, type ResolutionContext } from 'inversify';
import { KeyedLock, LOGGER, type SecretBox, secretBoxFromOptions } from '@zun-ts/common';
import { CONSOLE_STREAMS, CONTAINER_DRIVER, type ImageDriver } from '@zun-ts/compute-driver';
import { ZUN_CONF } from '@zun-ts/config';
import { GlanceAccess } from '@zun-ts/glance-client';
import { PERIODIC_TASK, PeriodicTask } from '@zun-ts/service';
import { dockerSocketPath } from '@zun-ts/compute-driver-docker';
import { NETWORK_DRIVER } from '@zun-ts/network-driver';
import { VxlanNetworkDriver } from '@zun-ts/network-driver-vxlan';
import { VOLUME_DRIVER } from '@zun-ts/volume-driver';
import { LocalVolumeDriver } from '@zun-ts/volume-driver-local';
import { COMPUTE_FEATURES, ComputeManager } from './compute.manager';
import { ComputeConsole } from './compute-console.service';
import { ContainerRecords } from './conductor-api';
import { ConsoleGrants } from './console-grants';
import { ConsoleRelay } from './console-relay.server';
import { CapsuleBuilder } from './capsule-builder';
import { ContainerBuilder } from './container-builder';
import { ContainerNetworks, publishIpOf } from './container-networks';
import { ContainerOperations } from './container-operations';
import { ImageOperations } from './image-operations';
import { ContainerRegistries } from './container-registry';
import { ContainerSync } from './container-sync';
import { ContainerVolumes } from './container-volumes';
import { GlanceCommit } from './glance-commit';
import { DockerImageDriver, GlanceImageDriver, ImageDrivers } from './image-drivers';
import { ResourceTracker } from './resource-tracker';
import { CONDUCTOR_API, CONSOLE_CONDUCTOR_API, PLUGIN_IMAGE_DRIVERS } from './tokens';

/** `[DEFAULT] periodic_interval` in ms: the period of the resource update and of the state sync. */
function intervalMs(ctx: ResolutionContext): number {
  return ctx.get(ZUN_CONF).DEFAULT.periodic_interval * 1000;
}

/**
 * Binds the compute host's objects, one of each, on `container`, which must hold ZUN_CONF, LOGGER,
 * CONTAINER_DRIVER, CONSOLE_STREAMS, CONDUCTOR_API and CONSOLE_CONDUCTOR_API. VOLUME_DRIVER is the local driver
 * of `[volume]` and NETWORK_DRIVER the VXLAN driver of `[network]` (on the engine of `[docker]`) unless bound already. The periodic tasks are bound under PERIODIC_TASK (resource update, then
 * state sync).
 */
export function bindCompute(container: InversifyContainer): void {
  if (!container.isBound(VOLUME_DRIVER)) {
    container
      .bind(VOLUME_DRIVER)
      .toDynamicValue((ctx) => {
        const conf = ctx.get(ZUN_CONF);
        return new LocalVolumeDriver({
          mountPrefix: conf.volume.mount_prefix,
          fstype: conf.volume.fstype,
          host: conf.DEFAULT.host,
          logger: ctx.get(LOGGER),
        });
      })
      .inSingletonScope();
  }
  if (!container.isBound(NETWORK_DRIVER)) {
    container
      .bind(NETWORK_DRIVER)
      .toDynamicValue((ctx) => {
        const conf = ctx.get(ZUN_CONF);
        // Without an underlay the host has no peers: its VXLAN devices send from loopback and reach nobody.
        return new VxlanNetworkDriver({
          docker: dockerSocketPath(conf.docker.docker_remote_api_host),
          underlayAddress: conf.network.underlay_ip || '127.0.0.1',
          mtu: conf.network.mtu,
          ...(conf.network.netns ? { netns: conf.network.netns } : {}),
        });
      })
      .inSingletonScope();
  }
  container
    .bind(ContainerRecords)
    .toDynamicValue((ctx) => new ContainerRecords(ctx.get(CONDUCTOR_API), ctx.get(ZUN_CONF).DEFAULT.host, ctx.get(LOGGER)))
    .inSingletonScope();
  container.bind(KeyedLock).toDynamicValue(() => new KeyedLock()).inSingletonScope();
  container
    .bind(ContainerVolumes)
    .toDynamicValue((ctx) => new ContainerVolumes(ctx.get(VOLUME_DRIVER), ctx.get(ContainerRecords), ctx.get(LOGGER).child({ component: 'volumes' })))
    .inSingletonScope();
  container
    .bind(ContainerNetworks)
    .toDynamicValue(
      (ctx) =>
        new ContainerNetworks(ctx.get(NETWORK_DRIVER), ctx.get(ContainerRecords), { publishIp: publishIpOf(ctx.get(ZUN_CONF).network), idleMs: ctx.get(ZUN_CONF).network.idle_network_timeout * 1000 }, ctx.get(LOGGER).child({ component: 'networks' })),
    )
    .inSingletonScope();
  container
    .bind(ResourceTracker)
    .toDynamicValue((ctx) => {
      const conf = ctx.get(ZUN_CONF);
      const { reserve_disk_for_image: reserveDisk, reserved_host_memory_mb: reservedMemory } = conf.compute;
      return new ResourceTracker(ctx.get(CONTAINER_DRIVER), ctx.get(ContainerRecords), reserveDisk, ctx.get(LOGGER), reservedMemory, conf.network.underlay_ip || null);
    })
    .inSingletonScope();
  // Plug-ins' image drivers named in image_driver_list, made and checked in main (selectPluginImageDrivers).
  const withPluginImageDrivers = container.isBound(PLUGIN_IMAGE_DRIVERS);
  const pluginImageDrivers = (ctx: ResolutionContext): readonly ImageDriver[] => (withPluginImageDrivers ? ctx.get(PLUGIN_IMAGE_DRIVERS) : []);
  const glanceEnabled = (ctx: ResolutionContext): boolean => ctx.get(ZUN_CONF).DEFAULT.image_driver_list.includes('glance');
  // Glance, as this host's service user (the compute holds no user token).
  container
    .bind(GlanceAccess)
    .toDynamicValue((ctx) => new GlanceAccess(ctx.get(ZUN_CONF)))
    .inSingletonScope();
  container
    .bind(ImageDrivers)
    .toDynamicValue((ctx) => {
      const conf = ctx.get(ZUN_CONF);
      const driver = ctx.get(CONTAINER_DRIVER);
      const drivers: ImageDriver[] = [new DockerImageDriver(driver), ...pluginImageDrivers(ctx)];
      if (glanceEnabled(ctx)) {
        const glance = ctx.get(GlanceAccess);
        drivers.push(new GlanceImageDriver(driver, (rc) => glance.serviceClient(rc.requestId), ctx.get(LOGGER).child({ component: 'glance' })));
      }
      return new ImageDrivers(drivers, conf.DEFAULT.default_image_driver);
    })
    .inSingletonScope();
  container
    .bind(ContainerBuilder)
    .toDynamicValue((ctx) => {
      const tracker = ctx.get(ResourceTracker);
      const records = ctx.get(ContainerRecords);
      let box: SecretBox | null = null;
      const registries = new ContainerRegistries(records.api, () => (box ??= secretBoxFromOptions(ctx.get(ZUN_CONF).DEFAULT)));
      return new ContainerBuilder(
        ctx.get(CONTAINER_DRIVER), records, ctx.get(ContainerVolumes), ctx.get(ContainerNetworks), ctx.get(LOGGER), () => tracker.diskQuotaSupported(),
        ctx.get(ImageDrivers), registries,
      );
    })
    .inSingletonScope();
  container
    .bind(ContainerOperations)
    .toDynamicValue(
      (ctx) =>
        new ContainerOperations(
          ctx.get(CONTAINER_DRIVER),
          ctx.get(ContainerRecords),
          ctx.get(ContainerBuilder),
          ctx.get(ContainerVolumes),
          ctx.get(ContainerNetworks),
          ctx.get(KeyedLock),
          ctx.get(LOGGER),
        ),
    )
    .inSingletonScope();
  container
    .bind(CapsuleBuilder)
    .toDynamicValue(
      (ctx) =>
        new CapsuleBuilder(ctx.get(CONTAINER_DRIVER), ctx.get(ContainerRecords), ctx.get(ContainerVolumes), ctx.get(ContainerNetworks), ctx.get(KeyedLock),
          ctx.get(LOGGER).child({ component: 'capsules' }), { image_pull_policy: ctx.get(ZUN_CONF).capsule.sandbox_image_pull_policy }),
    )
    .inSingletonScope();
  // An engine container of this host without a record is removed only after two full sync periods:
  // long enough for any create in flight to have saved its record.
  container
    .bind(ContainerSync)
    .toDynamicValue(
      (ctx) =>
        new ContainerSync(ctx.get(CONTAINER_DRIVER), ctx.get(ContainerRecords), ctx.get(ContainerBuilder), ctx.get(ContainerNetworks), ctx.get(KeyedLock), ctx.get(LOGGER), {
          orphanGraceMs: 2 * intervalMs(ctx),
          capsules: ctx.get(CapsuleBuilder),
        }),
    )
    .inSingletonScope();
  container
    .bind(PERIODIC_TASK)
    .toDynamicValue((ctx) => {
      const tracker = ctx.get(ResourceTracker);
      return new PeriodicTask('update_available_resources', intervalMs(ctx), () => tracker.update(), ctx.get(LOGGER));
    })
    .inSingletonScope();
  container
    .bind(PERIODIC_TASK)
    .toDynamicValue((ctx) => {
      const sync = ctx.get(ContainerSync);
      return new PeriodicTask('sync_container_state', intervalMs(ctx), () => sync.syncAll(), ctx.get(LOGGER));
    })
    .inSingletonScope();

  // Attach and interactive exec: this host's relay bridges one engine session per connection from
  // zun-wsproxy, for the token it minted; the engine's API itself stays on the unix socket.
  container
    .bind(ConsoleGrants)
    .toDynamicValue((ctx) => new ConsoleGrants(ctx.get(ZUN_CONF).compute.relay_token_ttl * 1000))
    .inSingletonScope();
  container
    .bind(ConsoleRelay)
    .toDynamicValue((ctx) => {
      const conf = ctx.get(ZUN_CONF);
      return new ConsoleRelay(ctx.get(CONSOLE_STREAMS), ctx.get(ConsoleGrants), {
        host: conf.compute.relay_host,
        port: conf.compute.relay_port,
        publicHost: conf.DEFAULT.host,
        logger: ctx.get(LOGGER).child({ component: 'console-relay' }),
      });
    })
    .inSingletonScope();
  container
    .bind(ComputeConsole)
    .toDynamicValue((ctx) => new ComputeConsole(ctx.get(ConsoleGrants), ctx.get(ConsoleRelay), ctx.get(CONSOLE_CONDUCTOR_API)))
    .inSingletonScope();
  container
    .bind(ImageOperations)
    .toDynamicValue((ctx) => new ImageOperations(ctx.get(CONTAINER_DRIVER), ctx.get(CONDUCTOR_API), ctx.get(LOGGER).child({ component: 'images' })))
    .inSingletonScope();
  // zun commit uploads to Glance when the glance image driver is enabled (absent from ComputeFeatures otherwise).
  if (container.get(ZUN_CONF).DEFAULT.image_driver_list.includes('glance')) {
    container
      .bind(GlanceCommit)
      .toDynamicValue((ctx) => {
        const glance = ctx.get(GlanceAccess);
        return new GlanceCommit(ctx.get(CONTAINER_DRIVER), ctx.get(ContainerRecords), ctx.get(ContainerOperations), (rc) => glance.serviceClient(rc.requestId), ctx.get(LOGGER));
      })
      .inSingletonScope();
  }
  container
    .bind(COMPUTE_FEATURES)
    .toDynamicValue((ctx) => ({
      console: ctx.get(ComputeConsole),
      images: ctx.get(ImageOperations),
      glanceCommit: ctx.get(GlanceCommit, { optional: true }),
      capsules: ctx.get(CapsuleBuilder),
    }))
    .inSingletonScope();
  container.bind(ComputeManager).toSelf().inSingletonScope();
}
