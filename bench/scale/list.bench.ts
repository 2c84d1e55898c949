// GET /v1/containers at 100, 1,000 and 10,000 rows: a private zun-api (from source) on a private database, rows
// seeded straight through libs/db, Keystone tokens from the shared test Keystone (or noauth).
// Run: node --import tsx bench/scale/list.bench.ts
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, type ServiceHandle, startService, writeZunConf } from '@zun-ts/testing';
import { type Identity, keystoneToken, MICROVERSION, readOpenrc, request } from '../stack-client';
import { benchResults, fmt, median, percentile } from '../stats';
import { loadLine, privateDatabase, treeCpuMs, treeRssMiB } from './scale-env';

const env = process.env;
const SIZES = (env.BENCH_LIST_SIZES ?? '100,1000,10000').split(',').map(Number);
const CONCURRENCY = Number(env.BENCH_LIST_CONCURRENCY ?? 16);
const REQUESTS = Number(env.BENCH_LIST_REQUESTS ?? 2000);
/** Requests at c=CONCURRENCY before the measurements: zun-api's workers keep decoded rows and rendered views (ADR 0024). */
const WARMUP = Number(env.BENCH_LIST_WARMUP ?? 2000);
const SEQUENTIAL = Number(env.BENCH_LIST_SEQUENTIAL ?? 100);
const MAX_MS = Number(env.BENCH_LIST_MAX_SECONDS ?? 20) * 1000;
const PAGE = Number(env.BENCH_LIST_PAGE ?? 100);
const AUTH = env.BENCH_AUTH ?? 'keystone';
/** `[api] workers`; unset: the service's default (one per CPU). */
const WORKERS = env.BENCH_API_WORKERS;
const TARGET_RPS_100 = 1500;
const MAX_LIMIT = 1000;
/** Rows of another project inserted first: a project's list must not cost more because the table holds others. */
const OTHER_ROWS = Number(env.BENCH_LIST_OTHER_ROWS ?? 10000);
const ROOT = resolve(__dirname, '../..');

interface Caller {
  headers: Record<string, string>;
  projectId: string;
  userId: string;
}

async function caller(): Promise<Caller> {
  if (AUTH === 'noauth') {
    const projectId = 'bench-project';
    return { projectId, userId: 'bench-user', headers: { 'OpenStack-API-Version': MICROVERSION, 'X-Project-Id': projectId, 'X-User-Id': 'bench-user', 'X-Roles': 'member,reader' } };
  }
  const state = env.ZUN_TEST_KEYSTONE_STATE;
  if (!state) throw new Error('BENCH_AUTH=keystone needs ZUN_TEST_KEYSTONE_STATE (the test Keystone state dir with demo-openrc and zun-openrc), or set BENCH_AUTH=noauth');
  const who: Identity = await keystoneToken(readOpenrc(join(state, 'demo-openrc')));
  return { projectId: who.projectId, userId: who.userId, headers: { 'OpenStack-API-Version': MICROVERSION, 'X-Auth-Token': who.token } };
}

function keystoneSection(): Record<string, string> {
  const state = env.ZUN_TEST_KEYSTONE_STATE ?? '';
  const zun = readOpenrc(join(state, 'zun-openrc'));
  const url = zun.OS_AUTH_URL ?? '';
  return {
    auth_url: url,
    www_authenticate_uri: url,
    username: zun.OS_USERNAME ?? 'zun',
    password: zun.OS_PASSWORD ?? '',
    project_name: zun.OS_PROJECT_NAME ?? 'service',
    user_domain_name: zun.OS_USER_DOMAIN_NAME ?? 'Default',
    project_domain_name: zun.OS_PROJECT_DOMAIN_NAME ?? 'Default',
  };
}

interface Load {
  count: number;
  /** CPU of this (client) process per request, ms. */
  clientCpu: number;
  p50: number;
  p90: number;
  rps: number;
  bytes: number;
}

async function get(base: string, path: string, who: Caller): Promise<string> {
  const r = await request(`${base}${path}`, { headers: who.headers, timeoutMs: 120_000 });
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return r.body;
}

/** `paths()` gives the next request's path; one at a time (concurrency 1) or `concurrency` in flight. */
async function measure(base: string, who: Caller, paths: () => string, concurrency: number, requests: number): Promise<Load> {
  const lat: number[] = [];
  let bytes = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + MAX_MS;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests && performance.now() < deadline) {
        const t = performance.now();
        bytes = (await get(base, paths(), who)).length;
        lat.push(performance.now() - t);
      }
    }),
  );
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  return { count: lat.length, clientCpu: (cpu.user + cpu.system) / 1000 / lat.length, p50: median(lat), p90: percentile(lat, 90), rps: lat.length / (wall / 1000), bytes };
}

/**
 * The same bytes from plain node:http with as many processes as zun-api (bench/scale/static-json-server.ts): what this
 * machine and this client allow at all, measured in the same run.
 */
async function ceiling(dir: string, body: string, workers: number): Promise<Load> {
  const file = join(dir, 'body.json');
  writeFileSync(file, body);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'static-json-server.ts'), file, String(port), String(workers)], { stdio: 'ignore' });
  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = performance.now() + 20_000;
    for (;;) {
      const up = await request(`${base}/`).then(() => true, () => false);
      if (up) break;
      if (performance.now() > deadline) throw new Error('the static JSON server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const none: Caller = { headers: {}, projectId: '', userId: '' };
    for (let i = 0; i < 20; i++) await get(base, '/', none);
    return await measure(base, none, () => '/', CONCURRENCY, REQUESTS);
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const results = benchResults('scale-list');
  const dir = mkdtempSync(join(tmpdir(), 'zun-bench-list-'));
  const pdb = await privateDatabase(dir);
  let api: ServiceHandle | null = null;
  try {
    const who = await caller();
    const port = await freePort();
    const conf = writeZunConf({
      DEFAULT: { state_path: dir },
      api: { host_ip: '127.0.0.1', port, auth_strategy: AUTH, max_limit: MAX_LIMIT, ...(WORKERS ? { workers: WORKERS } : {}) },
      database: { connection: pdb.url },
      redis: { url: env.ZUN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6390/0', key_prefix: `zun-bench-list-${process.pid}` },
      ...(AUTH === 'keystone' ? { keystone_authtoken: keystoneSection() } : {}),
    });
    const base = `http://127.0.0.1:${port}`;
    api = await startService('api', conf, { main: join(ROOT, 'apps/api/src/main.ts'), dir, ready: { http: `${base}/` }, nodeArgs: (env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean) });
    const apiPid = api.pid;
    const idleRss = treeRssMiB(apiPid);
    console.log(`zun-api pid ${apiPid} (${pdb.kind}, auth ${AUTH}, workers ${WORKERS ?? 'default'}), idle RSS ${fmt(idleRss, 1)} MiB; ${loadLine()}`);
    const rows: string[][] = [];
    let seeded = 0;
    const uuids: string[] = [];
    const seedRow = (uuid: string, name: string, projectId: string, userId: string): Promise<unknown> =>
      pdb.db.containers.create({
        uuid,
        status: 'Stopped',
        name,
        project_id: projectId,
        user_id: userId,
        image: 'busybox',
        image_driver: 'docker',
        command: ['sleep', '3600'],
        cpu: 0.1,
        memory: '64',
        host: 'bench-fake-host',
        labels: { bench: 'list' },
        environment: { A: '1' },
      });
    const tOther = performance.now();
    for (let i = 0; i < OTHER_ROWS; i++) await seedRow(randomUUID(), `bench-other-${i}`, 'bench-other-project', 'bench-other-user');
    if (OTHER_ROWS) console.log(`${OTHER_ROWS} rows of another project inserted first, in ${fmt((performance.now() - tOther) / 1000, 1)} s`);
    for (const size of SIZES) {
      const t0 = performance.now();
      for (; seeded < size; seeded++) {
        const uuid = randomUUID();
        await seedRow(uuid, `bench-row-${seeded}`, who.projectId, who.userId);
        uuids.push(uuid);
      }
      const seedMs = performance.now() - t0;
      // [api] max_limit (1000) caps every page, the default one included
      const defaultRows = Math.min(size, MAX_LIMIT);
      const listed = (JSON.parse(await get(base, `/v1/containers?limit=${size}`, who)) as { containers: unknown[] }).containers.length;
      if (listed !== defaultRows) throw new Error(`list shows ${listed} rows, ${defaultRows} expected`);
      // warm-up: every worker has decoded the rows and rendered their views, as a serving zun-api has
      await measure(base, who, () => '/v1/containers', CONCURRENCY, WARMUP);
      const cpu0 = treeCpuMs(apiPid);
      const one = await measure(base, who, () => '/v1/containers', 1, SEQUENTIAL);
      const conc = await measure(base, who, () => '/v1/containers', CONCURRENCY, REQUESTS);
      const cpuPerReq = (treeCpuMs(apiPid) - cpu0) / (one.count + conc.count);
      const body = await get(base, '/v1/containers', who);
      const raw = await ceiling(dir, body, WORKERS ? Number(WORKERS) : availableParallelism());
      const loadedRss = treeRssMiB(apiPid);
      // limit/marker: pages of PAGE rows from markers spread over the table, so deep pages count as much as the first.
      let k = 0;
      const markers = uuids.slice(0, size);
      const paged = await measure(base, who, () => `/v1/containers?limit=${PAGE}&marker=${markers[(k++ * 7919) % Math.max(1, size - PAGE)] ?? ''}`, CONCURRENCY, REQUESTS);
      // one full walk, page after page, checks that deep markers cost no more than shallow ones
      const walk: number[] = [];
      let marker: string | null = null;
      let walked = 0;
      for (;;) {
        const t = performance.now();
        const body = JSON.parse(await get(base, `/v1/containers?limit=${PAGE}${marker ? `&marker=${marker}` : ''}`, who)) as { containers: { uuid: string }[] };
        walk.push(performance.now() - t);
        walked += body.containers.length;
        if (body.containers.length < PAGE) break;
        marker = body.containers[body.containers.length - 1]?.uuid ?? null;
      }
      if (walked !== size) throw new Error(`the marker walk saw ${walked} rows, ${size} expected`);
      const firstHalf = median(walk.slice(0, Math.ceil(walk.length / 2)));
      const lastHalf = median(walk.slice(Math.ceil(walk.length / 2)));
      console.log(
        `${size} rows (seeded in ${fmt(seedMs / 1000, 1)} s): default list (${defaultRows} rows, ${fmt(one.bytes / 1024, 0)} KiB) one at a time p50 ${fmt(one.p50, 2)} ms p90 ${fmt(one.p90, 2)}; ` +
          `c${CONCURRENCY} ${fmt(conc.rps)} req/s p50 ${fmt(conc.p50, 1)} p90 ${fmt(conc.p90, 1)} ms (${conc.count} req); API CPU ${fmt(cpuPerReq, 2)} ms/req, client CPU ${fmt(conc.clientCpu, 2)} ms/req; same bytes from plain node:http c${CONCURRENCY} ${fmt(raw.rps)} req/s (client CPU ${fmt(raw.clientCpu, 2)} ms/req); ` +
          `limit=${PAGE}&marker c${CONCURRENCY} ${fmt(paged.rps)} req/s p50 ${fmt(paged.p50, 1)} ms; walk of ${walk.length} pages p50 first half ${fmt(firstHalf, 2)} ms, second half ${fmt(lastHalf, 2)} ms; RSS ${fmt(loadedRss, 1)} MiB`,
      );
      const target = size === 100;
      results.add({ figure: `list ${size} rows (returns ${defaultRows}), one at a time`, ours: one.p50, oursP90: one.p90, reference: null, unit: 'ms', ratio: null, target: null, met: null });
      results.add({ figure: `list ${size} rows, c=${CONCURRENCY} (reference: the same bytes from plain node:http)`, ours: conc.rps, reference: raw.rps, unit: 'req/s', ratio: conc.rps / raw.rps, target: target ? `≥ ${TARGET_RPS_100}` : null, met: target ? conc.rps >= TARGET_RPS_100 : null });
      results.add({ figure: `list ${size} rows, API CPU per request`, ours: cpuPerReq, reference: null, unit: 'ms', ratio: null, target: null, met: null });
      results.add({ figure: `list ${size} rows, limit=${PAGE}&marker, c=${CONCURRENCY}`, ours: paged.rps, reference: null, unit: 'req/s', ratio: null, target: null, met: null });
      results.add({ figure: `list ${size} rows, marker walk page (first/second half)`, ours: firstHalf, reference: lastHalf, unit: 'ms', ratio: lastHalf / firstHalf, target: null, met: null });
      rows.push([String(size), String(defaultRows), `${fmt(one.p50, 2)} / ${fmt(one.p90, 2)}`, fmt(conc.rps), fmt(raw.rps), `${fmt(conc.p50, 1)} / ${fmt(conc.p90, 1)}`, fmt(cpuPerReq, 2), fmt(conc.clientCpu, 2), fmt(paged.rps), `${fmt(firstHalf, 2)} / ${fmt(lastHalf, 2)}`, fmt(loadedRss, 1)]);
    }
    results.add({ figure: 'zun-api RSS idle / after the list loads', ours: idleRss, reference: treeRssMiB(apiPid), unit: 'MiB', ratio: null, target: null, met: null });
    console.log(`\nGET /v1/containers, ${pdb.kind}, auth ${AUTH}, c=${CONCURRENCY}, pages of ${PAGE}, the caller's rows after ${OTHER_ROWS} of another project; ${loadLine()} (the machine is shared: other work moves these figures)`);
    console.log(`| rows | returned | one at a time p50/p90 ms | c${CONCURRENCY} req/s | same bytes, plain node:http | c${CONCURRENCY} p50/p90 ms | API CPU ms/req | client CPU ms/req | paged c${CONCURRENCY} req/s | walk page p50 1st/2nd half ms | API RSS MiB |`);
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    await api?.stop();
    await pdb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
