import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '@zun-ts/common';
import { defaultConf } from '@zun-ts/config';
import { connectRpc } from './connect-rpc';

test('connectRpc builds the transport from zun.conf, with the service identity as sender', async () => {
  const conf = defaultConf({ DEFAULT: { host: 'cn-7', rpc_response_timeout: 12 }, redis: { url: 'redis://127.0.0.1:1/0', key_prefix: 'zt-conn' } });
  const t = connectRpc(conf, silentLogger(), { binary: 'zun-compute', shutdownTimeoutMs: 5_000 });
  try {
    assert.deepEqual(t.identity, { host: 'cn-7', binary: 'zun-compute' });
    assert.equal(t.options.redisUrl, 'redis://127.0.0.1:1/0');
    assert.equal(t.options.prefix, 'zt-conn');
    assert.equal(t.options.callTimeoutMs, 12_000);
    assert.equal(t.options.shutdownTimeoutMs, 5_000);
    assert.equal(t.options.connectWaitMs, 10_000, 'services ride out a Redis restart by default');
  } finally {
    await t.close();
  }
});

test('connectRpc passes a shorter connect wait (zun-api answers 503 within a second when Redis is down)', async () => {
  const conf = defaultConf({ redis: { url: 'redis://127.0.0.1:1/0', key_prefix: 'zt-conn' } });
  const t = connectRpc(conf, silentLogger(), { binary: 'zun-api', connectWaitMs: 1000 });
  try {
    assert.equal(t.options.connectWaitMs, 1000);
  } finally {
    await t.close();
  }
});
