import 'reflect-metadata';
import cluster from 'node:cluster';
import { dirname } from 'node:path';
import { type Express } from 'express';
import { Container } from 'inversify';
import { type Logger, type SecretBox } from '@zun-ts/common';
import { configFiles, IMAGE_DRIVER_NAMES, type ZunConf } from '@zun-ts/config';
import { loadPlugins, pluginImageDriverNames, type PluginRegistry } from '@zun-ts/plugin-host';
import { openDatabase } from '@zun-ts/db';
import { PolicyEnforcer, resolvePolicyPath } from '@zun-ts/policy';
import { bootstrapService, connectRpc, launchWorkers, onShutdownSignals, runMain } from '@zun-ts/service';
import {
  API_CONTROLLER,
  CLOCK,
  type Clock,
  CONF,
  CONTAINER_BACKEND,
  KEYSTONE_TOKEN_API,
  LOGGER,
  PIPELINE_STAGE,
  PLUGIN_REGISTRY,
  POLICY,
  SECRET_BOX,
  SERVICE_STORE,
  type ServiceStore,
  TOKEN_VALIDATOR,
  type TokenValidator,
} from './api.tokens';
import { KeystoneClient, type KeystoneTokenApi } from './auth/keystone.client';
import { KeystoneTokenValidator } from './auth/keystone-token.validator';
import { AuthTokenFilter } from './filters/authtoken.filter';
import { DashboardApp } from './dashboard/dashboard.app';
import { ContextFilter } from './filters/context.filter';
import { CorsFilter } from './filters/cors.filter';
import { FaultWrapFilter } from './filters/faultwrap.filter';
import { HealthcheckApp, HealthcheckFilter } from './filters/healthcheck.filter';
import { HttpProxyToWsgiFilter } from './filters/http-proxy-to-wsgi.filter';
import { NoAuthFilter } from './filters/noauth.filter';
import { RequestIdFilter } from './filters/request-id.filter';
import { SizeLimitFilter } from './filters/sizelimit.filter';
import { type PasteConfig } from './pipeline/paste-config';
import { loadPasteConfig } from './pipeline/paste-loader';
import { PipelineBuilder } from './pipeline/pipeline.builder';
import { ApiServer } from './server/api.server';
import { ContainerActionRecordsController } from './v1/containers/container-action-records.controller';
import { ContainerActionService } from './v1/containers/container-action.service';
import { ContainerActionsController } from './v1/containers/container-actions.controller';
import { ContainerNetworkService } from './v1/containers/container-network.service';
import { ContainerNetworksController } from './v1/containers/container-networks.controller';
import { type ContainerBackend } from './v1/containers/container-backend';
import { TransportContainerRpc } from './v1/containers/container-rpc.gateway';
import { ContainerService } from './v1/containers/container.service';
import { ContainersController } from './v1/containers/containers.controller';
import { HostService } from './v1/hosts/host.service';
import { DockerApiImageDriver } from './v1/images/docker-image.driver';
import { ImageService } from './v1/images/image.service';
import { ImageValidation } from './v1/images/image-validation';
import { ImagesController } from './v1/images/images.controller';
import { HostsController } from './v1/hosts/hosts.controller';
import { NetworkService } from './v1/networks/network.service';
import { NetworksController } from './v1/networks/networks.controller';
import { AvailabilityZonesController } from './v1/availability-zones.controller';
import { QuotaClassesController } from './v1/quotas/quota-classes.controller';
import { QuotaService } from './v1/quotas/quota.service';
import { QuotasController } from './v1/quotas/quotas.controller';
import { RegistriesController } from './v1/registries/registries.controller';
import { checkRegistryKey, secretBoxFromConf } from './v1/registries/registry-key.check';
import { RegistryService, type SecretBoxProvider } from './v1/registries/registry.service';
import { ServicesController } from './v1/services.controller';
import { V1App } from './v1/v1.app';
import { VersionsController } from './v1/versions.controller';
import { CapsuleService } from './v1/capsules/capsule.service';
import { CapsulesController } from './v1/capsules/capsules.controller';
import { VolumeService } from './v1/volumes/volume.service';
import { VolumesController } from './v1/volumes/volumes.controller';
import { ZunServiceService } from './v1/zun-service.service';
import { allowPluginImageDrivers } from './v1/containers/parameter-types.schema';
import { bindApiImageDrivers } from './v1/images/image-drivers.bindings';

const BINARY = 'zun-api';
/** How long a stopping worker lets requests in flight run. */
const STOP_TIMEOUT_MS = 20_000;

/** Replacements for the parts the API would otherwise build from its configuration (tests). */
export interface ApiOverrides {
  clock?: Clock;
  policy?: PolicyEnforcer;
  tokenValidator?: TokenValidator;
  keystone?: KeystoneTokenApi;
  paste?: PasteConfig;
  /** Instead of loading `[DEFAULT] plugin_paths`. */
  plugins?: PluginRegistry;
}

/** The SecretBox of `[DEFAULT] auth_encryption_key`, made on first use (start-up has checked the key already). */
export function secretBoxOf(conf: ZunConf): SecretBoxProvider {
  let box: SecretBox | null = null;
  return () => (box ??= secretBoxFromConf(conf));
}

/** Directories relative config names are looked up in: those of the config files, last file first. */
function configDirs(conf: ZunConf): string[] {
  return [...new Set([...configFiles(conf)].reverse().map((f) => dirname(f))), '/etc/zun'];
}

export function createPolicyEnforcer(conf: ZunConf, logger: Logger): PolicyEnforcer {
  const dirs = configDirs(conf);
  return new PolicyEnforcer({
    policyFile: resolvePolicyPath(conf.oslo_policy.policy_file, dirs),
    policyDirs: conf.oslo_policy.policy_dirs.map((d) => resolvePolicyPath(d, dirs)),
    logger,
  });
}

/**
 * The API's object graph. The container, host, quota, volume and network routes are installed only with a `backend`
 * (database repositories and RPC clients).
 */
export function createApiContainer(conf: ZunConf, logger: Logger, services: ServiceStore, overrides: ApiOverrides = {}, backend?: ContainerBackend): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  const clock: Clock = overrides.clock ?? Date.now;
  const ks = conf.keystone_authtoken;
  c.bind<ZunConf>(CONF).toConstantValue(conf);
  c.bind<Logger>(LOGGER).toConstantValue(logger);
  c.bind<Clock>(CLOCK).toConstantValue(clock);
  c.bind<ServiceStore>(SERVICE_STORE).toConstantValue(services);
  c.bind<SecretBoxProvider>(SECRET_BOX).toConstantValue(secretBoxOf(conf));
  c.bind<PolicyEnforcer>(POLICY).toDynamicValue(() => overrides.policy ?? createPolicyEnforcer(conf, logger));
  c.bind<KeystoneTokenApi>(KEYSTONE_TOKEN_API).toDynamicValue(
    () =>
      overrides.keystone ??
      new KeystoneClient({
        authUrl: ks.auth_url ?? '',
        username: ks.username ?? '',
        password: ks.password ?? '',
        projectName: ks.project_name ?? '',
        userDomainName: ks.user_domain_name,
        projectDomainName: ks.project_domain_name,
        timeoutMs: ks.http_connect_timeout * 1000,
        logger: logger.child({ component: 'keystone' }),
        now: clock,
      }),
  );
  if (overrides.tokenValidator) c.bind<TokenValidator>(TOKEN_VALIDATOR).toConstantValue(overrides.tokenValidator);
  else c.bind<TokenValidator>(TOKEN_VALIDATOR).to(KeystoneTokenValidator);
  const plugins = overrides.plugins ?? loadPlugins(conf.DEFAULT.plugin_paths, { host: conf.DEFAULT.host, logger });
  c.bind<PluginRegistry>(PLUGIN_REGISTRY).toConstantValue(plugins);
  // Every name of image_driver_list must be a built-in or a plug-in's image driver; requests may then name the
  // plug-ins' ones too (they have no API side: their images are neither validated nor searched here).
  allowPluginImageDrivers(pluginImageDriverNames(plugins, conf.DEFAULT.image_driver_list, conf.DEFAULT.default_image_driver, IMAGE_DRIVER_NAMES));
  for (const stage of [RequestIdFilter, CorsFilter, HealthcheckFilter, HealthcheckApp, HttpProxyToWsgiFilter, FaultWrapFilter, SizeLimitFilter, AuthTokenFilter, NoAuthFilter, ContextFilter, V1App, DashboardApp]) {
    c.bind(PIPELINE_STAGE).to(stage);
  }
  c.bind(ZunServiceService).toSelf();
  c.bind(API_CONTROLLER).to(VersionsController);
  c.bind(API_CONTROLLER).to(ServicesController);
  c.bind(API_CONTROLLER).to(AvailabilityZonesController);
  if (backend) {
    c.bind(QuotaService).toDynamicValue((ctx) => new QuotaService(backend.stores, conf, ctx.get<PolicyEnforcer>(POLICY)));
    // Creates and updates are limited by the database quotas unless the backend brings its own check.
    c.bind<ContainerBackend>(CONTAINER_BACKEND).toDynamicValue((ctx) => (backend.quota ? backend : { ...backend, quota: ctx.get(QuotaService) }));
    c.bind(ContainerService).toSelf();
    c.bind(ContainerActionService).toSelf();
    bindApiImageDrivers(c, conf, [new DockerApiImageDriver(conf, logger.child({ component: 'images' }))]);
    c.bind(HostService).toSelf();
    c.bind(VolumeService).toSelf();
    c.bind(ContainerNetworkService).toSelf();
    c.bind(NetworkService).toSelf();
    c.bind(ImageValidation).toSelf();
    c.bind(ImageService).toSelf();
    c.bind(RegistryService).toSelf();
    c.bind(CapsuleService).toSelf();
    for (const ctl of [
      ContainersController, ContainerActionsController, ContainerNetworksController, ContainerActionRecordsController, HostsController, QuotasController,
      QuotaClassesController, VolumesController, NetworksController, ImagesController, RegistriesController, CapsulesController,
    ]) {
      c.bind(API_CONTROLLER).to(ctl);
    }
  }
  c.bind(PipelineBuilder).toSelf();
  return c;
}

/** The API as an express application (all filters and routes), ready for an HTTP server. */
export function createApiApp(conf: ZunConf, logger: Logger, services: ServiceStore, overrides: ApiOverrides = {}, backend?: ContainerBackend): Express {
  const c = createApiContainer(conf, logger, services, overrides, backend);
  const paste = overrides.paste ?? loadPasteConfig(conf.api.api_paste_config, configDirs(conf), logger);
  return c.get(PipelineBuilder).build(paste, conf.api.auth_strategy);
}

/** One serving process: its own DB connection, the app, SIGTERM → drain → exit 0. */
async function runWorker(conf: ZunConf, logger: Logger): Promise<void> {
  const db = await openDatabase(conf, logger);
  // A request that cannot reach the bus gets its 503 within a second (ADR 0013); the other services wait longer.
  const transport = connectRpc(conf, logger, { binary: BINARY, connectWaitMs: 1000 });
  const backend: ContainerBackend = { stores: db, rpc: new TransportContainerRpc(transport) };
  const server = new ApiServer(createApiApp(conf, logger, db.services, {}, backend), logger);
  await server.listen(conf.api.port, conf.api.host_ip);
  onShutdownSignals(async () => {
    await server.stop(STOP_TIMEOUT_MS);
    await transport.close();
    await db.close();
  }, logger, { timeoutMs: STOP_TIMEOUT_MS + 5_000 });
}

/** The primary checks configuration, database and pipeline once, so a mistake stops start-up instead of every worker. */
async function preflight(conf: ZunConf, logger: Logger): Promise<void> {
  const db = await openDatabase(conf, logger, { poolSize: 1 });
  try {
    createApiApp(conf, logger, db.services);
  } finally {
    await db.close();
  }
}

/** The registry passwords' key: usable, and opening every stored password (else the API does not start). */
async function checkKey(conf: ZunConf, logger: Logger): Promise<void> {
  secretBoxFromConf(conf);
  const db = await openDatabase(conf, logger, { poolSize: 1 });
  try {
    await checkRegistryKey(conf, db.registries);
  } finally {
    await db.close();
  }
}

export async function main(argv: string[]): Promise<void> {
  const { conf, logger } = bootstrapService(BINARY, argv);
  const workers = conf.api.workers;
  if (cluster.isPrimary) {
    logger.info('starting', { binary: BINARY, configFiles: configFiles(conf), workers, port: conf.api.port });
    await checkKey(conf, logger.child({ preflight: true }));
    if (workers > 1) await preflight(conf, logger.child({ preflight: true }));
  }
  launchWorkers(workers, () => runWorker(conf, logger), logger);
}

if (require.main === module) void runMain(BINARY, () => main(process.argv.slice(2)));
