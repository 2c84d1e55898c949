import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';

const fixture = join(__dirname, 'fixtures', 'logger.fixture.ts');
const dirs: string[] = [];

function run(debug: boolean): Record<string, unknown>[] {
  const dir = mkdtempSync(join(tmpdir(), 'zun-log-'));
  dirs.push(dir);
  execFileSync(process.execPath, ['--import', 'tsx', fixture, dir, String(debug)]);
  // The process exited right after logging: the lines must have been flushed.
  return readFileSync(join(dir, 'zun-conductor.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('createServiceLogger (real file)', () => {
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test('writes JSON lines to <log_dir>/<binary>.log carrying service name and host', () => {
    const lines = run(false);
    assert.equal(lines.length, 1, 'debug lines are dropped unless [DEFAULT] debug');
    const [line] = lines;
    assert.equal(line?.msg, 'service started');
    assert.equal(line?.name, 'zun-conductor');
    assert.equal(line?.host, 'node-7');
    assert.equal(line?.topic, 'conductor');
    assert.equal(typeof line?.pid, 'number');
  });

  test('[DEFAULT] debug = true keeps debug lines', () => {
    const lines = run(true);
    assert.deepEqual(lines.map((l) => l.msg), ['debug line', 'service started']);
  });
});
