// Scheduler decisions per second over 10, 100 and 1,000 hosts with 3 zun-scheduler processes (from source) on a
// private database and the test Redis, and the overcommit count. This process plays the conductors, as
// BuildContainerTask does: it asks through the conductor's SelectBatcher (the requests of one turn in one
// selectDestinationsMany message), then claims the returned hosts in order with the conductor's atomic claim
// (ComputeNodeRepository.claimForContainer) until one takes it, asking again without them when all were full
// (selectAndClaim, the conductor's re-select loop).
// Run: node --import tsx bench/scale/scheduler.bench.ts   (BENCH_DB=mysql by default when ZUN_TEST_MYSQL_URL is set)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { newRequestId, NoValidHost, type RequestContext, silentLogger } from '@zun-ts/common';
import { type Database } from '@zun-ts/db';
import { rpcClient, RpcTransport, SCHEDULER, type SelectDestinationsRequest } from '@zun-ts/rpc';
import { deleteRedisKeys, type ServiceHandle, startService, waitFor, writeZunConf } from '@zun-ts/testing';
import { benchResults, fmt, median, percentile, settle } from '../stats';
import { loadConfig } from '@zun-ts/config';
import { SelectBatcher } from '../../apps/conductor/src/select-batcher';
import { selectAndClaim } from '../../apps/conductor/src/tasks/claim-loop';
import { type SchedulerManager } from '../../apps/scheduler/src/scheduler.manager';
import { inProcessScheduler } from './in-process-scheduler';
import { loadLine, privateDatabase, treeCpuMs, treeRssMiB } from './scale-env';

const env = process.env;
const HOSTS = (env.BENCH_SCHED_HOSTS ?? '10,100,1000').split(',').map(Number);
const REPLICAS = Number(env.BENCH_SCHED_REPLICAS ?? 3);
/** Containers placed per host count; the hosts hold 3/4 of them, so the last quarter finds every host full. */
const DECISIONS = Number(env.BENCH_SCHED_DECISIONS ?? 2000);
const IN_FLIGHT = Number(env.BENCH_SCHED_IN_FLIGHT ?? 48);
const MAX_MS = Number(env.BENCH_SCHED_MAX_SECONDS ?? 60) * 1000;
const MEMORY = 64; // MiB per container
const CPU = 0.1;
const TARGET = { decisionsPerSecond: 2000, atHosts: 1000 };
/** Up to how long each round waits for the load of its set-up (seeding hosts and containers) to fall. */
const SETTLE_SECONDS = Number(env.BENCH_SCHED_SETTLE_SECONDS ?? 20);
const ROOT = resolve(__dirname, '../..');
const REDIS = env.ZUN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6390/0';

interface Round {
  hosts: number;
  /** selectDestinations alone (no claims, nothing changes between calls): the schedulers' own rate. */
  selectOnlyPerSecond: number;
  selectOnlyCpu: number;
  /** The same decisions in this process, without the bus (SchedulerManager on the same database). */
  inProcessPerSecond: number;
  inProcessCpu: number;
  /** Containers whose placement ended (placed, or no host). */
  decided: number;
  /** Scheduler answers they took (more than one when every host offered was full by the claim). */
  selects: number;
  /** Requests per message the SelectBatcher sent (phase 2). */
  perMessage: number;
  /** This process's CPU (the conductors' side: batching, RPC, claims) per decision, ms. */
  conductorCpu: number;
  placed: number;
  noHost: number;
  claimsRefused: number;
  decisionsPerSecond: number;
  placementsPerSecond: number;
  /** Time from asking to a claimed host (or no host), re-selects included. */
  selectP50: number;
  selectP90: number;
  schedulerCpuPerDecision: number;
  overcommitted: number;
  countersOff: number;
  schedulerRss: number[];
}

async function seedHosts(db: Database, prefix: string, count: number, slots: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(
      names.slice(i, i + 20).map(async (h) => {
        await db.services.upsert({ host: h, binary: 'zun-compute', topic: 'zun-compute', availability_zone: null });
        await db.computeNodes.upsertFromTracker(h, { mem_total: slots * MEMORY, cpus: 64, disk_total: 100, runtimes: ['runc'] });
      }),
    );
  }
  return names;
}

async function createContainers(db: Database, count: number): Promise<string[]> {
  const uuids = Array.from({ length: count }, () => randomUUID());
  for (let i = 0; i < uuids.length; i += 32) {
    await Promise.all(
      uuids.slice(i, i + 32).map((uuid, j) =>
        db.containers.create({ uuid, status: 'Creating', name: `sched-${i + j}`, project_id: 'bench', user_id: 'bench', image: 'busybox', cpu: CPU, memory: String(MEMORY) }),
      ),
    );
  }
  return uuids;
}

async function round(db: Database, transport: RpcTransport, schedulers: ServiceHandle[], local: SchedulerManager, hosts: number): Promise<Round> {
  const slots = Math.max(1, Math.floor((DECISIONS * 0.75) / hosts));
  const names = await seedHosts(db, `sched-h${hosts}`, hosts, slots);
  const uuids = await createContainers(db, DECISIONS);
  // As the conductor: the scheduler client batches the calls of one turn.
  const scheduler = new SelectBatcher(rpcClient(transport, SCHEDULER), silentLogger());
  const ctx: RequestContext = { requestId: newRequestId(), userId: 'bench', projectId: 'bench', roles: ['member'], isAdmin: false };
  // Warm the schedulers (first database reads, JIT) on requests that ask for nothing.
  for (let i = 0; i < 3 * REPLICAS; i++) {
    await scheduler.call('selectDestinations', ctx, { container_uuid: randomUUID(), cpu: null, memory: null, disk: null, runtime: null, cpu_policy: null, hints: {}, availability_zone: null, requested_host: null, ignore_hosts: [], volume_hosts: [] });
  }
  const request = (uuid: string, ignore: readonly string[] = []): SelectDestinationsRequest => ({
    container_uuid: uuid, cpu: CPU, memory: MEMORY, disk: null, runtime: null, cpu_policy: null, hints: {},
    availability_zone: null, requested_host: null, ignore_hosts: [...ignore], volume_hosts: [],
  });
  await settle(SETTLE_SECONDS);
  // Phase 1: decisions only.
  let k = 0;
  const onlyCpu0 = schedulers.reduce((s, p) => s + treeCpuMs(p.pid), 0);
  const onlyStart = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (k < DECISIONS && performance.now() < onlyStart + MAX_MS) {
        k++;
        await scheduler.call('selectDestinations', ctx, request(randomUUID()));
      }
    }),
  );
  const selectOnlyPerSecond = k / ((performance.now() - onlyStart) / 1000);
  const selectOnlyCpu = (schedulers.reduce((s, p) => s + treeCpuMs(p.pid), 0) - onlyCpu0) / k;
  // Phase 1b: the same without the bus, in this process.
  let l = 0;
  const localCpu0 = process.cpuUsage();
  const localStart = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (l < DECISIONS && performance.now() < localStart + MAX_MS) {
        l++;
        await local.selectDestinations(ctx, request(randomUUID()));
      }
    }),
  );
  const inProcessPerSecond = l / ((performance.now() - localStart) / 1000);
  const localCpu = process.cpuUsage(localCpu0);
  const inProcessCpu = (localCpu.user + localCpu.system) / 1000 / l;
  // Phase 2: each container placed as the conductor places it: decisions, claims, re-selects.
  const placedOn = new Map<string, number>();
  const selectMs: number[] = [];
  let decided = 0;
  let selects = 0;
  let placed = 0;
  let noHost = 0;
  let claimsRefused = 0;
  let next = 0;
  const cpu0 = schedulers.reduce((s, p) => s + treeCpuMs(p.pid), 0);
  const sent0 = { ...scheduler.sent };
  const ownCpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + MAX_MS;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < uuids.length && performance.now() < deadline) {
        const uuid = uuids[next++] as string;
        const t = performance.now();
        const placement = await selectAndClaim(
          async (refused) => {
            try {
              return (await scheduler.call('selectDestinations', ctx, request(uuid, refused))).hosts;
            } catch (err) {
              if (err instanceof NoValidHost) return null;
              throw err;
            }
          },
          async (host) => {
            const outcome = await db.computeNodes.claimForContainer(uuid, host, { cpu: CPU, memory: MEMORY, disk: 0 }, { cpuRatio: 16, ramRatio: 1.0, diskRatio: null });
            if (outcome.claimed) return { placed: host };
            claimsRefused++;
            return 'refused';
          },
        );
        selectMs.push(performance.now() - t);
        decided++;
        selects += placement.selects;
        const got = typeof placement.outcome === 'object' ? placement.outcome.placed : null;
        if (got) {
          placed++;
          placedOn.set(got, (placedOn.get(got) ?? 0) + 1);
        } else noHost++;
      }
    }),
  );
  const wall = performance.now() - start;
  const cpu = schedulers.reduce((s, p) => s + treeCpuMs(p.pid), 0) - cpu0;
  const ownCpu = process.cpuUsage(ownCpu0);
  const perMessage = (scheduler.sent.requests - sent0.requests) / (scheduler.sent.messages - sent0.messages);
  const schedulerRss = schedulers.map((p) => treeRssMiB(p.pid));
  // Overcommit: a host whose claimed memory is above its total (ram_allocation_ratio 1.0), by its own counters and
  // by the claims this run saw succeed.
  const nodes = (await db.computeNodes.list({ limit: null })).filter((n) => names.includes(n.hostname));
  let overcommitted = 0;
  let countersOff = 0;
  for (const n of nodes) {
    const mine = (placedOn.get(n.hostname) ?? 0) * MEMORY;
    if (n.mem_used > n.mem_total || mine > n.mem_total) overcommitted++;
    if (n.mem_used !== mine) countersOff++;
  }
  // The next round sees only its own hosts.
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(names.slice(i, i + 20).map(async (h) => {
      await db.services.delete(h, 'zun-compute');
      await db.computeNodes.delete(h);
    }));
  }
  return {
    hosts,
    selectOnlyPerSecond,
    selectOnlyCpu,
    inProcessPerSecond,
    inProcessCpu,
    decided,
    selects,
    perMessage,
    conductorCpu: (ownCpu.user + ownCpu.system) / 1000 / decided,
    placed,
    noHost,
    claimsRefused,
    decisionsPerSecond: decided / (wall / 1000),
    placementsPerSecond: placed / (wall / 1000),
    selectP50: median(selectMs),
    selectP90: percentile(selectMs, 90),
    schedulerCpuPerDecision: cpu / decided,
    overcommitted,
    countersOff,
    schedulerRss,
  };
}

async function main(): Promise<void> {
  const results = benchResults('scale-scheduler');
  const dir = mkdtempSync(join(tmpdir(), 'zun-bench-sched-'));
  const pdb = await privateDatabase(dir, env.BENCH_DB ?? (env.ZUN_TEST_MYSQL_URL ? 'mysql' : 'sqlite'));
  const prefix = `zun-bench-sched-${process.pid}`;
  const schedulers: ServiceHandle[] = [];
  let transport: RpcTransport | null = null;
  try {
    const conf = writeZunConf({
      DEFAULT: { state_path: dir, service_down_time: 3600, report_interval: 10 },
      database: { connection: pdb.url },
      redis: { url: REDIS, key_prefix: prefix },
      scheduler: { ram_allocation_ratio: 1.0 },
    });
    const nodeArgs = (env.BENCH_SCHED_NODE_ARGS ?? '').split(' ').filter(Boolean);
    for (let i = 0; i < REPLICAS; i++) {
      schedulers.push(await startService('scheduler', conf, { name: `scheduler-${i}`, main: join(ROOT, 'apps/scheduler/src/main.ts'), args: [`--host=bench-sched-${i}`], dir, nodeArgs }));
    }
    await waitFor(async () => (await pdb.db.services.list()).filter((s) => s.binary === 'zun-scheduler').length === REPLICAS, { timeoutMs: 60_000, what: 'every scheduler registered' });
    const idleRss = schedulers.map((p) => treeRssMiB(p.pid));
    transport = RpcTransport.connect({ redisUrl: REDIS, prefix, callTimeoutMs: 60_000 });
    console.log(`${REPLICAS} zun-scheduler processes (${pdb.kind}), idle RSS ${idleRss.map((r) => fmt(r, 1)).join(', ')} MiB; ${DECISIONS} containers per round, ${IN_FLIGHT} in flight; ${loadLine()}`);
    const rounds: Round[] = [];
    const local = inProcessScheduler(loadConfig(['--config-file', schedulers[0]?.confFile ?? ''], { env: {}, warn: () => undefined }), pdb.db);
    for (const hosts of HOSTS) {
      const r = await round(pdb.db, transport, schedulers, local, hosts);
      rounds.push(r);
      console.log(
        `${hosts} hosts: decisions alone ${fmt(r.selectOnlyPerSecond)} /s (scheduler CPU ${fmt(r.selectOnlyCpu, 2)} ms each), without the bus in one process ${fmt(r.inProcessPerSecond)} /s (CPU ${fmt(r.inProcessCpu, 2)} ms each); with claims: ${r.decided} decisions (${r.selects} scheduler answers), ${fmt(r.decisionsPerSecond)} /s (${fmt(r.perMessage, 1)} requests per message; select and claim p50 ${fmt(r.selectP50, 1)} ms, p90 ${fmt(r.selectP90, 1)}), placements ${fmt(r.placementsPerSecond)} /s; ` +
          `placed ${r.placed}, no host ${r.noHost}, claims refused ${r.claimsRefused}; scheduler CPU ${fmt(r.schedulerCpuPerDecision, 2)} ms/decision, conductors' ${fmt(r.conductorCpu, 2)}; overcommitted hosts ${r.overcommitted}, counters off ${r.countersOff}; RSS ${r.schedulerRss.map((x) => fmt(x, 1)).join(', ')} MiB; ${loadLine()}`,
      );
      const target = hosts === TARGET.atHosts;
      results.add({ figure: `scheduler decisions alone, ${hosts} hosts, ${REPLICAS} replicas (reference: one process, no bus)`, ours: r.selectOnlyPerSecond, reference: r.inProcessPerSecond, unit: '/s', ratio: r.selectOnlyPerSecond / r.inProcessPerSecond, target: null, met: null });
      results.add({ figure: `scheduler decisions + claims, ${hosts} hosts, ${REPLICAS} replicas`, ours: r.decisionsPerSecond, reference: null, unit: '/s', ratio: null, target: target ? `≥ ${TARGET.decisionsPerSecond}` : null, met: target ? r.decisionsPerSecond >= TARGET.decisionsPerSecond : null });
      results.add({ figure: `scheduler CPU per decision, ${hosts} hosts`, ours: r.schedulerCpuPerDecision, reference: null, unit: 'ms', ratio: null, target: null, met: null });
      results.add({ figure: `overcommitted hosts, ${hosts} hosts`, ours: r.overcommitted, reference: null, unit: 'hosts', ratio: null, target: '0', met: r.overcommitted === 0 && r.countersOff === 0 });
    }
    console.log(`\nzun-scheduler × ${REPLICAS}, ${pdb.kind}, ${IN_FLIGHT} placements in flight through the conductor's SelectBatcher, each decision followed by the conductor's claims (and re-selects); ${loadLine()} (shared machine)`);
    console.log('| hosts | decisions alone /s | scheduler CPU ms/decision alone | one process, no bus /s | its CPU ms/decision | decisions with claims /s | scheduler answers | placements /s | select+claim p50/p90 ms | scheduler CPU ms/decision | placed | no host | claims refused | overcommitted hosts | scheduler RSS MiB |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rounds) {
      console.log(`| ${r.hosts} | ${fmt(r.selectOnlyPerSecond)} | ${fmt(r.selectOnlyCpu, 2)} | ${fmt(r.inProcessPerSecond)} | ${fmt(r.inProcessCpu, 2)} | ${fmt(r.decisionsPerSecond)} | ${r.selects} | ${fmt(r.placementsPerSecond)} | ${fmt(r.selectP50, 1)} / ${fmt(r.selectP90, 1)} | ${fmt(r.schedulerCpuPerDecision, 2)} | ${r.placed} | ${r.noHost} | ${r.claimsRefused} | ${r.overcommitted} | ${r.schedulerRss.map((x) => fmt(x, 0)).join(', ')} |`);
    }
    console.log(`idle scheduler RSS ${idleRss.map((x) => fmt(x, 1)).join(', ')} MiB`);
    if (rounds.some((r) => r.overcommitted || r.countersOff)) process.exitCode = 1;
  } finally {
    await transport?.close();
    await Promise.all(schedulers.map((p) => p.stop()));
    await pdb.drop();
    await deleteRedisKeys(REDIS, prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
