import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ServiceUnavailable } from '@zun-ts/common';
import { EXIT_BAD_CONFIG, EXIT_START_FAILED, runMain, type MainIo } from './run-main';

function fakeIo(): MainIo & { out: string[]; codes: number[] } {
  const out: string[] = [];
  const codes: number[] = [];
  return { out, codes, stderr: (t) => void out.push(t), exit: (c) => void codes.push(c) };
}

describe('runMain', () => {
  test('a bad configuration prints every problem and exits 2', async () => {
    const io = fakeIo();
    await runMain('zun-conductor', async () => {
      throw new ConfigError('[DEFAULT] report_interval: not an integer\n[redis] url: required');
    }, io);
    assert.deepEqual(io.codes, [EXIT_BAD_CONFIG]);
    assert.match(io.out.join(''), /^zun-conductor: invalid configuration:\n\[DEFAULT\] report_interval: not an integer\n\[redis\] url: required/);
  });

  test('another start-up failure says why and exits 1', async () => {
    const io = fakeIo();
    await runMain('zun-compute', async () => {
      throw new ServiceUnavailable('database schema is not at head');
    }, io);
    assert.deepEqual(io.codes, [EXIT_START_FAILED]);
    assert.equal(io.out.join(''), 'zun-compute: cannot start: database schema is not at head\n');
  });

  test('a successful start neither prints nor exits', async () => {
    const io = fakeIo();
    await runMain('zun-scheduler', async () => {}, io);
    assert.deepEqual(io.codes, []);
    assert.deepEqual(io.out, []);
  });
});
