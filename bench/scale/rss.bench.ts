// Memory (RSS) of every service of a running stack, with their node:cluster workers: the first sample (idle when
// nothing else runs) and the peak over `--seconds`, sampled every 250 ms while something else loads the stack
// (e.g. bench/lifecycle or bench/attach started beside it).
// Run: node --import tsx bench/scale/rss.bench.ts [--state .stack] [--seconds 0]
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchResults, fmt } from '../stats';
import { childPids } from '@zun-ts/testing';
import { loadLine, rssMiB, treeCpuMs } from './scale-env';

const SERVICES = ['zun-api', 'zun-conductor', 'zun-scheduler', 'zun-compute', 'zun-wsproxy'] as const;

function args(argv: string[]): { state: string; seconds: number } {
  let state = process.env.ZUN_STACK_STATE ?? '.stack';
  let seconds = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--state') state = argv[++i] ?? state;
    else if (a === '--seconds') seconds = Number(argv[++i]);
    else throw new Error(`unknown argument ${a} (usage: rss.bench.ts [--state DIR] [--seconds N])`);
  }
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error('--seconds takes a number');
  return { state: resolve(state), seconds };
}

interface Sample {
  pids: number;
  rss: number;
}

function sample(pid: number): Sample {
  const pids = [pid, ...childPids(pid)];
  return { pids: pids.length, rss: pids.reduce((s, p) => s + (rssMiB(p) || 0), 0) };
}

async function main(): Promise<void> {
  const { state, seconds } = args(process.argv.slice(2));
  const results = benchResults('scale-rss');
  const pids = new Map<string, number>();
  for (const svc of SERVICES) {
    const file = join(state, 'run', `${svc}.pid`);
    if (!existsSync(file)) throw new Error(`${file} does not exist: is the stack up (tools/stack up)?`);
    pids.set(svc, Number(readFileSync(file, 'utf8').trim()));
  }
  const first = new Map([...pids].map(([svc, pid]) => [svc, sample(pid)]));
  const cpu0 = new Map([...pids].map(([svc, pid]) => [svc, treeCpuMs(pid)]));
  const peak = new Map([...first].map(([svc, s]) => [svc, s.rss]));
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    for (const [svc, pid] of pids) peak.set(svc, Math.max(peak.get(svc) ?? 0, sample(pid).rss));
  }
  console.log(`RSS of the stack's services (${state}), first sample and peak over ${seconds} s; ${loadLine()}`);
  console.log('| service | processes | RSS first MiB | RSS peak MiB | CPU s over the window |');
  console.log('|---|---|---|---|---|');
  for (const [svc, pid] of pids) {
    const f = first.get(svc) as Sample;
    const p = peak.get(svc) ?? Number.NaN;
    const cpuS = (treeCpuMs(pid) - (cpu0.get(svc) ?? 0)) / 1000;
    console.log(`| ${svc} | ${f.pids} | ${fmt(f.rss, 1)} | ${fmt(p, 1)} | ${fmt(cpuS, 1)} |`);
    results.add({ figure: `${svc} RSS (first sample; peak over ${seconds} s)`, ours: f.rss, reference: p, unit: 'MiB', ratio: null, target: null, met: null });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
