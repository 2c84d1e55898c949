import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logFilePath } from './service-logger';

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
