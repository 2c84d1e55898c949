// Figures shared by the benchmarks.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** The p-th percentile (nearest rank) of `values`; NaN for none. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export const median = (v: number[]): number => percentile(v, 50);

/**
 * Waits up to `seconds` for the 1-min load average to fall to the core count (the work of a previous benchmark, or of
 * a benchmark's own set-up, decays), so that a measure does not start on a machine still busy with something else.
 */
export async function settle(seconds: number): Promise<void> {
  const load = (): number => loadavg()[0] ?? 0;
  const until = performance.now() + seconds * 1000;
  if (load() <= cpus().length || seconds <= 0) return;
  console.log(`waiting up to ${seconds} s for the 1-min load average (${load().toFixed(2)}) to fall to ${cpus().length}`);
  while (load() > cpus().length && performance.now() < until) await new Promise((r) => setTimeout(r, 2000));
}

/** A figure with `digits` decimals, `n/a` when it is not a number. */
export const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

// ------------------------------------------------------------------ machine-readable results

/** One figure of a benchmark, as `bench/all` collects it. `null` where the benchmark has no such number. */
export interface BenchRecord {
  figure: string;
  /** zun-ts's figure (the median when the benchmark repeats the measure). */
  ours: number | null;
  /** The reference measured in the same run (raw Docker, direct attach, `docker pull`, …). */
  reference: number | null;
  unit: string;
  /** ours / reference, or the benchmark's own ratio (e.g. the median of per-run ratios). */
  ratio: number | null;
  /** The target as text, e.g. `≤ 1.15×`; null when the figure has none. */
  target: string | null;
  met: boolean | null;
  oursP90?: number | null;
  referenceP90?: number | null;
}

/** The file a benchmark writes its records to, when `bench/all` (or anyone) names one. */
export const BENCH_JSON_ENV = 'ZUN_BENCH_JSON';

/** What a benchmark writes to `$ZUN_BENCH_JSON`. */
export interface BenchRecordFile {
  bench: string;
  records: BenchRecord[];
}

const finite = (n: number | null | undefined): number | null => (n !== null && n !== undefined && Number.isFinite(n) ? n : null);

/**
 * Collects a benchmark's records and rewrites `$ZUN_BENCH_JSON` after each one, so that the figures measured before
 * a failure are kept. Without the variable it only collects. Non-finite numbers are stored as null.
 */
export function benchResults(bench: string, file = process.env[BENCH_JSON_ENV]): { add(r: BenchRecord): void; records: BenchRecord[] } {
  const records: BenchRecord[] = [];
  return {
    records,
    add(r: BenchRecord): void {
      const rec: BenchRecord = { ...r, ours: finite(r.ours), reference: finite(r.reference), ratio: finite(r.ratio) };
      if (r.oursP90 !== undefined) rec.oursP90 = finite(r.oursP90);
      if (r.referenceP90 !== undefined) rec.referenceP90 = finite(r.referenceP90);
      records.push(rec);
      if (file) writeFileSync(file, JSON.stringify({ bench, records } satisfies BenchRecordFile, null, 2) + '\n');
    },
  };
}
