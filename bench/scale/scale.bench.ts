// The scale curves in one go (bench/all's `scale` entry): list throughput, scheduler decisions, compute periodic
// tasks and the stack services' memory, each as a child process with its own records, gathered under `scale`.
// Run: node --import tsx bench/scale/scale.bench.ts [--state .stack]   (BENCH_SCALE_ONLY=list,scheduler,sync,rss)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '@zun-ts/config';
import { parseRecordFile } from '../all/report';
import { stateArg } from '../stack-client';
import { BENCH_JSON_ENV, benchResults } from '../stats';

const PARTS: { name: string; script: string; args(state: string): string[] }[] = [
  { name: 'list', script: 'list.bench.ts', args: () => [] },
  { name: 'scheduler', script: 'scheduler.bench.ts', args: () => [] },
  { name: 'sync', script: 'sync.bench.ts', args: () => [] },
  { name: 'rss', script: 'rss.bench.ts', args: (s) => ['--state', s] },
];

/** What the parts need from the stack when the test environment does not say it: Keystone's state, the registry. */
function partEnv(state: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!env.ZUN_TEST_KEYSTONE_STATE && existsSync(join(state, 'keystone', 'demo-openrc'))) env.ZUN_TEST_KEYSTONE_STATE = join(state, 'keystone');
  const confFile = join(state, 'zun.conf');
  if (existsSync(confFile)) {
    const conf = loadConfig(['--config-file', confFile], { env: {}, warn: () => undefined });
    env.ZUN_TEST_REDIS_URL ??= conf.redis.url;
    env.DOCKER_HOST ??= conf.docker.docker_remote_api_host;
    if (conf.docker.default_registry) env.ZUN_TEST_REGISTRY ??= conf.docker.default_registry;
  }
  return env;
}

async function main(): Promise<void> {
  const state = stateArg(process.argv.slice(2), 'scale.bench.ts');
  const only = process.env.BENCH_SCALE_ONLY?.split(',').map((s) => s.trim());
  const results = benchResults('scale');
  const dir = mkdtempSync(join(tmpdir(), 'zun-bench-scale-'));
  const failed: string[] = [];
  try {
    for (const part of PARTS.filter((p) => !only || only.includes(p.name))) {
      const file = join(dir, `${part.name}.json`);
      const command = ['--import', 'tsx', join(__dirname, part.script), ...part.args(state)];
      console.log(`\n--- scale/${part.name}: node ${command.join(' ')}`);
      const code = await new Promise<number | null>((res) => {
        const child = spawn(process.execPath, command, { cwd: resolve(__dirname, '../..'), env: { ...partEnv(state), [BENCH_JSON_ENV]: file }, stdio: ['ignore', 'inherit', 'inherit'] });
        child.once('error', () => res(null));
        child.once('close', (c) => res(c));
      });
      if (existsSync(file)) for (const r of parseRecordFile(readFileSync(file, 'utf8')).records) results.add({ ...r, figure: `${part.name}: ${r.figure}` });
      if (code !== 0) failed.push(`${part.name} (exit ${String(code)})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed.length) {
    console.error(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
