import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { serviceLogPath } from './service-process';

describe('serviceLogPath', () => {
  const saved = process.env['ZUN_TEST_LOG_ARCHIVE'];
  afterEach(() => {
    if (saved === undefined) delete process.env['ZUN_TEST_LOG_ARCHIVE'];
    else process.env['ZUN_TEST_LOG_ARCHIVE'] = saved;
  });

  test('without an archive the log sits beside the service\'s zun.conf', () => {
    delete process.env['ZUN_TEST_LOG_ARCHIVE'];
    assert.equal(serviceLogPath('/t/zun-api-1', 'zun-api'), '/t/zun-api-1/zun-api.log');
  });

  test('with an archive: one file per dir and name, the same for a restart, distinct for equal basenames', () => {
    const archive = join(mkdtempSync(join(tmpdir(), 'log-archive-')), 'logs');
    process.env['ZUN_TEST_LOG_ARCHIVE'] = archive;
    const a = serviceLogPath('/t/one/svc', 'zun-api');
    assert.equal(dirname(a), archive);
    assert.ok(existsSync(archive), 'the archive is created');
    assert.equal(serviceLogPath('/t/one/svc', 'zun-api'), a);
    assert.notEqual(serviceLogPath('/t/two/svc', 'zun-api'), a);
    assert.notEqual(serviceLogPath('/t/one/svc', 'zun-compute'), a);
    assert.match(a, /svc-[0-9a-f]{8}\.zun-api\.log$/);
  });
});
