import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { benchResults, type BenchRecord } from '../stats';
import { parseArgs } from './all';
import { assembleReport, loadWarning, parseRecordFile, renderReport, tableRows, type BenchRun } from './report';

const runRecord: BenchRecord = { figure: 'run → Running', ours: 1234.4, reference: 1000, unit: 'ms', ratio: 1.2344, target: '≤ 1.15×', met: false, oursP90: 1500, referenceP90: 1100 };
const listRecord: BenchRecord = { figure: 'list 100 rows, c=16', ours: 1612.7, reference: null, unit: 'req/s', ratio: null, target: '≥ 1500', met: true };

function run(over: Partial<BenchRun>): BenchRun {
  return { bench: 'lifecycle', command: ['node', 'x.ts'], status: 'ok', exit: 0, durationMs: 12_300, loadBefore: [0.5, 0.4, 0.3], loadAfter: [1.5, 0.9, 0.5], records: [], stderrTail: [], warning: null, ...over };
}

describe('bench/all report', () => {
  it('puts each record in one row, with the p90 beside the median and met as yes/NO', () => {
    const report = assembleReport({ date: '2026-12-02T15:00:00.000Z', commit: 'abc', host: { cpus: 2, hostname: 'h' }, state: '/s', runs: [run({ records: [runRecord, listRecord] })] });
    assert.deepEqual(tableRows(report), [
      ['lifecycle', 'run → Running (ms)', '1234 (p90 1500)', '1000 (p90 1100)', '1.23×', '≤ 1.15×', 'NO'],
      ['lifecycle', 'list 100 rows, c=16 (req/s)', '1613', '', '', '≥ 1500', 'yes'],
    ]);
  });

  it('reports a failed benchmark with its stderr tail, keeps its earlier records and the others', () => {
    const failed = run({ bench: 'attach', status: 'failed', exit: 1, records: [listRecord], stderrTail: ['Error: boom', '  at x'] });
    const report = assembleReport({ date: 'd', commit: 'c', host: { cpus: 2, hostname: 'h' }, state: '/s', runs: [failed, run({ bench: 'rpc', records: [runRecord] })] });
    const rows = tableRows(report);
    assert.equal(rows.length, 3);
    assert.deepEqual(rows[1]?.slice(0, 2), ['attach', 'FAILED (exit 1) after 12.3 s']);
    assert.equal(rows[1]?.[6], 'FAILED');
    assert.equal(rows[2]?.[0], 'rpc');
    const text = renderReport(report);
    assert.match(text, /attach FAILED \(node x\.ts\), last stderr lines:\n {2}Error: boom\n {4}at x/);
    assert.doesNotMatch(text, /WARNING/);
  });

  it('warns when the 1-min load average before the benchmark is above the number of cores', () => {
    assert.equal(loadWarning('rpc', [2, 5, 5], 2), null);
    const w = loadWarning('rpc', [3.5, 1, 1], 2);
    assert.match(w ?? '', /^rpc: 1-min load average 3\.50 on 2 cores before it started/);
    const report = assembleReport({ date: 'd', commit: 'c', host: { cpus: 2, hostname: 'h' }, state: '/s', runs: [run({ warning: w })] });
    assert.deepEqual(report.warnings, [w]);
    assert.match(renderReport(report), /\nWARNING rpc: 1-min load average/);
  });

  it('reads back what benchResults writes, with non-finite numbers as null', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-all-spec-'));
    try {
      const file = join(dir, 'r.json');
      const results = benchResults('storage', file);
      results.add(listRecord);
      results.add({ ...runRecord, reference: Number.NaN, ratio: Number.POSITIVE_INFINITY, referenceP90: Number.NaN });
      const parsed = parseRecordFile(readFileSync(file, 'utf8'));
      assert.equal(parsed.bench, 'storage');
      assert.deepEqual(parsed.records[0], listRecord);
      assert.equal(parsed.records[1]?.reference, null);
      assert.equal(parsed.records[1]?.ratio, null);
      assert.equal(parsed.records[1]?.referenceP90, null);
      assert.equal(parsed.records[1]?.oursP90, 1500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a results file that is not { bench, records }', () => {
    assert.throws(() => parseRecordFile('[]'), /expected \{ bench, records\[\] \}/);
    assert.throws(() => parseRecordFile('{"bench":"x","records":[{"ours":1}]}'), /without a figure/);
  });

  it('parses its arguments and refuses unknown benchmarks', () => {
    const o = parseArgs(['--state=/tmp/st', '--only', 'rpc,storage', '--json', 'out.json', '--settle', '30'], {});
    assert.equal(o.settle, 30);
    assert.throws(() => parseArgs(['--settle', '-1'], {}), /--settle takes a number/);
    assert.equal(o.state, '/tmp/st');
    assert.deepEqual(o.only, ['rpc', 'storage']);
    assert.equal(o.json, 'out.json');
    assert.throws(() => parseArgs(['--only', 'rpc,nope'], {}), /unknown benchmark nope/);
    assert.throws(() => parseArgs(['--bogus'], {}), /unknown argument --bogus/);
  });
});
