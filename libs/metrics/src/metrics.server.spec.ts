import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { counter } from './registry';
import { type MetricsServer, startMetricsServer } from './metrics.server';

void describe('startMetricsServer', () => {
  let server: MetricsServer | null = null;
  after(async () => server?.close());

  void test('GET /metrics: the text format with process metrics and our counters; other paths and methods 404', async () => {
    server = await startMetricsServer('127.0.0.1', 0);
    counter('zun_spec_served_total', 'Served.').inc();
    const base = `http://127.0.0.1:${server.port}`;
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    assert.match(body, /^zun_spec_served_total 1$/m);
    assert.match(body, /^zun_process_cpu_user_seconds_total /m);
    assert.match(body, /^zun_nodejs_eventloop_lag_seconds /m);
    assert.equal((await fetch(`${base}/metrics?x=1`)).status, 200);
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 404);
  });

  void test('a port in use is an error for the caller', async () => {
    assert.ok(server);
    await assert.rejects(startMetricsServer('127.0.0.1', server.port), /EADDRINUSE/);
  });
});
