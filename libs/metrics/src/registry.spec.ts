import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { counter, gauge, histogram, metricsRegistry, secondsSince } from './registry';

const text = (): Promise<string> => metricsRegistry.metrics();

void describe('metric definitions', () => {
  void test('names follow the conventions: zun_ prefix, _total for counters, _seconds for histograms', () => {
    assert.throws(() => counter('http_requests_total', 'x'), /must start with zun_/);
    assert.throws(() => counter('zun_requests', 'x'), /must end with _total/);
    assert.throws(() => histogram('zun_latency_ms', 'x'), /must end with _seconds/);
    assert.throws(() => gauge('zun_Bad-Name', 'x'), /snake_case/);
  });

  void test('defining a name again returns the same metric (one home per process, no duplicate-registration error)', async () => {
    const a = counter('zun_spec_things_total', 'Things.', ['kind']);
    const b = counter('zun_spec_things_total', 'Things.', ['kind']);
    assert.equal(a, b);
    a.inc({ kind: 'x' });
    b.inc({ kind: 'x' }, 2);
    assert.match(await text(), /^zun_spec_things_total\{kind="x"\} 3$/m);
  });

  void test('a gauge with collect is set when scraped', async () => {
    let calls = 0;
    gauge('zun_spec_depth', 'Depth.', ['topic'], {
      aggregation: 'max',
      collect: (g) => {
        calls++;
        g.set({ topic: 'conductor' }, 7);
      },
    });
    assert.match(await text(), /^zun_spec_depth\{topic="conductor"\} 7$/m);
    assert.equal(calls, 1);
  });

  void test('histograms count observations in seconds', async () => {
    const h = histogram('zun_spec_wait_seconds', 'Wait.');
    h.observe(secondsSince(process.hrtime.bigint() - 2_000_000n));
    const t = await text();
    assert.match(t, /^zun_spec_wait_seconds_count 1$/m);
    assert.match(t, /^zun_spec_wait_seconds_bucket\{le="0\.001"\} 0$/m, '2 ms is not under 1 ms');
    assert.match(t, /^zun_spec_wait_seconds_bucket\{le="0\.005"\} 1$/m);
  });
});
