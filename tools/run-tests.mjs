#!/usr/bin/env node
// Runs the test files under the given project folders (default: every app and lib)
// with node's test runner and tsx, one file at a time, and ends with
// "N passed, N failed". Unit tests: src/**/*.spec.ts; integration and end-to-end
// tests: tests/**/*.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const only = (process.env.ZUN_TEST_ONLY ?? '').split(',').filter(Boolean); // e.g. "unit" or "integration"
const roots = args.length
  ? args
  : ['libs', 'apps', 'tools', 'bench'].flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(d, p)) : []));

function walk(dir, out) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(spec|test)\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const files = roots.flatMap((r) => walk(join(root, r), [])).filter((f) => {
  if (!only.length) return true;
  const kind = f.endsWith('.spec.ts') ? 'unit' : 'integration';
  return only.includes(kind);
}).sort((a, b) => {
  // unit tests first: they are fast and say the most when something is broken
  const ka = a.endsWith('.spec.ts') ? 0 : 1;
  const kb = b.endsWith('.spec.ts') ? 0 : 1;
  return ka - kb || a.localeCompare(b);
});

const tapDir = mkdtempSync(join(tmpdir(), 'zun-tests-'));
let passed = 0;
let failed = 0;
const failedFiles = [];
// A file that fails is run once more (ZUN_TEST_RETRIES, default 1) and reported as flaky
// when the second run passes: the suite drives real daemons on a small, busy machine.
const retries = Number(process.env.ZUN_TEST_RETRIES ?? 1);
const flakyFiles = [];
const failureLines = new Map(); // file -> the first failures' names and messages, for the summary at the end

/** The names and first error lines of the failing tests in a TAP file (at most `max`). */
function failuresOf(tap, max = 3) {
  const lines = existsSync(tap) ? readFileSync(tap, 'utf8').split('\n') : [];
  const out = [];
  for (let i = 0; i < lines.length && out.length < max; i++) {
    const m = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!m) continue;
    let message = '';
    for (let j = i + 1; j < lines.length && j < i + 40; j++) {
      if (/^\s*(not )?ok \d+ - /.test(lines[j])) break;
      const e = /^\s*error: (.*)$/.exec(lines[j]);
      if (!e) continue;
      message = /^[|>]-?$/.test(e[1].trim()) ? (lines[j + 1] ?? '').trim() : e[1].trim();
      break;
    }
    // a suite fails with its tests: keep the innermost failures, which say why
    if (message === "'1 subtest failed'" || /^'\d+ subtests failed'$/.test(message)) continue;
    out.push(`${m[2].slice(0, 160)}: ${message.slice(0, 300)}`);
  }
  return out;
}
function runFile(file, tap) {
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, file],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' }, timeout: Number(process.env.ZUN_TEST_FILE_TIMEOUT_MS ?? 900_000) },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const p = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
  let f = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0);
  if (res.status !== 0 && f === 0) f = 1; // crashed or timed out before reporting
  return { p, f };
}
for (const [i, file] of files.entries()) {
  const rel = relative(root, file);
  console.log(`\n=== ${rel}`);
  let r = runFile(file, join(tapDir, `${i}.tap`));
  for (let attempt = 1; r.f && attempt <= retries; attempt++) {
    console.log(`\n=== ${rel} failed ${r.f} test(s); running it again (attempt ${attempt + 1})`);
    r = runFile(file, join(tapDir, `${i}.${attempt}.tap`));
    if (!r.f) flakyFiles.push(rel);
  }
  passed += r.p;
  failed += r.f;
  if (r.f) {
    failedFiles.push(rel);
    const last = [join(tapDir, `${i}.${retries}.tap`), join(tapDir, `${i}.tap`)].find((t) => existsSync(t));
    failureLines.set(rel, last ? failuresOf(last) : []);
  }
}
if (flakyFiles.length) console.log(`\nflaky (failed, then passed when run again):\n  ${flakyFiles.join('\n  ')}`);
if (failedFiles.length) {
  // with the first failures of each, so a run whose output is cut still says why
  console.log('\nfailed files:');
  for (const rel of failedFiles) {
    console.log(`  ${rel}`);
    for (const line of failureLines.get(rel) ?? []) console.log(`    ${line}`);
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed || !files.length ? 1 : 0);
