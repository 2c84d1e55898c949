// The compute host's periodic work at 10, 100 and 500 containers: one sync_container_state cycle
// (ContainerSync.syncAll) and one update_available_resources cycle (ResourceTracker.update), composed as
// apps/compute/src/main.ts does, on the real Docker driver (the test engine) and a real zun-conductor (from source,
// private SQLite, test Redis). Per cycle: CPU of this process (the compute's side), CPU of the conductor, and the
// RPC calls and engine calls it made (counted at the conductor client and the driver).
// Busybox `sleep 3600` containers named and labelled as this host's are made on the engine and removed at the end.
// Run: node --import tsx bench/scale/sync.bench.ts   (needs DOCKER_HOST, ZUN_TEST_REDIS_URL, ZUN_TEST_REGISTRY)
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { Container as Injector } from 'inversify';
import { adminContext, LOGGER, silentLogger } from '@zun-ts/common';
import { CONSOLE_STREAMS, CONTAINER_DRIVER, type ContainerDriver, containerName } from '@zun-ts/compute-driver';
import { DockerConsoleStreams } from '@zun-ts/compute-driver-docker';
import { loadConfig, ZUN_CONF } from '@zun-ts/config';
import { loadPlugins } from '@zun-ts/plugin-host';
import { CONDUCTOR, rpcClient, type RpcTransport } from '@zun-ts/rpc';
import { connectRpc } from '@zun-ts/service';
import { deleteRedisKeys, privateNetworkConf, type ServiceHandle, startService, writeZunConf } from '@zun-ts/testing';
import { bindCompute } from '../../apps/compute/src/compute.bindings';
import { ContainerSync } from '../../apps/compute/src/container-sync';
import { COMPUTE_HOST_LABEL } from '../../apps/compute/src/container-mapping';
import { bindPluginDrivers, selectContainerDriver, selectPluginImageDrivers } from '../../apps/compute/src/driver-selection';
import { ResourceTracker } from '../../apps/compute/src/resource-tracker';
import { CONDUCTOR_API, CONSOLE_CONDUCTOR_API } from '../../apps/compute/src/tokens';
import { benchResults, fmt, median } from '../stats';
import { loadLine, privateDatabase, treeCpuMs, treeRssMiB } from './scale-env';

const env = process.env;
const SIZES = (env.BENCH_SYNC_SIZES ?? '10,100,500').split(',').map(Number);
const CYCLES = Number(env.BENCH_SYNC_CYCLES ?? 5);
const MAKE_IN_PARALLEL = Number(env.BENCH_SYNC_PARALLEL ?? 8);
/**
 * The steady cycles start once the newest container is this old: a status detail of seconds ("Up 5 seconds")
 * changes at every cycle and is saved each time, one of minutes changes once a minute (at the default
 * periodic_interval of 60 s most cycles of a host whose containers are hours old save nothing).
 */
const AGE_S = Number(env.BENCH_SYNC_AGE_SECONDS ?? 65);
const ROOT = resolve(__dirname, '../..');
const REDIS = env.ZUN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6390/0';
const IMAGE = `${env.ZUN_TEST_REGISTRY ?? '127.0.0.1:5050'}/busybox:latest`;
const RUN_LABEL = 'zun-bench-sync';

/** Counts calls by method name on an object (the conductor client, the driver), passing them through. */
function counting<T extends object>(target: T, counts: Map<string, number>, name: (prop: string, args: unknown[]) => string): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const v: unknown = Reflect.get(obj, prop, receiver);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]): unknown => {
        const key = name(prop, args);
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

interface Cycle {
  cpuMs: number;
  conductorCpuMs: number;
  wallMs: number;
  rpc: number;
  engine: number;
  byMethod: string;
}

async function timed(run: () => Promise<void>, conductorPid: number, rpc: Map<string, number>, engine: Map<string, number>): Promise<Cycle> {
  rpc.clear();
  engine.clear();
  const c0 = process.cpuUsage();
  const k0 = treeCpuMs(conductorPid);
  const t0 = performance.now();
  await run();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const byMethod = [...rpc, ...engine].map(([k, v]) => `${k} ${v}`).join(', ');
  return { cpuMs: (c.user + c.system) / 1000, conductorCpuMs: treeCpuMs(conductorPid) - k0, wallMs, rpc: sum(rpc), engine: sum(engine), byMethod };
}

async function main(): Promise<void> {
  const results = benchResults('scale-sync');
  const dir = mkdtempSync(join(tmpdir(), 'zun-bench-sync-'));
  mkdirSync(join(dir, 'volumes'));
  const pdb = await privateDatabase(dir, 'sqlite');
  const host = `bench-sync-${process.pid}`;
  const prefix = `zun-bench-sync-${process.pid}`;
  const docker = new Docker(env.DOCKER_HOST?.startsWith('unix://') ? { socketPath: env.DOCKER_HOST.slice('unix://'.length) } : undefined);
  const runId = randomUUID();
  let conductor: ServiceHandle | null = null;
  let transport: RpcTransport | null = null;
  try {
    if (!env.DOCKER_HOST) throw new Error('DOCKER_HOST is not set (the test engine, e.g. from the test environment)');
    const confText = writeZunConf({
      DEFAULT: { host, state_path: dir, periodic_interval: 60, service_down_time: 3600 },
      database: { connection: pdb.url },
      redis: { url: REDIS, key_prefix: prefix },
      docker: { docker_remote_api_host: env.DOCKER_HOST },
      volume: { mount_prefix: join(dir, 'volumes') },
      network: privateNetworkConf(),
    });
    conductor = await startService('conductor', confText, { main: join(ROOT, 'apps/conductor/src/main.ts'), dir, args: ['--host=bench-sync-conductor'] });
    await pdb.db.services.upsert({ host, binary: 'zun-compute', topic: `zun-compute.${host}`, availability_zone: null });
    const conf = loadConfig(['--config-file', conductor.confFile], { env: {}, warn: () => undefined });
    const logger = silentLogger();
    transport = connectRpc(conf, logger, { binary: 'zun-compute' });
    const rpcCounts = new Map<string, number>();
    const engineCounts = new Map<string, number>();
    const conductorApi = counting(rpcClient(transport, CONDUCTOR), rpcCounts, (prop, args) => `rpc ${prop}${typeof args[0] === 'string' ? `:${args[0]}` : ''}`);
    const plugins = loadPlugins([], { host, logger });
    const driver: ContainerDriver = counting(selectContainerDriver(conf, plugins, logger), engineCounts, (prop) => `engine ${prop}`);
    const injector = new Injector({ defaultScope: 'Singleton' });
    injector.bind(ZUN_CONF).toConstantValue(conf);
    injector.bind(LOGGER).toConstantValue(logger);
    injector.bind(CONTAINER_DRIVER).toConstantValue(driver);
    injector.bind(CONSOLE_STREAMS).toConstantValue(DockerConsoleStreams.fromConfig(conf.docker, logger));
    injector.bind(CONDUCTOR_API).toConstantValue(conductorApi);
    injector.bind(CONSOLE_CONDUCTOR_API).toConstantValue(conductorApi);
    bindPluginDrivers(injector, conf, plugins, selectPluginImageDrivers(conf, plugins, driver));
    bindCompute(injector);
    const sync = injector.get(ContainerSync);
    const tracker = injector.get(ResourceTracker);
    console.log(`compute host ${host} in this process (real Docker driver on ${env.DOCKER_HOST}), zun-conductor pid ${conductor.pid}; ${loadLine()}`);

    const rows: string[][] = [];
    let made = 0;
    for (const size of SIZES) {
      const t0 = performance.now();
      while (made < size) {
        const batch = Array.from({ length: Math.min(MAKE_IN_PARALLEL, size - made) }, () => randomUUID());
        made += batch.length;
        await Promise.all(
          batch.map(async (uuid) => {
            const c = await docker.createContainer({ name: containerName(uuid), Image: IMAGE, Cmd: ['sleep', '3600'], Labels: { [COMPUTE_HOST_LABEL]: host, [RUN_LABEL]: runId }, HostConfig: { NetworkMode: 'none' } });
            await c.start();
            await pdb.db.containers.create({ uuid, status: 'Running', name: `sync-${uuid.slice(0, 8)}`, project_id: 'bench', user_id: 'bench', image: 'busybox', command: ['sleep', '3600'], host, container_id: c.id, cpu: 0.1, memory: '64' });
          }),
        );
      }
      const makeS = (performance.now() - t0) / 1000;
      const first = await timed(() => sync.syncAll(adminContext()), conductor.pid, rpcCounts, engineCounts);
      const wait = t0 + makeS * 1000 + AGE_S * 1000 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await sync.syncAll(adminContext()); // the details of minutes written once
      const steady: Cycle[] = [];
      for (let i = 0; i < CYCLES; i++) steady.push(await timed(() => sync.syncAll(adminContext()), conductor.pid, rpcCounts, engineCounts));
      const res: Cycle[] = [];
      for (let i = 0; i < CYCLES; i++) res.push(await timed(() => tracker.update(adminContext()), conductor.pid, rpcCounts, engineCounts));
      const m = (xs: Cycle[], f: (c: Cycle) => number): number => median(xs.map(f));
      const last = steady[steady.length - 1];
      console.log(
        `${size} containers (made in ${fmt(makeS, 1)} s): sync first cycle ${fmt(first.cpuMs, 1)} ms CPU (conductor ${fmt(first.conductorCpuMs)} ms), ${first.rpc} RPC, ${first.engine} engine calls, ${fmt(first.wallMs)} ms; ` +
          `steady cycle ${fmt(m(steady, (c) => c.cpuMs), 1)} ms CPU (conductor ${fmt(m(steady, (c) => c.conductorCpuMs))} ms), ${m(steady, (c) => c.rpc)} RPC, ${m(steady, (c) => c.engine)} engine calls, ${fmt(m(steady, (c) => c.wallMs))} ms [${last?.byMethod ?? ''}]; ` +
          `resource update ${fmt(m(res, (c) => c.cpuMs), 1)} ms CPU, ${m(res, (c) => c.rpc)} RPC, ${m(res, (c) => c.engine)} engine calls, ${fmt(m(res, (c) => c.wallMs))} ms; conductor RSS ${fmt(treeRssMiB(conductor.pid), 1)} MiB; ${loadLine()}`,
      );
      results.add({ figure: `compute sync cycle, ${size} containers: CPU (compute side)`, ours: m(steady, (c) => c.cpuMs), reference: null, unit: 'ms', ratio: null, target: null, met: null });
      results.add({ figure: `compute sync cycle, ${size} containers: RPC + engine calls`, ours: m(steady, (c) => c.rpc + c.engine), reference: null, unit: 'calls', ratio: null, target: null, met: null });
      results.add({ figure: `compute resource update, ${size} containers: CPU`, ours: m(res, (c) => c.cpuMs), reference: null, unit: 'ms', ratio: null, target: null, met: null });
      rows.push([
        String(size),
        `${fmt(m(steady, (c) => c.cpuMs), 1)} (first ${fmt(first.cpuMs, 1)})`,
        fmt(m(steady, (c) => c.conductorCpuMs)),
        `${m(steady, (c) => c.rpc)} (first ${first.rpc})`,
        String(m(steady, (c) => c.engine)),
        fmt(m(steady, (c) => c.wallMs)),
        fmt(m(res, (c) => c.cpuMs), 1),
        `${m(res, (c) => c.rpc)} / ${m(res, (c) => c.engine)}`,
      ]);
    }
    console.log(`\ncompute periodic tasks, median of ${CYCLES} cycles after a first one; ${loadLine()} (shared machine)`);
    console.log('| containers | sync CPU ms (compute) | sync CPU ms (conductor) | sync RPC calls | sync engine calls | sync wall ms | resource update CPU ms | resource update RPC / engine calls |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    await transport?.close();
    await conductor?.stop();
    const mine = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    for (let i = 0; i < mine.length; i += 16) {
      await Promise.all(mine.slice(i, i + 16).map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    }
    console.log(`removed ${mine.length} engine containers`);
    await pdb.drop();
    await deleteRedisKeys(REDIS, prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
