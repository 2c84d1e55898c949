import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { silentLogger, zunVersion } from '@zun-ts/common';
import { defaultConf } from '@zun-ts/config';
import { metricsPort, startServiceMetrics } from './service-metrics';

const free = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

void describe('service metrics endpoint', () => {
  void test('each binary has its own default port; port 0, enabled = false or an unknown binary turn it off', () => {
    const conf = defaultConf();
    assert.deepEqual(['zun-api', 'zun-conductor', 'zun-scheduler', 'zun-compute', 'zun-wsproxy'].map((b) => metricsPort(conf, b)), [9610, 9611, 9612, 9613, 9614]);
    assert.equal(metricsPort(defaultConf({ metrics: { compute_port: 0 } }), 'zun-compute'), null);
    assert.equal(metricsPort(defaultConf({ metrics: { enabled: false } }), 'zun-api'), null);
    assert.equal(metricsPort(conf, 'zun-manage'), null);
  });

  void test('serves on [metrics] host and the binary port; a port in use is logged, not fatal', async () => {
    const port = await free();
    const conf = defaultConf({ metrics: { scheduler_port: port } });
    const server = await startServiceMetrics(conf, 'zun-scheduler', silentLogger());
    assert.ok(server);
    try {
      assert.equal(server.port, port);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), new RegExp(`^zun_build_info\\{version="${zunVersion().replace(/[.+]/g, '\\$&')}"\\} 1$`, 'm'), 'zun_build_info names the release');
      assert.equal(await startServiceMetrics(conf, 'zun-scheduler', silentLogger()), null, 'the second one cannot listen');
    } finally {
      await server.close();
    }
  });
});
