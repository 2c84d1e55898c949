// Container lifecycle benchmark against a running all-in-one stack, beside raw Docker measured in the same run:
// run → Running (sequential), 50 concurrent runs, and GET /v1/containers with 100 and 1000 rows.
// Run: node --import tsx bench/lifecycle/lifecycle.bench.ts [--state .stack]
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import Docker from 'dockerode';
import { type ZunConf } from '@zun-ts/config';
import { Database } from '@zun-ts/db';
import {
  agent,
  busyboxImage,
  deleteAndWait,
  type Identity,
  openStack,
  type QuotaLimits,
  type RunBody,
  type RunningSample,
  runToRunning,
  stateArg,
  type ZunApi,
} from '../stack-client';
import { benchResults, fmt, median, percentile } from '../stats';

const env = process.env;
const SEQ_RUNS = Number(env.BENCH_SEQ_RUNS ?? 20);
const WARMUP_RUNS = Number(env.BENCH_WARMUP_RUNS ?? 2);
const CONCURRENT_RUNS = Number(env.BENCH_CONCURRENT_RUNS ?? 50);
const LIST_REQUESTS = Number(env.BENCH_LIST_REQUESTS ?? 2000);
const LIST_SEQUENTIAL = Number(env.BENCH_LIST_SEQUENTIAL ?? 300);
const LIST_CONCURRENCY = Number(env.BENCH_LIST_CONCURRENCY ?? 16);
/** List requests at c=LIST_CONCURRENCY before the list measurements: zun-api's workers keep decoded rows and rendered views (ADR 0024). */
const LIST_WARMUP = Number(env.BENCH_LIST_WARMUP ?? 2000);
/** Each list measurement also stops after this long, so a slow list cannot keep the benchmark going for hours. */
const LIST_MAX_MS = Number(env.BENCH_LIST_MAX_SECONDS ?? 30) * 1000;
const LIST_SIZES = [100, 1000];
/** Which parts to run (comma list of seq, concurrent, list); all by default. */
const PHASES = new Set((env.BENCH_PHASES ?? 'seq,concurrent,list').split(',').map((p) => p.trim()));
const POLL_MS = 20;
/** Bound on one container reaching Running (or one delete finishing). */
const RUNNING_TIMEOUT_MS = 60_000;
const CONCURRENT_TIMEOUT_MS = 180_000;
const COMMAND = ['sleep', '3600'];
// The host has few cores; with Zun's default of 1 cpu per container the CPUFilter (2 cores × 16) would refuse
// part of the 50 concurrent runs. Small explicit sizes keep every run schedulable and cost Docker nothing extra.
const CPU = Number(env.BENCH_CPU ?? 0.1);
const MEMORY_MIB = Number(env.BENCH_MEMORY ?? 64);
const FAKE_HOST = 'bench-fake-host';

const TARGETS = { runRatio: 1.15, concurrentRatio: 1.2, list100MedianMs: 6, listRps: 1500 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ the benchmark

interface Ctx {
  conf: ZunConf;
  state: string;
  api: ZunApi;
  demo: Identity;
  admin: Identity;
  docker: Docker;
  image: string;
  runId: string;
  /** Containers made through the API, removed at the end whatever happens. */
  zunMade: Set<string>;
  /** Rows inserted straight into the database. */
  rowsMade: string[];
  db: Database | null;
  /** Puts the demo project's quota back as it was (set while the limits are raised). */
  restoreQuota: (() => Promise<void>) | null;
}

function runBody(name: string): RunBody {
  return { name, image: 'busybox', command: COMMAND, cpu: CPU, memory: String(MEMORY_MIB) };
}

/** POST run=true, then GET every 20 ms until Running; ms from the POST to the GET that saw Running. */
function zunRunToRunning(c: Ctx, name: string): Promise<RunningSample> {
  return runToRunning(c.api, c.demo, runBody(name), { pollMs: POLL_MS, timeoutMs: RUNNING_TIMEOUT_MS, accepted: (uuid) => c.zunMade.add(uuid) });
}

/** Force-deletes through the API as admin and waits until the rows are gone. */
async function zunDelete(c: Ctx, uuids: string[]): Promise<void> {
  const left = await deleteAndWait(c.api, c.admin, c.demo, uuids, CONCURRENT_TIMEOUT_MS);
  for (const u of uuids) if (!left.includes(u)) c.zunMade.delete(u);
  if (left.length) throw new Error(`${left.length} containers still listed after delete: ${left.slice(0, 3).join(', ')}`);
}

/** A user-defined bridge network as each project network is one (MTU 1450), for the second raw reference. */
function benchNetworkName(c: Ctx): string {
  return `zun-bench-${c.runId}`;
}

async function rawCreateStart(c: Ctx, name: string, network: string | null = null): Promise<{ ms: number; container: Docker.Container }> {
  const t0 = performance.now();
  const container = await c.docker.createContainer({ name, Image: c.image, Cmd: COMMAND, Labels: { 'zun-bench': c.runId }, ...(network ? { HostConfig: { NetworkMode: network } } : {}) });
  await container.start();
  return { ms: performance.now() - t0, container };
}

/**
 * One at a time: Docker 20.10 before 20.10.27 can deadlock its network controller when endpoints of one
 * user-defined network are released together (moby/moby#46661), and 50 force-removes at once did hang it.
 * zun-compute serializes these per network for the same reason (ADR 0027); removal is not timed here.
 */
async function rawRemoveAll(c: Ctx): Promise<void> {
  const mine = await c.docker.listContainers({ all: true, filters: { label: [`zun-bench=${c.runId}`] } });
  for (const x of mine) await c.docker.getContainer(x.Id).remove({ force: true }).catch(() => undefined);
}

interface RunFigures {
  zun: number[];
  raw: number[];
  /** create+start on a user-defined bridge network (the engine's own cost of a container on a network of its own). */
  rawNet: number[];
  /**
   * create+start joining the network namespace of a sandbox started beforehand on the user-defined bridge: what a
   * run would cost the engine if each project network kept containers' network plumbing ready (not built).
   */
  rawSandbox: number[];
  rawPull: number[];
  samples: { requestId: string; uuid: string; sentAt: number; runningAt: number }[];
}

async function sequentialRuns(c: Ctx): Promise<RunFigures> {
  const out: RunFigures = { zun: [], raw: [], rawNet: [], rawSandbox: [], rawPull: [], samples: [] };
  const sandbox = await rawCreateStart(c, `bench-sandbox-${c.runId}`, benchNetworkName(c));
  const one = async (i: number, warm: boolean): Promise<void> => {
    const zunStep = async (): Promise<void> => {
      const r = await zunRunToRunning(c, `bench-${c.runId}-seq-${i}`);
      if (!warm) {
        out.zun.push(r.ms);
        out.samples.push(r);
      }
      await zunDelete(c, [r.uuid]);
    };
    const rawStep = async (): Promise<void> => {
      const r = await rawCreateStart(c, `bench-raw-${c.runId}-seq-${i}`);
      if (!warm) out.raw.push(r.ms);
      await r.container.remove({ force: true });
      const n = await rawCreateStart(c, `bench-rawnet-${c.runId}-seq-${i}`, benchNetworkName(c));
      if (!warm) out.rawNet.push(n.ms);
      await n.container.remove({ force: true });
      const j = await rawCreateStart(c, `bench-rawjoin-${c.runId}-seq-${i}`, `container:${sandbox.container.id}`);
      if (!warm) out.rawSandbox.push(j.ms);
      await j.container.remove({ force: true });
    };
    // Alternate which side goes first so neither always runs on a host just busied by the other.
    if (i % 2 === 0) {
      await zunStep();
      await rawStep();
    } else {
      await rawStep();
      await zunStep();
    }
    // Policy "always" (the default for `latest`) re-checks the image on every create: zun-ts with one manifest HEAD
    // ('image up to date'), Docker's own way is this pull; time it alone for the breakdown.
    const p0 = performance.now();
    await pullImage(c);
    if (!warm) out.rawPull.push(performance.now() - p0);
  };
  for (let i = 0; i < WARMUP_RUNS; i++) await one(-1 - i, true);
  for (let i = 0; i < SEQ_RUNS; i++) await one(i, false);
  await sandbox.container.remove({ force: true });
  return out;
}

async function pullImage(c: Ctx): Promise<void> {
  const [repo, tag] = splitRef(c.image);
  const stream = await c.docker.createImage({ fromImage: repo, tag });
  await new Promise<void>((res, rej) => c.docker.modem.followProgress(stream, (err: Error | null) => (err ? rej(err) : res())));
}

function splitRef(ref: string): [string, string] {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
}

interface ConcurrentFigures {
  zunWallMs: number;
  zunAccepted: number;
  rawWallMs: number;
  /** All started, on a user-defined bridge network. */
  rawNetWallMs: number;
  zunPerContainer: number[];
  rawPerContainer: number[];
}

async function concurrentRuns(c: Ctx): Promise<ConcurrentFigures> {
  // zun-ts: every POST in flight at once, then one list request every 20 ms until all are Running.
  const t0 = performance.now();
  // Settled, not all: a refused POST must not leave the others' containers unknown to the cleanup.
  const outcomes = await Promise.allSettled(
    Array.from({ length: CONCURRENT_RUNS }, async (_, i) => {
      const r = await c.api.run(c.demo, runBody(`bench-${c.runId}-par-${i}`));
      c.zunMade.add(r.uuid);
      return r.uuid;
    }),
  );
  const acceptedMs = performance.now() - t0;
  const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (refused) throw refused.reason;
  const posted = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : ''));
  const runningAt = new Map<string, number>();
  const deadline = t0 + CONCURRENT_TIMEOUT_MS;
  while (runningAt.size < posted.length) {
    const polled = performance.now();
    const rows = new Map((await c.api.list(c.demo)).map((x) => [x.uuid, x]));
    for (const u of posted) {
      const row = rows.get(u);
      if (row?.status === 'Running' && !runningAt.has(u)) runningAt.set(u, performance.now() - t0);
      if (!row || row.status === 'Error') throw new Error(`concurrent run: container ${u} ${row ? `in Error: ${row.status_reason ?? ''}` : 'vanished'}`);
    }
    if (performance.now() > deadline) throw new Error(`concurrent run: only ${runningAt.size}/${posted.length} Running after ${CONCURRENT_TIMEOUT_MS} ms`);
    if (runningAt.size < posted.length) await sleep(Math.max(0, POLL_MS - (performance.now() - polled)));
  }
  const zunWallMs = Math.max(...runningAt.values());
  await zunDelete(c, posted);
  await sleep(2000); // let the engine finish tearing down network namespaces before the raw round

  const r0 = performance.now();
  const rawPer = await Promise.all(
    Array.from({ length: CONCURRENT_RUNS }, async (_, i) => {
      await rawCreateStart(c, `bench-raw-${c.runId}-par-${i}`);
      return performance.now() - r0;
    }),
  );
  const rawWallMs = performance.now() - r0;
  await rawRemoveAll(c);
  await sleep(2000);
  const n0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT_RUNS }, (_, i) => rawCreateStart(c, `bench-rawnet-${c.runId}-par-${i}`, benchNetworkName(c))));
  const rawNetWallMs = performance.now() - n0;
  await rawRemoveAll(c);
  return { zunWallMs, zunAccepted: acceptedMs, rawWallMs, rawNetWallMs, zunPerContainer: [...runningAt.values()], rawPerContainer: rawPer };
}

/**
 * The default quota (40 containers, 20 cpus) would refuse part of 50 concurrent runs: raise the demo project's
 * limits by what the runs need, and remember how to put them back (an override equal to the defaults is removed).
 */
async function raiseQuota(c: Ctx): Promise<void> {
  const [limits, defaults] = await Promise.all([c.api.quota(c.admin, c.demo.projectId), c.api.quota(c.admin, c.demo.projectId, true)]);
  const plus = (v: number, n: number): number => (v < 0 ? v : v + n);
  const raised: QuotaLimits = {
    containers: plus(limits.containers, CONCURRENT_RUNS + 5),
    cpu: plus(limits.cpu, Math.ceil(CONCURRENT_RUNS * CPU) + 1),
    memory: plus(limits.memory, CONCURRENT_RUNS * MEMORY_MIB),
    disk: limits.disk,
  };
  const wasDefault = (['containers', 'memory', 'cpu', 'disk'] as const).every((k) => limits[k] === defaults[k]);
  c.restoreQuota = () => c.api.setQuota(c.admin, c.demo.projectId, wasDefault ? null : limits);
  await c.api.setQuota(c.admin, c.demo.projectId, raised);
  console.log(`\n(demo project quota raised for the concurrent runs: containers ${limits.containers} → ${raised.containers}, cpu ${limits.cpu} → ${raised.cpu}; restored afterwards)`);
}

interface ListFigures {
  rows: number;
  inserted: number;
  bytes: number;
  seqCount: number;
  concCount: number;
  seqMedian: number;
  seqP90: number;
  concMedian: number;
  concP90: number;
  rps: number;
}

async function listBench(c: Ctx, db: Database): Promise<ListFigures[]> {
  const out: ListFigures[] = [];
  for (const size of LIST_SIZES) {
    const present = (await c.api.list(c.demo)).length;
    const missing = Math.max(0, size - present);
    for (let i = 0; i < missing; i++) {
      const uuid = randomUUID();
      await db.containers.create({
        uuid,
        status: 'Stopped',
        // Not the `bench-<run>-` prefix of API-made containers, which the cleanup sweeps through the API.
        name: `bench-rows-${c.runId}-${c.rowsMade.length}`,
        project_id: c.demo.projectId,
        user_id: c.demo.userId,
        image: 'busybox',
        image_driver: 'docker',
        command: COMMAND,
        cpu: CPU,
        memory: String(MEMORY_MIB),
        host: FAKE_HOST,
      });
      c.rowsMade.push(uuid);
    }
    const rows = (await c.api.list(c.demo)).length;
    if (rows < size) throw new Error(`list shows ${rows} containers after inserting up to ${size}`);
    // warm-up: every worker has decoded the rows and rendered their views, as a serving zun-api has
    let warmed = 0;
    const warmDeadline = performance.now() + LIST_MAX_MS;
    await Promise.all(
      Array.from({ length: LIST_CONCURRENCY }, async () => {
        while (warmed++ < LIST_WARMUP && performance.now() < warmDeadline) await c.api.listRaw(c.demo);
      }),
    );
    const seq: number[] = [];
    let bytes = 0;
    const seqDeadline = performance.now() + LIST_MAX_MS;
    for (let i = 0; i < LIST_SEQUENTIAL && performance.now() < seqDeadline; i++) {
      const t = performance.now();
      bytes = await c.api.listRaw(c.demo);
      seq.push(performance.now() - t);
    }
    const conc: number[] = [];
    let next = 0;
    const start = performance.now();
    const concDeadline = start + LIST_MAX_MS;
    await Promise.all(
      Array.from({ length: LIST_CONCURRENCY }, async () => {
        while (next++ < LIST_REQUESTS && performance.now() < concDeadline) {
          const t = performance.now();
          await c.api.listRaw(c.demo);
          conc.push(performance.now() - t);
        }
      }),
    );
    const wall = performance.now() - start;
    out.push({
      rows,
      inserted: c.rowsMade.length,
      bytes,
      seqCount: seq.length,
      concCount: conc.length,
      seqMedian: median(seq),
      seqP90: percentile(seq, 90),
      concMedian: median(conc),
      concP90: percentile(conc, 90),
      rps: conc.length / (wall / 1000),
    });
  }
  return out;
}

// ------------------------------------------------------------------ where the time goes (service logs)

interface LogLine {
  time: number;
  /** The service whose log file held the line (a line's own `name` may be a container's name). */
  svc: string;
  msg?: string;
  requestId?: string;
  component?: string;
  ms?: number;
}

/** Median time of each step of a run, from the services' JSON logs (best effort: absent logs give no breakdown). */
function breakdown(c: Ctx, samples: RunFigures['samples']): string[] {
  const logDir = c.conf.DEFAULT.log_dir ?? resolve(c.state, 'log');
  const byRequest = new Map<string, LogLine[]>();
  const wanted = new Set(samples.map((s) => s.requestId).filter(Boolean));
  for (const svc of ['api', 'conductor', 'scheduler', 'compute']) {
    const file = resolve(logDir, `zun-${svc}.log`);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('{') || !line.includes('"req-')) continue;
      let l: LogLine;
      try {
        l = { ...(JSON.parse(line) as Omit<LogLine, 'svc'>), svc };
      } catch {
        continue;
      }
      if (!l.requestId || !wanted.has(l.requestId)) continue;
      byRequest.set(l.requestId, [...(byRequest.get(l.requestId) ?? []), l]);
    }
  }
  if (!byRequest.size) return ['  (no service log lines found for the sampled requests: no breakdown)'];
  const steps: [string, (lines: LogLine[]) => number | undefined][] = [
    ['api answered 202 (api log)', (ls) => find(ls, 'api', 'request')],
    ['scheduler selected host', (ls) => find(ls, 'scheduler', 'hosts selected')],
    ['conductor claimed host', (ls) => find(ls, 'conductor', 'host claimed')],
    // An `always` pull of an image the host has is a manifest check ('image up to date') unless the tag moved.
    ['compute began image pull or check', (ls) => {
      const l = ls.find((x) => x.svc === 'compute' && (x.msg === 'image pulled' || x.msg === 'image up to date'));
      return l ? l.time - (l.ms ?? 0) : undefined;
    }],
    ['compute image pull or check done', (ls) => find(ls, 'compute', 'image pulled') ?? find(ls, 'compute', 'image up to date')],
    ['docker create returned', (ls) => ls.find((x) => x.svc === 'compute' && x.component === 'docker' && x.msg === 'container created')?.time],
    ['compute recorded Created', (ls) => ls.find((x) => x.svc === 'compute' && x.component !== 'docker' && x.msg === 'container created')?.time],
  ];
  const lines: string[] = [];
  let prev: number[] = samples.map((s) => s.sentAt);
  for (const [label, pick] of steps) {
    const at = samples.map((s) => pick(byRequest.get(s.requestId) ?? []));
    const deltas: number[] = [];
    const abs: number[] = [];
    at.forEach((t, i) => {
      const p = prev[i];
      const s = samples[i];
      if (t === undefined || p === undefined || !s) return;
      deltas.push(t - p);
      abs.push(t - s.sentAt);
    });
    if (!deltas.length) {
      lines.push(`  ${label.padEnd(34)} (not in the logs)`);
      continue;
    }
    lines.push(`  ${label.padEnd(34)} +${fmt(median(deltas)).padStart(4)} ms   (at ${fmt(median(abs))} ms)`);
    prev = at.map((t, i) => t ?? prev[i] ?? 0);
  }
  const final = samples.map((s, i) => s.runningAt - (prev[i] ?? s.sentAt));
  lines.push(`  ${'start + Running saved + seen by GET'.padEnd(34)} +${fmt(median(final)).padStart(4)} ms   (at ${fmt(median(samples.map((s) => s.runningAt - s.sentAt)))} ms)`);
  return lines;
}

function find(lines: LogLine[], svc: string, msg: string): number | undefined {
  return lines.find((l) => l.svc === svc && l.msg === msg)?.time;
}

// ------------------------------------------------------------------ main

async function cleanup(c: Ctx): Promise<void> {
  const problems: string[] = [];
  // Also whatever carries this run's name prefix, in case a reply was lost.
  const rows = new Set(c.rowsMade);
  for (const uuid of await c.api.named(c.demo, `bench-${c.runId}-`).catch(() => [])) if (!rows.has(uuid)) c.zunMade.add(uuid);
  if (c.zunMade.size) {
    await zunDelete(c, [...c.zunMade]).catch((e: unknown) => problems.push(`zun containers: ${String(e)}`));
  }
  await rawRemoveAll(c).catch((e: unknown) => problems.push(`raw containers: ${String(e)}`));
  await c.docker.getNetwork(benchNetworkName(c)).remove().catch((e: unknown) => {
    if ((e as { statusCode?: number }).statusCode !== 404) problems.push(`raw network: ${String(e)}`);
  });
  if (c.restoreQuota) {
    const restore = c.restoreQuota;
    c.restoreQuota = null;
    await restore().catch((e: unknown) => problems.push(`quota: ${String(e)}`));
  }
  if (c.db) {
    for (const uuid of c.rowsMade.splice(0)) {
      await c.db.containers.destroy(uuid).catch((e: unknown) => problems.push(`row ${uuid}: ${String(e)}`));
    }
    await c.db.close();
  }
  if (problems.length) console.error(`cleanup left things behind:\n  ${problems.slice(0, 10).join('\n  ')}`);
}

async function main(): Promise<void> {
  const { state, conf, api, demo, admin } = await openStack(stateArg(process.argv.slice(2), 'lifecycle.bench.ts'));
  const socketPath = conf.docker.docker_remote_api_host.replace(/^unix:\/\//, '');
  const c: Ctx = {
    conf,
    state,
    api,
    demo,
    admin,
    docker: new Docker({ socketPath }),
    image: busyboxImage(conf),
    runId: randomUUID().slice(0, 8),
    zunMade: new Set(),
    rowsMade: [],
    db: null,
    restoreQuota: null,
  };
  const stopping = (): void => {
    console.error('interrupted: cleaning up');
    void cleanup(c).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopping);
  process.once('SIGTERM', stopping);

  console.log(`lifecycle bench (run ${c.runId}): api ${api.base}, docker ${socketPath}, image ${c.image}`);
  const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`  host: ${cpus().length} cpus, load average ${load()} (other work on the host skews every figure)`);
  console.log(`  containers: image busybox, command ${JSON.stringify(COMMAND)}, cpu ${CPU}, memory ${MEMORY_MIB} MiB; raw Docker: same image and command, default bridge (and a user-defined bridge)`);
  const rows: [string, string, string, string, string, boolean | null][] = [];
  const results = benchResults('lifecycle');
  try {
    await pullImage(c);
    await c.docker.createNetwork({ Name: benchNetworkName(c), Driver: 'bridge', Labels: { 'zun-bench': c.runId }, Options: { 'com.docker.network.driver.mtu': '1450' } });
    if (PHASES.has('seq')) {
      const seq = await sequentialRuns(c);
      const zMed = median(seq.zun);
      const rMed = median(seq.raw);
      console.log(`\nrun → Running, ${SEQ_RUNS} sequential (after ${WARMUP_RUNS} warm-up), each removed before the next:`);
      console.log(`  zun-ts  POST run=true → GET (every ${POLL_MS} ms) sees Running: median ${fmt(zMed)} ms, p90 ${fmt(percentile(seq.zun, 90))} ms, min ${fmt(Math.min(...seq.zun))}, max ${fmt(Math.max(...seq.zun))}`);
      console.log(`  docker  create+start:                                median ${fmt(rMed)} ms, p90 ${fmt(percentile(seq.raw, 90))} ms, min ${fmt(Math.min(...seq.raw))}, max ${fmt(Math.max(...seq.raw))}`);
      console.log(`  docker  create+start on a user-defined bridge network: median ${fmt(median(seq.rawNet))} ms, p90 ${fmt(percentile(seq.rawNet, 90))} ms ` +
        `(the engine's floor for a container on a network of its own: ${fmt(median(seq.rawNet) / rMed, 2)}× the default bridge)`);
      console.log(`  docker  create+start joining a sandbox already on that network (container:<id>): median ${fmt(median(seq.rawSandbox))} ms, p90 ${fmt(percentile(seq.rawSandbox, 90))} ms ` +
        `(${fmt(median(seq.rawSandbox) / rMed, 2)}× the default bridge: the engine's cost of a run whose network was made ready beforehand)`);
      console.log(`  docker  pull of the present image (what an "always" create cost before zun-ts's manifest check): median ${fmt(median(seq.rawPull))} ms`);
      console.log(`  ratio ${fmt(zMed / rMed, 2)}`);
      console.log('  where the zun-ts time goes (medians, from the service logs; + = since the previous step):');
      for (const l of breakdown(c, seq.samples)) console.log(l);
      results.add({ figure: 'run → Running (raw: create+start)', ours: zMed, oursP90: percentile(seq.zun, 90), reference: rMed, referenceP90: percentile(seq.raw, 90), unit: 'ms', ratio: zMed / rMed, target: `≤ ${TARGETS.runRatio}×`, met: zMed / rMed <= TARGETS.runRatio });
      rows.push(['run → Running, median (ms)', fmt(zMed), fmt(rMed), fmt(zMed / rMed, 2), `≤ ${TARGETS.runRatio}`, zMed / rMed <= TARGETS.runRatio]);
      rows.push(['run → Running, p90 (ms)', fmt(percentile(seq.zun, 90)), fmt(percentile(seq.raw, 90)), fmt(percentile(seq.zun, 90) / percentile(seq.raw, 90), 2), '', null]);
      const nMed = median(seq.rawNet);
      results.add({ figure: 'run → Running (raw: create+start on a user-defined bridge)', ours: zMed, reference: nMed, referenceP90: percentile(seq.rawNet, 90), unit: 'ms', ratio: zMed / nMed, target: null, met: null });
      rows.push(['run → Running vs raw on a user network (ms)', fmt(zMed), fmt(nMed), fmt(zMed / nMed, 2), '', null]);
      const jMed = median(seq.rawSandbox);
      results.add({ figure: 'docker create+start joining a ready sandbox (vs default bridge)', ours: jMed, oursP90: percentile(seq.rawSandbox, 90), reference: rMed, unit: 'ms', ratio: jMed / rMed, target: null, met: null });
      rows.push(['raw: joining a ready sandbox vs default bridge (ms)', fmt(jMed), fmt(rMed), fmt(jMed / rMed, 2), '', null]);
    }

    if (PHASES.has('concurrent')) {
      await raiseQuota(c);
      const par = await concurrentRuns(c);
      if (c.restoreQuota) await c.restoreQuota();
      c.restoreQuota = null;
      const ratio = par.zunWallMs / par.rawWallMs;
      console.log(`\n${CONCURRENT_RUNS} concurrent runs (all POSTs at once; state polled with one list request every ${POLL_MS} ms):`);
      console.log(`  zun-ts  all Running after ${fmt(par.zunWallMs / 1000, 2)} s (all ${CONCURRENT_RUNS} POSTs answered after ${fmt(par.zunAccepted)} ms; per container median ${fmt(median(par.zunPerContainer) / 1000, 2)} s)`);
      console.log(`  docker  all started after ${fmt(par.rawWallMs / 1000, 2)} s (per container median ${fmt(median(par.rawPerContainer) / 1000, 2)} s)`);
      console.log(`  docker  all started on a user-defined bridge network after ${fmt(par.rawNetWallMs / 1000, 2)} s`);
      console.log(`  ratio ${fmt(ratio, 2)} (${fmt(par.zunWallMs / par.rawNetWallMs, 2)} against the user-defined bridge)`);
      results.add({ figure: `${CONCURRENT_RUNS} concurrent runs, wall (raw: user-defined bridge)`, ours: par.zunWallMs / 1000, reference: par.rawNetWallMs / 1000, unit: 's', ratio: par.zunWallMs / par.rawNetWallMs, target: null, met: null });
      results.add({ figure: `${CONCURRENT_RUNS} concurrent runs, wall`, ours: par.zunWallMs / 1000, reference: par.rawWallMs / 1000, unit: 's', ratio, target: `≤ ${TARGETS.concurrentRatio}×`, met: ratio <= TARGETS.concurrentRatio });
      rows.push([`${CONCURRENT_RUNS} concurrent runs, wall (s)`, fmt(par.zunWallMs / 1000, 2), fmt(par.rawWallMs / 1000, 2), fmt(ratio, 2), `≤ ${TARGETS.concurrentRatio}`, ratio <= TARGETS.concurrentRatio]);
      rows.push([`${CONCURRENT_RUNS} concurrent vs raw on a user network (s)`, fmt(par.zunWallMs / 1000, 2), fmt(par.rawNetWallMs / 1000, 2), fmt(par.zunWallMs / par.rawNetWallMs, 2), '', null]);
    }

    if (PHASES.has('list')) {
      c.db = await Database.open(conf.database.connection);
      const lists = await listBench(c, c.db);
      console.log(`\nGET /v1/containers (demo project; rows inserted straight into the database as Stopped on a fake host "${FAKE_HOST}", without Docker containers):`);
      for (const l of lists) {
        console.log(`  ${String(l.rows).padStart(4)} rows (${(l.bytes / 1024).toFixed(0)} KiB): one at a time, ${l.seqCount} requests: median ${fmt(l.seqMedian, 2)} ms, p90 ${fmt(l.seqP90, 2)} ms; ` +
          `${LIST_CONCURRENCY} in flight, ${l.concCount} requests: ${fmt(l.rps)} req/s, median ${fmt(l.concMedian, 1)} ms, p90 ${fmt(l.concP90, 1)} ms`);
      }
      for (const l of lists) {
        const target = l === lists[0];
        results.add({ figure: `list ${l.rows} rows, one at a time`, ours: l.seqMedian, oursP90: l.seqP90, reference: null, unit: 'ms', ratio: null, target: target ? `≤ ${TARGETS.list100MedianMs} ms` : null, met: target ? l.seqMedian <= TARGETS.list100MedianMs : null });
        results.add({ figure: `list ${l.rows} rows, c=${LIST_CONCURRENCY}`, ours: l.rps, reference: null, unit: 'req/s', ratio: null, target: target ? `≥ ${TARGETS.listRps}` : null, met: target ? l.rps >= TARGETS.listRps : null });
        rows.push([`list ${l.rows} rows, median (ms)`, fmt(l.seqMedian, 2), 'n/a', '', target ? `≤ ${TARGETS.list100MedianMs} ms` : '', target ? l.seqMedian <= TARGETS.list100MedianMs : null]);
        rows.push([`list ${l.rows} rows, c=${LIST_CONCURRENCY} (req/s)`, fmt(l.rps), 'n/a', '', target ? `≥ ${TARGETS.listRps}` : '', target ? l.rps >= TARGETS.listRps : null]);
      }
    }

    const head = ['measure', 'zun-ts', 'raw docker', 'ratio', 'target', 'met?'];
    const cells = rows.map((r) => [r[0], r[1], r[2], r[3], r[4], r[5] === null ? '' : r[5] ? 'yes' : 'NO']);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
    const line = (r: string[]): string => `| ${r.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
    console.log('\n' + line(head));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of cells) console.log(line(r));
    if (PHASES.has('list')) console.log('(list rows have no Docker containers, so there is no raw Docker figure for them)');
    console.log(`load average at the end: ${load()}`);
  } finally {
    await cleanup(c);
    agent.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
