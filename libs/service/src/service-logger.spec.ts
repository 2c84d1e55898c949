import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zunVersion } from '@zun-ts/common';
import { createServiceLogger, logFilePath } from './service-logger';

describe('logFilePath', () => {
  const base = { host: 'h', debug: false };
  test('stdout when neither log_file nor log_dir is set', () => {
    assert.equal(logFilePath({ ...base, log_dir: null, log_file: null }, 'zun-compute'), null);
  });
  test('log_file alone is used as given', () => {
    assert.equal(logFilePath({ ...base, log_dir: null, log_file: '/var/log/zun/c.log' }, 'zun-compute'), '/var/log/zun/c.log');
  });
  test('log_file is relative to log_dir when both are set', () => {
    assert.equal(logFilePath({ ...base, log_dir: '/var/log/zun', log_file: 'c.log' }, 'zun-compute'), '/var/log/zun/c.log');
  });
  test('log_dir alone gives <log_dir>/<binary>.log', () => {
    assert.equal(logFilePath({ ...base, log_dir: '/var/log/zun', log_file: null }, 'zun-conductor'), '/var/log/zun/zun-conductor.log');
  });
});

test('every line names the release the service runs (version), beside its host', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-log-'));
  try {
    const logger = createServiceLogger({ DEFAULT: { host: 'node-a', debug: false, log_dir: dir, log_file: null } }, 'zun-scheduler');
    logger.info('hello');
    await new Promise((r) => setTimeout(r, 200));
    const line = JSON.parse(readFileSync(join(dir, 'zun-scheduler.log'), 'utf8').trim().split('\n')[0] ?? '{}') as Record<string, unknown>;
    assert.equal(line['host'], 'node-a');
    assert.equal(line['version'], zunVersion());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
