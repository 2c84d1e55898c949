// Runs every benchmark in turn as a child process and prints one table of their figures; writes the run as JSON.
// Run: node --import tsx bench/all/all.ts [--state .stack] [--only rpc,lifecycle] [--json out.json]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '@zun-ts/config';
import { BENCH_JSON_ENV, settle } from '../stats';
import { assembleReport, loadWarning, parseRecordFile, renderReport, type BenchRun, type LoadAverage } from './report';

const ROOT = resolve(__dirname, '../..');
const STDERR_TAIL = 20;

/** The benchmarks, in the order they run, and the arguments each takes from the stack's state dir. */
const BENCHES: { name: string; script: string; args(state: string): string[] }[] = [
  { name: 'rpc', script: 'bench/rpc/rpc.bench.ts', args: () => [] },
  { name: 'lifecycle', script: 'bench/lifecycle/lifecycle.bench.ts', args: (s) => ['--state', s] },
  { name: 'attach', script: 'bench/attach/attach.bench.ts', args: (s) => ['--state', s] },
  { name: 'images', script: 'bench/images/images.bench.ts', args: () => [] },
  { name: 'networks', script: 'bench/networks/networks.bench.ts', args: (s) => ['--state', join(s, 'sim-hosts')] },
  { name: 'storage', script: 'bench/storage/storage.bench.ts', args: (s) => ['--state', s] },
  { name: 'scale', script: 'bench/scale/scale.bench.ts', args: (s) => ['--state', s] },
  { name: 'deploy', script: 'bench/deploy/deploy.bench.ts', args: () => [] },
];

interface Options {
  state: string;
  only: string[] | null;
  json: string | null;
  /** Seconds to wait, before each benchmark, for the 1-min load average to fall to the core count. */
  settle: number;
}

const USAGE = 'all.ts [--state DIR] [--only rpc,lifecycle,attach,images,networks,storage,scale] [--json FILE] [--settle SECONDS]';

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Options {
  const opts: Options = { state: env.ZUN_STACK_STATE ?? '.stack', only: null, json: null, settle: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value (usage: ${USAGE})`);
      return v;
    };
    if (flag === '--state') opts.state = value();
    else if (flag === '--only') opts.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (flag === '--json') opts.json = value();
    else if (flag === '--settle') {
      opts.settle = Number(value());
      if (!Number.isFinite(opts.settle) || opts.settle < 0) throw new Error(`--settle takes a number of seconds (usage: ${USAGE})`);
    }
    else throw new Error(`unknown argument ${a} (usage: ${USAGE})`);
  }
  const unknown = (opts.only ?? []).filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}: known are ${BENCHES.map((b) => b.name).join(', ')}`);
  return { ...opts, state: resolve(opts.state) };
}

/** The environment of the children: the stack's Redis and Docker engine, from its zun.conf, unless already set. */
function childEnv(state: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ZUN_STACK_STATE: state };
  const confFile = join(state, 'zun.conf');
  if (!existsSync(confFile)) return env;
  const conf = loadConfig(['--config-file', confFile], { env: {}, warn: () => undefined });
  env.ZUN_BENCH_REDIS_URL ??= env.ZUN_TEST_REDIS_URL ?? conf.redis.url;
  env.ZUN_TEST_REDIS_URL ??= conf.redis.url;
  env.DOCKER_HOST ??= conf.docker.docker_remote_api_host;
  return env;
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

const load = (): LoadAverage => {
  const [a = 0, b = 0, c = 0] = loadavg();
  return [a, b, c];
};

/** Runs one benchmark, its output passed through, and reads back the records it wrote. */
async function runOne(bench: (typeof BENCHES)[number], opts: Options, env: NodeJS.ProcessEnv, dir: string): Promise<BenchRun> {
  const file = join(dir, `${bench.name}.json`);
  const command = [process.execPath, '--import', 'tsx', bench.script, ...bench.args(opts.state)];
  console.log(`\n=== ${bench.name}: ${['node', ...command.slice(1)].join(' ')}`);
  await settle(opts.settle);
  const loadBefore = load();
  const t0 = performance.now();
  const tail: string[] = [];
  const exit = await new Promise<number | string | null>((res) => {
    const child = spawn(command[0] ?? process.execPath, command.slice(1), { cwd: ROOT, env: { ...env, [BENCH_JSON_ENV]: file }, stdio: ['ignore', 'inherit', 'pipe'] });
    let partial = '';
    child.stderr.on('data', (d: Buffer) => {
      process.stderr.write(d);
      const lines = (partial + d.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      tail.push(...lines.filter((l) => l.trim()));
      tail.splice(0, Math.max(0, tail.length - STDERR_TAIL));
    });
    child.once('error', (err) => {
      tail.push(err.message);
      res(null);
    });
    child.once('close', (code, signal) => {
      if (partial.trim()) tail.push(partial);
      tail.splice(0, Math.max(0, tail.length - STDERR_TAIL));
      res(code ?? signal);
    });
  });
  const durationMs = performance.now() - t0;
  const loadAfter = load();
  let records: BenchRun['records'] = [];
  let status: BenchRun['status'] = exit === 0 ? 'ok' : 'failed';
  if (existsSync(file)) {
    try {
      records = parseRecordFile(readFileSync(file, 'utf8')).records;
    } catch (err) {
      status = 'failed';
      tail.push(`its results file: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else if (status === 'ok') {
    status = 'failed';
    tail.push(`it exited 0 but wrote no results to $${BENCH_JSON_ENV}`);
  }
  const cores = cpus().length;
  return { bench: bench.name, command: ['node', ...command.slice(1)], status, exit, durationMs, loadBefore, loadAfter, records, stderrTail: status === 'failed' ? tail : [], warning: loadWarning(bench.name, loadBefore, cores) };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2), process.env);
  const env = childEnv(opts.state);
  const dir = mkdtempSync(join(tmpdir(), 'zun-bench-all-'));
  const date = new Date().toISOString();
  const runs: BenchRun[] = [];
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true; // the running benchmark gets the same SIGINT and cleans up; the rest are skipped
  });
  try {
    for (const bench of BENCHES.filter((b) => !opts.only || opts.only.includes(b.name))) {
      if (interrupted) break;
      runs.push(await runOne(bench, opts, env, dir));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const report = assembleReport({ date, commit: gitCommit(), host: { cpus: cpus().length, hostname: hostname() }, state: opts.state, runs });
  console.log(`\n${renderReport(report)}`);
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
    console.log(`written to ${resolve(opts.json)}`);
  }
  if (interrupted || runs.some((r) => r.status === 'failed')) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
