// The one table and the JSON document of a `bench/all` run, assembled from what each benchmark wrote.
import { fmt, type BenchRecord, type BenchRecordFile } from '../stats';

export type LoadAverage = [number, number, number];

/** One benchmark of the run: its records, or why it failed. */
export interface BenchRun {
  bench: string;
  command: string[];
  status: 'ok' | 'failed';
  /** Exit code, or the signal that ended it. */
  exit: number | string | null;
  durationMs: number;
  loadBefore: LoadAverage;
  loadAfter: LoadAverage;
  records: BenchRecord[];
  /** The last lines it wrote to stderr (kept for failed runs). */
  stderrTail: string[];
  /** Set when the 1-min load average before it started was above the number of cores. */
  warning: string | null;
}

export interface RunReport {
  date: string;
  commit: string;
  host: { cpus: number; hostname: string };
  state: string;
  runs: BenchRun[];
  warnings: string[];
}

/**
 * A warning when the machine was too loaded to trust the figures: the 1-min load average before the benchmark
 * started above the core count. The load after is kept in the report but not judged: it counts the benchmark's
 * own work (several of them keep both cores busy by design).
 */
export function loadWarning(bench: string, before: LoadAverage, cpus: number): string | null {
  if (before[0] <= cpus) return null;
  return `${bench}: 1-min load average ${before[0].toFixed(2)} on ${cpus} cores before it started: the machine was too loaded to trust these figures`;
}

/** The records a benchmark wrote (`{ bench, records }`), or an error saying what is wrong with the text. */
export function parseRecordFile(text: string): BenchRecordFile {
  const doc: unknown = JSON.parse(text);
  if (typeof doc !== 'object' || doc === null) throw new Error('not a JSON object');
  const { bench, records } = doc as { bench?: unknown; records?: unknown };
  if (typeof bench !== 'string' || !Array.isArray(records)) throw new Error('expected { bench, records[] }');
  for (const r of records as unknown[]) {
    if (typeof r !== 'object' || r === null || typeof (r as { figure?: unknown }).figure !== 'string') throw new Error('a record without a figure');
  }
  return { bench, records: records as BenchRecord[] };
}

export function assembleReport(parts: Omit<RunReport, 'warnings'>): RunReport {
  return { ...parts, warnings: parts.runs.flatMap((r) => (r.warning ? [r.warning] : [])) };
}

/** A number for the table: up to 2 decimals under 10, 1 under 100, none above. */
export function num(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  const a = Math.abs(n);
  return fmt(n, a < 10 ? 2 : a < 100 ? 1 : 0);
}

const withP90 = (median: number | null, p90: number | null | undefined): string =>
  p90 === null || p90 === undefined ? num(median) : `${num(median)} (p90 ${num(p90)})`;

export const TABLE_HEAD = ['benchmark', 'figure', 'ours', 'reference', 'ratio', 'target', 'met?'];

/** The rows of the table: one per record, one per failed benchmark (plus its stderr tail below the table). */
export function tableRows(report: RunReport): string[][] {
  const rows: string[][] = [];
  for (const run of report.runs) {
    for (const r of run.records) {
      rows.push([
        run.bench,
        `${r.figure}${r.unit ? ` (${r.unit})` : ''}`,
        withP90(r.ours, r.oursP90),
        withP90(r.reference, r.referenceP90),
        r.ratio === null ? '' : `${fmt(r.ratio, 2)}×`,
        r.target ?? '',
        r.met === null ? '' : r.met ? 'yes' : 'NO',
      ]);
    }
    if (run.status === 'failed') rows.push([run.bench, `FAILED (exit ${run.exit ?? '?'}) after ${fmt(run.durationMs / 1000, 1)} s`, '', '', '', '', 'FAILED']);
  }
  return rows;
}

/** The whole text `bench/all` prints at the end: the table, the failures' stderr, the load warnings. */
export function renderReport(report: RunReport): string {
  const rows = tableRows(report);
  const widths = TABLE_HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const out = [
    `bench/all ${report.date}, commit ${report.commit}, ${report.host.cpus} cores (${report.host.hostname}), stack ${report.state}`,
    line(TABLE_HEAD),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ];
  for (const run of report.runs) {
    out.push(`${run.bench}: load average ${run.loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${run.loadAfter.map((l) => l.toFixed(2)).join(' ')} after, ${fmt(run.durationMs / 1000, 1)} s`);
  }
  for (const run of report.runs.filter((r) => r.status === 'failed')) {
    out.push(`${run.bench} FAILED (${run.command.join(' ')}), last stderr lines:`, ...run.stderrTail.map((l) => `  ${l}`));
  }
  for (const w of report.warnings) out.push(`WARNING ${w}`);
  return out.join('\n');
}
