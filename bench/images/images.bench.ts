// Image pulls through zun-ts against `docker pull` of the same image from the same registry, in the same run; and
// run → Running with image_pull_policy ifnotpresent against always for an image already on the host.
// Starts its own Zun from dist/ (conductor, scheduler, API with noauth, one compute) on the stack's Redis (own
// prefix), Docker engine and registry. Run: node --import tsx bench/images/images.bench.ts
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RegistryClient } from '@zun-ts/image-registry';
import {
  ensureBuilt, privateNetworkConf, repoRoot, requireEnv, type ServiceHandle, startService, tmpDir, type TmpDir, uniqueName, writeZunConf,
  type ZunConfSections,
} from '@zun-ts/testing';
import { benchResults, fmt, median, percentile } from '../stats';

const run = promisify(execFile);
const env = process.env;
const RUNS = Number(env.BENCH_RUNS ?? 5);
const LAYER_MIB = Number(env.BENCH_LAYER_MIB ?? 50);
const POLL_MS = 20;
const TIMEOUT_MS = 180_000;
const TARGET_PULL_RATIO = 1.1;
/** One repository per layer size: built and pushed once, then reused by later runs. */
const REPO = `zt-bench-image-${LAYER_MIB}m`;

const registry = requireEnv('ZUN_TEST_REGISTRY', '127.0.0.1:5050');
const dockerHost = requireEnv('DOCKER_HOST', 'unix:///var/run/docker.sock');
const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
const IMAGE = `${registry}/${REPO}`;
const REF = `${IMAGE}:latest`;

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', ['-H', dockerHost, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUT_MS });
  return stdout;
}
const dockerQuiet = (...args: string[]): Promise<string> => docker(...args).catch(() => '');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** busybox plus one layer of random bytes, pushed to the stack registry (skipped when the registry has it). */
async function ensureBenchImage(dir: TmpDir): Promise<void> {
  if (await new RegistryClient({ domain: registry }).hasManifest(REPO, 'latest')) return;
  console.log(`building ${REF}: busybox plus a ${LAYER_MIB} MiB random layer`);
  const blob = dir.join('blob');
  await writeFile(blob, randomBytes(LAYER_MIB * 1024 * 1024));
  await docker('pull', `${registry}/busybox:latest`);
  const box = `zt-bench-build-${randomUUID().slice(0, 6)}`;
  await docker('create', '--name', box, `${registry}/busybox:latest`, 'true');
  try {
    await docker('cp', blob, `${box}:/blob`);
    await docker('commit', box, REF);
  } finally {
    await dockerQuiet('rm', '-f', box);
  }
  await docker('push', REF);
  await dockerQuiet('rmi', REF);
}

class BenchStack {
  readonly services: ServiceHandle[] = [];
  host = uniqueName('cnbench');
  url = '';
  constructor(readonly dir: TmpDir) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const conf: ZunConfSections = {
      DEFAULT: { host: this.host, report_interval: 2, periodic_interval: 10, rpc_response_timeout: 30, state_path: this.dir.path },
      database: { connection: `sqlite:///${this.dir.join('zun.sqlite')}` },
      redis: { url: redisUrl, key_prefix: uniqueName('bimg') },
      docker: { docker_remote_api_host: dockerHost, default_registry: registry },
      network: privateNetworkConf(),
      volume: { mount_prefix: this.dir.join('volumes') },
      api: { host_ip: '127.0.0.1', port, auth_strategy: 'noauth', workers: 1 },
      conductor: { workers: 1 },
      compute: { relay_host: '127.0.0.1', relay_port: 0 },
      quota: { containers: -1, cpu: -1, memory: -1 },
    };
    await Promise.all(['conductor', 'scheduler', 'api', 'compute'].map((app) => ensureBuilt(app)));
    await run(process.execPath, ['tools/build.mjs', 'zun-manage'], { cwd: repoRoot() });
    const confFile = this.dir.join('zun.conf');
    writeZunConf(conf, confFile);
    await run(process.execPath, [join(repoRoot(), 'dist/tools/zun-manage.js'), '--config-file', confFile, 'db', 'sync'], { cwd: repoRoot() });
    for (const app of ['conductor', 'scheduler', 'api', 'compute']) {
      this.services.push(await startService(app, writeZunConf(conf), { dir: this.dir.path, noBuild: true, name: app, ...(app === 'api' ? { ready: { http: `${this.url}/` } } : {}) }));
    }
    await this.until(async () => ((await this.api('GET', '/v1/hosts')).text.includes(this.host) ? true : null), 'the compute host');
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; text: string }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'OpenStack-API-Version': 'container 1.40' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as unknown) : null, text };
  }

  async until<T>(probe: () => Promise<T | null>, what: string): Promise<T> {
    const end = Date.now() + TIMEOUT_MS;
    for (;;) {
      const v = await probe();
      if (v !== null) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(POLL_MS);
    }
  }

  /** Stops the services, then removes any engine container this host left (a run that failed half-way). */
  async stop(): Promise<void> {
    for (const h of this.services.reverse()) await h.stop().catch(() => undefined);
    const left = (await dockerQuiet('ps', '-aq', '--filter', `label=zun.compute.host=${this.host}`)).split('\n').filter(Boolean);
    if (left.length) await dockerQuiet('rm', '-f', ...left);
  }
}

/** `docker pull` of the image, absent before; milliseconds. */
async function rawPull(): Promise<number> {
  await dockerQuiet('rmi', REF);
  const t0 = performance.now();
  await docker('pull', REF);
  return performance.now() - t0;
}

/** POST /v1/images until its image_id is filled, the image absent before; milliseconds. Deletes it afterwards. */
async function zunPull(stack: BenchStack): Promise<number> {
  await dockerQuiet('rmi', REF);
  const t0 = performance.now();
  const r = await stack.api('POST', '/v1/images', { repo: REPO, host: stack.host });
  if (r.status !== 202) throw new Error(`POST /v1/images: ${r.status} ${r.text}`);
  const uuid = String((r.body as { uuid: string }).uuid);
  await stack.until(async () => {
    const s = await stack.api('GET', `/v1/images/${uuid}`);
    if (s.status !== 200) throw new Error(`the pull of ${uuid} failed: ${s.status} ${s.text}`);
    return (s.body as { image_id: string | null }).image_id ? true : null;
  }, 'image_id');
  const ms = performance.now() - t0;
  await stack.api('DELETE', `/v1/images/${uuid}`);
  await stack.until(async () => ((await stack.api('GET', `/v1/images/${uuid}`)).status === 404 ? true : null), 'the image row gone');
  return ms;
}

/** Starts a container of the bench image and waits until it is Running; its uuid and the milliseconds it took. */
async function startContainer(stack: BenchStack, policy: 'ifnotpresent' | 'always'): Promise<{ uuid: string; ms: number }> {
  const t0 = performance.now();
  const r = await stack.api('POST', '/v1/containers?run=true', {
    image: REPO, name: uniqueName('bench'), command: ['sleep', '3600'], cpu: 0.1, memory: '64', image_pull_policy: policy,
  });
  if (r.status !== 202) throw new Error(`POST /v1/containers: ${r.status} ${r.text}`);
  const uuid = String((r.body as { uuid: string }).uuid);
  await stack.until(async () => {
    const s = (await stack.api('GET', `/v1/containers/${uuid}`)).body as { status: string; status_reason: string | null };
    if (s.status === 'Error') throw new Error(`container ${uuid} in Error: ${s.status_reason ?? ''}`);
    return s.status === 'Running' ? true : null;
  }, 'Running');
  return { uuid, ms: performance.now() - t0 };
}

/** Deletes a container (force) and waits until it is gone. */
async function removeContainer(stack: BenchStack, uuid: string): Promise<void> {
  await stack.api('DELETE', `/v1/containers/${uuid}?force=True&stop=True`);
  await stack.until(async () => ((await stack.api('GET', `/v1/containers/${uuid}`)).status === 404 ? true : null), 'the container gone');
}

/** run → Running of the (present) bench image under `policy`; milliseconds. The container is deleted afterwards. */
async function runToRunning(stack: BenchStack, policy: 'ifnotpresent' | 'always'): Promise<number> {
  const { uuid, ms } = await startContainer(stack, policy);
  await removeContainer(stack, uuid);
  return ms;
}

async function main(): Promise<void> {
  const dir = tmpDir('zun-bench-images-');
  const stack = new BenchStack(dir);
  try {
    await ensureBenchImage(dir);
    await stack.start();
    const raw: number[] = [];
    const zun: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // The two paths take turns in going first.
      if (i % 2 === 0) {
        raw.push(await rawPull());
        zun.push(await zunPull(stack));
      } else {
        zun.push(await zunPull(stack));
        raw.push(await rawPull());
      }
      console.log(`pull round ${i + 1}: docker pull ${fmt(raw.at(-1) ?? NaN)} ms, zun-ts ${fmt(zun.at(-1) ?? NaN)} ms`);
    }
    await docker('pull', REF);
    const ifNotPresent: number[] = [];
    const always: number[] = [];
    // One container stays up through the runs, so that the project network is not taken down and made again
    // between two runs (that would be measured too, and races the next create).
    const keeper = await startContainer(stack, 'ifnotpresent');
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) {
        ifNotPresent.push(await runToRunning(stack, 'ifnotpresent'));
        always.push(await runToRunning(stack, 'always'));
      } else {
        always.push(await runToRunning(stack, 'always'));
        ifNotPresent.push(await runToRunning(stack, 'ifnotpresent'));
      }
    }
    await removeContainer(stack, keeper.uuid);
    const ratios = raw.map((r, i) => (zun[i] ?? NaN) / r);
    const pullRatio = median(ratios);
    console.log(`\nimage ${REF} (busybox + ${LAYER_MIB} MiB layer), ${RUNS} runs each`);
    console.log('measure | zun-ts | raw | ratio (median of per-run ratios) | target | met?');
    console.log(`pull (median ms) | ${fmt(median(zun))} | ${fmt(median(raw))} (docker pull) | ${fmt(pullRatio, 2)}x | <= ${TARGET_PULL_RATIO}x | ${pullRatio <= TARGET_PULL_RATIO ? 'PASS' : 'MISS'}`);
    console.log(`run -> Running (median ms) | always ${fmt(median(always))} | ifnotpresent ${fmt(median(ifNotPresent))} | ${fmt(median(always) / median(ifNotPresent), 2)}x | - | -`);
    const results = benchResults('images');
    results.add({ figure: `pull ${LAYER_MIB} MiB image (raw: docker pull; ratio: median per run)`, ours: median(zun), oursP90: percentile(zun, 90), reference: median(raw), referenceP90: percentile(raw, 90), unit: 'ms', ratio: pullRatio, target: `≤ ${TARGET_PULL_RATIO}×`, met: pullRatio <= TARGET_PULL_RATIO });
    results.add({ figure: 'run → Running, present image, always (ref: ifnotpresent)', ours: median(always), oursP90: percentile(always, 90), reference: median(ifNotPresent), referenceP90: percentile(ifNotPresent, 90), unit: 'ms', ratio: median(always) / median(ifNotPresent), target: null, met: null });
    console.log(`per-run pull ratios: ${ratios.map((r) => fmt(r, 2)).join(' ')}`);
  } finally {
    await stack.stop();
    await dockerQuiet('rmi', REF);
    await dir.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
